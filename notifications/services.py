"""Writes of the notifications app: the sweep, e-mail delivery, digests and the inbox actions.

The sweep is safe to run at any time, twice, or twice at once:
  1. every rule yields what is due today (the current state, derived from the data);
  2. one Reminder row per (rule, object, due date, step, recipient) is inserted with
     `bulk_create(ignore_conflicts=True)` — the database's unique constraint decides what is new;
  3. a Notification is created for every Reminder of the rule that has none yet (a one-to-one key,
     again `ignore_conflicts`), so a crashed run is completed by the next one and two concurrent
     runs cannot both notify;
  4. open reminders whose (object, due date) the rule no longer yields are resolved, and their
     unread notifications are marked resolved (they leave the unread count).
E-mail is sent by tasks that take a notification id and claim it with a conditional update
(`emailed_at IS NULL`), so a task delivered twice sends once.
"""

import logging
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from agencies import policy
from audit.services import record
from outbox.services import outbox_enqueue

from .messages import notification_text
from .models import Level, Notification, NotificationPreference, Reminder, RuleSetting
from .rules import RuleContext, RuleSpec, Setting, available_rules, get_rule
from .selectors import forget_unread_count

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError, TimeoutError)
# Urgent notifications older than this are left to the digest instead of an immediate mail.
URGENT_MAIL_WINDOW = timedelta(days=2)
URGENT_MAIL_DAILY_LIMIT = 10


# --- settings ---------------------------------------------------------------------------------


def effective_settings() -> dict[str, Setting]:
    """The setting of every registered rule: the stored row or the defaults in code (one query)."""
    from .rules import all_rules

    stored = {s.code: s for s in RuleSetting.objects.all()}
    result = {}
    for spec in all_rules():
        row = stored.get(spec.code)
        result[spec.code] = (
            Setting(row.enabled, row.threshold_days, row.escalation_days)
            if row
            else spec.default_setting()
        )
    return result


# --- the sweep --------------------------------------------------------------------------------


@dataclass
class RuleRun:
    hits: int = 0
    reminders: int = 0
    notifications: int = 0
    resolved: int = 0


@dataclass
class SweepResult:
    today: date
    rules: dict[str, RuleRun] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)
    emails_queued: int = 0

    @property
    def notifications(self) -> int:
        return sum(r.notifications for r in self.rules.values())


def sweep(
    today: date | None = None, *, codes: list[str] | None = None, queue_mail: bool = True
) -> SweepResult:
    """Run every available, enabled rule for `today` (default: today in Asia/Tokyo).

    A rule that fails is logged (by code only) and the others still run; transient database
    errors propagate so that the Celery task retries — nothing is lost either way, the next run
    derives the same state again.
    """
    now = timezone.now()
    ctx = RuleContext.build(today, now)
    rule_settings = effective_settings()
    specs = [get_rule(c) for c in codes] if codes else available_rules()
    result = SweepResult(today=ctx.today)
    for spec in specs:
        if spec is None or not spec.available:
            continue
        setting = rule_settings[spec.code]
        if not setting.enabled:
            continue
        try:
            result.rules[spec.code] = run_rule(spec, ctx, setting)
        except TRANSIENT_ERRORS:
            raise
        except Exception:
            logger.exception("notification rule failed: %s", spec.code)
            result.failed.append(spec.code)
        if settings.NOTIFICATIONS_SWEEP_RULE_PAUSE:
            time.sleep(settings.NOTIFICATIONS_SWEEP_RULE_PAUSE)  # fault tests only
    if queue_mail:
        result.emails_queued = queue_urgent_emails(now=now)
    logger.info(
        "notification sweep %s: %d rules, %d new notifications, %d failed",
        ctx.today.isoformat(),
        len(result.rules),
        result.notifications,
        len(result.failed),
    )
    return result


