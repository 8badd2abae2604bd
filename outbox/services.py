"""Enqueue background work through the outbox, send it, drain what the broker refused.

`outbox_enqueue` is what application code calls instead of `task.delay()`:
  1. one OutboxMessage row is inserted in the caller's transaction (so the work exists exactly
     when the change that needs it does), unless a row with the same `dedupe_key` still waits;
  2. after commit the row is claimed (`SELECT … FOR UPDATE SKIP LOCKED`), published with the
     row's uuid as the Celery task id, and marked sent;
  3. if the broker is down, publishing fails fast, nothing is raised to the caller (a web request
     still answers), and the row waits for `outbox_drain` — every minute from beat and whenever a
     worker starts.
A row may be published twice (a crash between publishing and marking it sent, or the broker
redelivering an unacknowledged message): every task sent this way must be idempotent, and the
tasks of this project are (unique reminder rows, conditional-update claims).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from importlib import import_module

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone

from .models import OutboxMessage

logger = logging.getLogger(__name__)

# Publishing from a web request must not hang while the broker is away: one quick retry.
PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
DRAIN_BATCH = 500


class Sent(StrEnum):
    SENT = "sent"
    SKIPPED = "skipped"  # already sent, or being sent by another process right now
    FAILED = "failed"  # the broker refused; the row waits for the next drain


def outbox_enqueue(
    task: str, *, kwargs: dict | None = None, args: list | None = None, dedupe_key: str = ""
) -> OutboxMessage | None:
    """Record `task` for sending after commit. Returns the row, or None when a row with the same
    `dedupe_key` is still waiting (the work is already on its way)."""
    message = OutboxMessage(
        task=task, args=list(args or []), kwargs=dict(kwargs or {}), dedupe_key=dedupe_key[:200]
    )
    if dedupe_key:
        # The partial unique constraint (one unsent row per key) decides, not a read before.
        created = OutboxMessage.objects.bulk_create([message], ignore_conflicts=True)
        if not OutboxMessage.objects.filter(task_id=created[0].task_id).exists():
            return None
        message = OutboxMessage.objects.get(task_id=message.task_id)
    else:
        message.save()
    pk = message.pk
    transaction.on_commit(lambda: send_after_commit(pk))
    return message


def send_after_commit(message_id: int) -> None:
    """on_commit hook: never raises — a failure leaves the row for the drain."""
    try:
        outbox_send(message_id)
    except Exception:
        if _eager():
            raise  # tests run tasks in-process: their errors must surface
        logger.exception("outbox: sending message %s failed; the drain will retry", message_id)


def _eager() -> bool:
    from config.celery import app

    return bool(app.conf.task_always_eager)


def _publish(message: OutboxMessage) -> None:
    from config.celery import app

    options = {
        "task_id": str(message.task_id),
        # Results of these tasks are never read (their state is in the database); not asking for
        # them also keeps the web process from subscribing to the result backend on every send.
        "ignore_result": True,
        "retry": True,
        "retry_policy": PUBLISH_RETRY_POLICY,
    }
    task = app.tasks.get(message.task) or _import_task(app, message.task)
    if task is not None:
        task.apply_async(message.args, message.kwargs, **options)
    else:
        app.send_task(message.task, message.args, message.kwargs, **options)


def _import_task(app, name: str):
    """Autodiscovery is lazy in a web process: import `<app>.tasks` of a task named
    '<app>.<task>' (not `import_default_modules()`, which would run Django's system checks)."""
    try:
        import_module(f"{name.split('.', 1)[0]}.tasks")
    except ImportError:
        return None
    return app.tasks.get(name)


def outbox_send(message_id: int) -> Sent:
    """Publish one waiting row and mark it sent. Safe to call from several processes at once."""
    if _eager():
        # In-process execution (tests, CELERY_TASK_ALWAYS_EAGER): mark first, then run, so that
        # the task's own errors propagate as they did with .delay().
        claimed = OutboxMessage.objects.filter(pk=message_id, sent_at__isnull=True).update(
            sent_at=timezone.now(), attempts=F("attempts") + 1, last_attempt_at=timezone.now()
        )
        if not claimed:
            return Sent.SKIPPED
        _publish(OutboxMessage.objects.get(pk=message_id))
        return Sent.SENT
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, sent_at__isnull=True)
            .first()
        )
        if message is None:
            return Sent.SKIPPED
        now = timezone.now()
        message.attempts += 1
        message.last_attempt_at = now
        try:
            _publish(message)
        except Exception as exc:  # noqa: BLE001 - any broker failure: keep the row, say so once
            logger.warning(
                "outbox: broker unavailable (%s); %s waits for the drain",
                type(exc).__name__,
                message.task,
            )
            OutboxMessage.objects.filter(pk=message.pk).update(
                attempts=message.attempts, last_attempt_at=now
            )
            return Sent.FAILED
        message.sent_at = now
        message.save(update_fields=["attempts", "last_attempt_at", "sent_at"])
    return Sent.SENT


@dataclass
class DrainResult:
    sent: int = 0
    skipped: int = 0
    waiting: int = 0
    pruned: int = 0


def outbox_drain(*, limit: int = DRAIN_BATCH) -> DrainResult:
    """Send waiting rows, oldest first; stop at the first broker failure (the broker is down:
    the rest would fail too). Rows sent more than OUTBOX_KEEP_DAYS ago are deleted."""
    result = DrainResult()
    ids = list(OutboxMessage.objects.pending().order_by("pk").values_list("pk", flat=True)[:limit])
    for pk in ids:
        outcome = outbox_send(pk)
        if outcome is Sent.FAILED:
            break
        if outcome is Sent.SENT:
            result.sent += 1
        else:
            result.skipped += 1
    result.waiting = OutboxMessage.objects.pending().count()
    keep = timedelta(days=getattr(settings, "OUTBOX_KEEP_DAYS", 7))
    result.pruned, _ = OutboxMessage.objects.filter(sent_at__lt=timezone.now() - keep).delete()
    if result.sent or result.waiting:
        logger.info("outbox drain: %d sent, %d still waiting", result.sent, result.waiting)
    return result


def outbox_drain_safely() -> DrainResult | None:
    """The drain for places that must not fail (worker start): the database may be away too."""
    try:
        return outbox_drain()
    except DatabaseError:
        logger.warning("outbox: database unavailable, drain skipped")
        return None
