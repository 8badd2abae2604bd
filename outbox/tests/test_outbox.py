"""The outbox: work is written first, sent after commit, kept when the broker is down, drained
later, never doubled while it waits."""

import time

import pytest
from celery.beat import ScheduleEntry
from django.db import transaction
from django.urls import reverse

from agencies.choices import Role
from agencies.tests.factories import AgencyFactory, staff
from config.celery import app
from meetings.tests.conftest import verified
from outbox.beat import OutboxScheduler
from outbox.models import OutboxMessage
from outbox.services import Sent, outbox_drain, outbox_enqueue, outbox_send
from tests.conftest import reset_broker_pool

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def broker(monkeypatch):
    """A real (non-eager) publish path; `down()` points it at a port where nothing listens."""
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setitem(app.conf, "broker_transport_options", {})

    class Broker:
        def up(self):
            monkeypatch.setitem(app.conf, "broker_url", "memory://")
            reset_broker_pool(app)

        def down(self):
            monkeypatch.setitem(app.conf, "broker_url", "redis://127.0.0.1:1/0")
            reset_broker_pool(app)

    b = Broker()
    b.up()
    yield b
    reset_broker_pool(app)


def test_enqueue_sends_after_commit_and_marks_the_row_sent(broker):
    with transaction.atomic():
        message = outbox_enqueue("tsunagu.ping", dedupe_key="ping:1")
        assert OutboxMessage.objects.get(pk=message.pk).sent_at is None  # not before commit
    message.refresh_from_db()
    assert message.sent_at is not None and message.attempts == 1


def test_rolled_back_work_is_never_sent(broker):
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox_enqueue("tsunagu.ping")
        raise RuntimeError
    assert not OutboxMessage.objects.exists()


def test_broker_down_keeps_the_row_fast_and_silently_then_the_drain_sends_it(broker):
    broker.down()
    started = time.monotonic()
    message = outbox_enqueue("tsunagu.ping", kwargs={}, dedupe_key="ping:2")
    assert time.monotonic() - started < 10
    message.refresh_from_db()
    assert message.sent_at is None and message.attempts == 1
    assert outbox_drain().sent == 0  # still down: stays waiting

    broker.up()
    result = outbox_drain()
    message.refresh_from_db()
    assert (result.sent, result.waiting) == (1, 0)
    assert message.sent_at is not None and message.attempts == 3


def test_the_same_work_waits_once(broker):
    broker.down()
    first = outbox_enqueue("tsunagu.ping", dedupe_key="k")
    again = outbox_enqueue("tsunagu.ping", dedupe_key="k")
    assert first is not None and again is None
    assert OutboxMessage.objects.filter(dedupe_key="k").count() == 1
    broker.up()
    assert outbox_drain().sent == 1
    # Once sent, the same key may be queued again (e.g. a mail whose sending failed).
    assert outbox_enqueue("tsunagu.ping", dedupe_key="k") is not None
    assert OutboxMessage.objects.filter(dedupe_key="k").count() == 2


def test_a_sent_row_is_not_sent_again(broker):
    message = outbox_enqueue("tsunagu.ping")
    assert outbox_send(message.pk) is Sent.SKIPPED


def test_beat_writes_due_entries_to_the_outbox_and_sends_the_drain_directly(broker):
    broker.down()
    scheduler = OutboxScheduler(app=app, lazy=True)
    sweep = ScheduleEntry(name="notifications-sweep", task="notifications.sweep", app=app)
    for _ in range(3):  # three missed runs while Redis is down
        scheduler.apply_entry(sweep)
    [row] = OutboxMessage.objects.all()
    assert (row.task, row.dedupe_key, row.sent_at) == (
        "notifications.sweep",
        "beat:notifications-sweep",
        None,
    )
    drain = ScheduleEntry(name="outbox-drain", task="outbox.drain", app=app)
    scheduler.apply_entry(drain)  # logged by beat, nothing stored
    assert OutboxMessage.objects.count() == 1


def test_eager_mode_runs_the_task_in_process(settings):
    from audit.models import AuditEvent

    outbox_enqueue("audit.heartbeat", args=["outbox-eager"])
    assert AuditEvent.objects.filter(object_id="outbox-eager").count() == 1
    assert OutboxMessage.objects.get().sent_at is not None


def test_a_starting_worker_sends_what_waited(broker):
    from outbox.signals import drain_on_worker_start

    broker.down()
    waiting = [outbox_enqueue("tsunagu.ping", dedupe_key=f"start:{n}") for n in range(3)]
    assert OutboxMessage.objects.pending().count() == 3
    broker.up()
    drain_on_worker_start()
    assert not OutboxMessage.objects.pending().exists()
    assert all(OutboxMessage.objects.get(pk=m.pk).sent_at for m in waiting)


def test_the_admin_home_shows_waiting_work(broker, client):
    admin = staff(AgencyFactory(), Role.ADMIN)
    verified(client, admin)
    url = reverse("agencies:admin_home")
    assert "送信待ちの処理はありません" in client.get(url).content.decode()
    broker.down()
    outbox_enqueue("tsunagu.ping", dedupe_key="home")
    page = client.get(url).content.decode()
    assert "送信待ち 1件" in page


def test_the_drain_forgets_rows_sent_more_than_a_week_ago(broker):
    from datetime import timedelta

    from django.utils import timezone

    old = outbox_enqueue("tsunagu.ping")
    recent = outbox_enqueue("tsunagu.ping")
    OutboxMessage.objects.filter(pk=old.pk).update(sent_at=timezone.now() - timedelta(days=8))
    assert outbox_drain().pruned == 1
    assert list(OutboxMessage.objects.values_list("pk", flat=True)) == [recent.pk]