def run_rule(spec: RuleSpec, ctx: RuleContext, setting: Setting) -> RuleRun:
    """Evaluate one rule and write its reminders and notifications (one transaction).

    Fixed query count whatever the number of rows: the rule's own reads, one read of the rule's
    open reminders, one INSERT of the new reminders, one read of reminders without a notification,
    one INSERT of notifications, and (only when something was resolved) two UPDATEs.
    """
    hits = list(spec.evaluate(ctx, setting))
    run = RuleRun(hits=len(hits))
    by_key = {(h.object_ref, h.due_date, h.step): h for h in hits}
    with transaction.atomic():
        open_rows = list(
            Reminder.objects.filter(rule=spec.code, resolved_at__isnull=True).values_list(
                "pk", "object_ref", "due_date", "step", "recipient_id"
            )
        )
        existing = {(ref, due, step, uid) for _pk, ref, due, step, uid in open_rows}
        rows = [
            Reminder(
                rule=spec.code,
                object_ref=h.object_ref,
                due_date=h.due_date,
                step=h.step,
                recipient_id=user_id,
                agency_id=h.agency_id,
                subject=h.subject[:100],
                url=h.url[:300],
                created_at=ctx.now,
            )
            for h in hits
            for user_id in sorted(h.recipients)
            if (h.object_ref, h.due_date, h.step, user_id) not in existing
        ]
        if rows:
            # The unique constraint, not the read above, is what makes this once-only: a
            # concurrent run's rows (or resolved ones with the same key) are skipped here.
            Reminder.objects.bulk_create(rows, ignore_conflicts=True)
        # Every reminder of this rule without its notification — the ones just inserted, and any
        # a crashed run left behind. Deterministic: keyed by the reminder row, not by "what I sent".
        pending = (
            Reminder.objects.filter(
                rule=spec.code, resolved_at__isnull=True, notification__isnull=True
            )
            .order_by("pk")
            .values_list("pk", "object_ref", "due_date", "step", "recipient_id")
        )
        notes = []
        texts: dict = {}  # rendered once per hit, not per recipient
        for pk, ref, due, step, recipient_id in pending:
            h = by_key.get((ref, due, step))
            if h is None:
                continue  # no longer due; resolved below
            if (ref, due, step) not in texts:
                texts[(ref, due, step)] = notification_text(h.title, h.params, h.body, h.body_text)
            notes.append(
                Notification(
                    recipient_id=recipient_id,
                    rule=spec.code,
                    **texts[(ref, due, step)],
                    url=h.url[:300],
                    object_ref=ref,
                    due_date=due,
                    level=h.level,
                    reminder_id=pk,
                    created_at=ctx.now,
                )
            )
        if notes:
            Notification.objects.bulk_create(notes, ignore_conflicts=True)
            # ctx.now is this run's own timestamp: what a concurrent run inserted is not counted.
            run.notifications = Notification.objects.filter(
                rule=spec.code, created_at=ctx.now
            ).count()
        run.reminders = len(rows)
        current = {(h.object_ref, h.due_date) for h in hits}
        stale = [pk for pk, ref, due, _step, _uid in open_rows if (ref, due) not in current]
        run.resolved = _resolve(stale, ctx.now)
    return run


def _resolve(stale: list[int], now: datetime) -> int:
    """Close reminders whose condition no longer holds, and their unread notifications."""
    # Chunked only so that SQLite's 32766-parameter limit is never reached.
    for start in range(0, len(stale), 10000):
        chunk = stale[start : start + 10000]
        Reminder.objects.filter(pk__in=chunk).update(resolved_at=now)
        Notification.objects.filter(reminder_id__in=chunk, resolved_at__isnull=True).update(
            resolved_at=now
        )
    return len(stale)


# --- e-mail -------------------------------------------------------------------------------------


def _base_url() -> str:
    return settings.TSUNAGU_BASE_URL.rstrip("/")


def _link(notification: Notification) -> str:
    return _base_url() + reverse("notifications:open", args=[notification.public_id])


def _mail_context(**extra) -> dict:
    return {
        "city": settings.TSUNAGU_CITY_NAME,
        "inbox_url": _base_url() + reverse("notifications:inbox"),
        "preferences_url": _base_url() + reverse("notifications:preferences"),
        **extra,
    }


def _wants_urgent_mail():
    """Recipients who take urgent mail: an address, active, and not opted out (no row = default)."""
    return (
        Q(recipient__is_active=True)
        & ~Q(recipient__email="")
        & (
            Q(recipient__notification_preference__isnull=True)
            | Q(recipient__notification_preference__urgent_email=True)
        )
    )


def queue_urgent_emails(*, now: datetime | None = None) -> int:
    """Queue a delivery task for every recent urgent notification not yet mailed (idempotent:
    the task claims the row, so queueing twice sends once).

    At most URGENT_MAIL_DAILY_LIMIT immediate mails per user in 24 hours: the first sweep over
    old data (or a bad day) must not bury a supervisor in mail; the rest go in the digest.
    """
    now = now or timezone.now()
    pending = list(
        Notification.objects.filter(
            _wants_urgent_mail(),
            level=Level.URGENT,
            emailed_at__isnull=True,
            read_at__isnull=True,
            resolved_at__isnull=True,
            created_at__gte=now - URGENT_MAIL_WINDOW,
        )
        .order_by("due_date", "pk")
        .values_list("pk", "recipient_id")
    )
    if not pending:
        return 0
    recently = dict(
        Notification.objects.filter(
            level=Level.URGENT,
            emailed_at__gte=now - timedelta(days=1),
            recipient_id__in={uid for _pk, uid in pending},
        )
        .values("recipient_id")
        .annotate(n=Count("pk"))
        .values_list("recipient_id", "n")
    )
    ids = []
    for pk, uid in pending:
        if recently.get(uid, 0) < URGENT_MAIL_DAILY_LIMIT:
            recently[uid] = recently.get(uid, 0) + 1
            ids.append(pk)
    for pk in ids:
        _queue_email(pk)
    return len(ids)


def _queue_email(notification_id: int) -> None:
    """Through the outbox: a mail queued while Redis is down is sent when it is back; queued
    twice (two sweeps before the first went out) it waits once."""
    outbox_enqueue(
        "notifications.deliver_email",
        kwargs={"notification_id": notification_id},
        dedupe_key=f"notification-email:{notification_id}",
    )


def notification_email_send(*, notification_id: int) -> bool:
    """Send one urgent notification by e-mail, at most once. Returns whether a mail was sent."""
    n = (
        Notification.objects.filter(_wants_urgent_mail(), pk=notification_id)
        .select_related("recipient")
        .first()
    )
    if n is None:
        return False  # gone, or the recipient no longer takes urgent mail
    with transaction.atomic():
        # The claim is a single-table conditional UPDATE on purpose: with a join Django writes
        # `WHERE id IN (subquery)`, which PostgreSQL does not re-check after waiting for the row
        # lock — two workers would both send.
        claimed = Notification.objects.filter(
            pk=notification_id, emailed_at__isnull=True, resolved_at__isnull=True
        ).update(emailed_at=timezone.now())
        if not claimed:
            return False
        with translation.override(n.recipient.language or "ja"):
            ctx = _mail_context(n=n, link=_link(n))
            subject = render_to_string("notifications/email/urgent_subject.txt", ctx).strip()
            body = render_to_string("notifications/email/urgent.txt", ctx)
        # Sent inside the transaction: if the mail server refuses, the claim rolls back and the
        # next sweep queues it again.
        EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [n.recipient.email]).send()
    return True


def send_digests(now: datetime | None = None) -> int:
    """Send each user whose digest hour has come today one mail with everything not yet mailed.

    Runs hourly; a user gets at most one digest per day (claimed by a conditional update of
    `last_digest_on`). Returns the number of digests sent.
    """
    now = now or timezone.now()
    local = timezone.localtime(now)
    today = local.date()
    pending = Notification.objects.filter(
        emailed_at__isnull=True, read_at__isnull=True, resolved_at__isnull=True
    )
    user_ids = list(pending.values_list("recipient_id", flat=True).distinct())
    if not user_ids:
        return 0
    NotificationPreference.objects.bulk_create(
        [NotificationPreference(user_id=u) for u in user_ids], ignore_conflicts=True
    )
    due = (
        NotificationPreference.objects.filter(
            user_id__in=user_ids,
            digest_enabled=True,
            digest_hour__lte=local.hour,
            user__is_active=True,
        )
        .exclude(user__email="")
        .filter(Q(last_digest_on__isnull=True) | Q(last_digest_on__lt=today))
        .values_list("pk", flat=True)
    )
    sent = 0
    for pref_id in list(due):
        sent += _send_digest(pref_id=pref_id, now=now, today=today)
    return sent


def _send_digest(*, pref_id: int, now: datetime, today: date) -> int:
    with transaction.atomic():
        claimed = (
            NotificationPreference.objects.filter(pk=pref_id)
            .filter(Q(last_digest_on__isnull=True) | Q(last_digest_on__lt=today))
            .update(last_digest_on=today)
        )
        if not claimed:
            return 0
        pref = NotificationPreference.objects.select_related("user").get(pk=pref_id)
        user = pref.user
        items = list(
            Notification.objects.filter(
                recipient=user,
                emailed_at__isnull=True,
                read_at__isnull=True,
                resolved_at__isnull=True,
            ).order_by("-level", "due_date", "pk")[:100]
        )
        if not items:
            return 0
        Notification.objects.filter(pk__in=[n.pk for n in items]).update(emailed_at=now)
        unread_total = Notification.objects.for_user(user).unread().count()
        with translation.override(user.language or "ja"):
            ctx = _mail_context(
                today=today,
                urgent=[(n, _link(n)) for n in items if n.level == Level.URGENT],
                normal=[(n, _link(n)) for n in items if n.level != Level.URGENT],
                count=len(items),
                unread_total=unread_total,
            )
            subject = render_to_string("notifications/email/digest_subject.txt", ctx).strip()
            body = render_to_string("notifications/email/digest.txt", ctx)
        EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]).send()
    return 1


# --- events -------------------------------------------------------------------------------------


def notify_now(
    *,
    recipients,
    rule: str,
    message_code: str,
    params: dict | None = None,
    body_codes: tuple[str, ...] = (),
    body_text: str = "",
    url: str = "",
    object_ref: str = "",
    level: str = Level.NORMAL,
    due_date: date | None = None,
) -> list[Notification]:
    """An immediate in-app notification (an event, not a deadline). Urgent ones are mailed after
    commit to recipients who want that. The title is the message `message_code` (see
    notifications.messages) with `params`; the body is `body_codes` (one line each) or
    `body_text`, a text typed by a user shown as written."""
    now = timezone.now()
    text = notification_text(message_code, params, body_codes, body_text)
    notes = Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=getattr(r, "pk", r),
                rule=rule,
                **text,
                url=url[:300],
                object_ref=object_ref,
                level=level,
                due_date=due_date,
                created_at=now,
            )
            for r in sorted({getattr(r, "pk", r) for r in recipients if r})
        ]
    )
    if level == Level.URGENT and notes:
        ids = list(
            Notification.objects.filter(
                _wants_urgent_mail(), pk__in=[n.pk for n in notes if n.pk]
            ).values_list("pk", flat=True)
        )
        for pk in ids:
            _queue_email(pk)
    return notes


# --- inbox actions ------------------------------------------------------------------------------


@transaction.atomic
def notification_mark_read(*, notification: Notification, actor) -> bool:
    """Mark one of the actor's notifications read. Returns False if it already was."""
    decision = policy.require(actor, "notification.update", notification)
    updated = Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    forget_unread_count(actor)
    if updated:
        record(
            actor=actor,
            action="notification.update",
            obj=notification,
            basis=decision.basis,
            changes=["read_at"],
        )
    return bool(updated)


@transaction.atomic
def notification_mark_all_read(*, actor) -> int:
    """Mark every unread notification of the actor read; returns how many."""
    decision = policy.require(actor, "notification.list")
    updated = (
        Notification.objects.for_user(actor)
        .filter(read_at__isnull=True)
        .update(read_at=timezone.now())
    )
    forget_unread_count(actor)
    if updated:
        record(
            actor=actor,
            action="notification.update",
            basis=decision.basis,
            changes=["read_at"],
            object_type="notifications.notification",
            object_id=f"all-of-user:{actor.pk}",
        )
    return updated


def preference_for(user) -> NotificationPreference:
    """The user's preferences, unsaved defaults if none stored."""
    try:
        return user.notification_preference
    except NotificationPreference.DoesNotExist:
        return NotificationPreference(user=user, **NotificationPreference.DEFAULTS)


@transaction.atomic
def preference_update(
    *, actor, user, digest_enabled: bool, urgent_email: bool, digest_hour: int
) -> NotificationPreference:
    decision = policy.require(actor, "notification_preference.update", user)
    pref, _created = NotificationPreference.objects.select_for_update().get_or_create(
        user=user, defaults=NotificationPreference.DEFAULTS
    )
    changes = [
        name
        for name, value in (
            ("digest_enabled", digest_enabled),
            ("urgent_email", urgent_email),
            ("digest_hour", digest_hour),
        )
        if getattr(pref, name) != value
    ]
    pref.digest_enabled, pref.urgent_email, pref.digest_hour = (
        digest_enabled,
        urgent_email,
        digest_hour,
    )
    pref.full_clean(exclude=["user"])
    pref.save()
    record(
        actor=actor,
        action="notification_preference.update",
        obj=pref,
        basis=decision.basis,
        changes=changes,
    )
    return pref


@transaction.atomic
def rule_setting_update(
    *, actor, code: str, enabled: bool, threshold_days: int, escalation_days: int
) -> RuleSetting:
    """Set the municipality's threshold for one rule (admin only)."""
    decision = policy.require(actor, "rule_setting.manage")
    if get_rule(code) is None:
        raise ValueError("unknown rule code")
    row = RuleSetting.objects.select_for_update().filter(code=code).first()
    if row is None:
        spec = get_rule(code)
        row = RuleSetting(
            code=code,
            enabled=spec.default_setting().enabled,
            threshold_days=spec.default_threshold,
            escalation_days=spec.default_escalation,
        )
    changes = [
        name
        for name, value in (
            ("enabled", enabled),
            ("threshold_days", threshold_days),
            ("escalation_days", escalation_days),
        )
        if getattr(row, name) != value or row.pk is None
    ]
    row.enabled, row.threshold_days, row.escalation_days = enabled, threshold_days, escalation_days
    row.updated_by = actor
    row.full_clean()
    row.save()
    record(
        actor=actor, action="rule_setting.update", obj=row, basis=decision.basis, changes=changes
    )
    return row
