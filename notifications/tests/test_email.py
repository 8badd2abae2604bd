import datetime as dt

import pytest
from django.utils import timezone

from notifications.models import Level, Notification, NotificationPreference
from notifications.services import notification_email_send, send_digests

from . import builders

pytestmark = pytest.mark.django_db

D = dt.date
JST = dt.timezone(dt.timedelta(hours=9))


def test_urgent_reminder_is_mailed_immediately_once(world, sweep_on, outbox):
    builders.referral(world, sent_on=D(2026, 11, 20))
    sweep_on(D(2026, 12, 1))  # step 1 (supervisor) is urgent
    mails = [m for m in outbox if world.supervisor.email in m.to]
    assert len(mails) == 1
    assert mails[0].subject.startswith("【つなぐ・至急】")
    assert "個人を特定する情報を記載していません" in mails[0].body
    sweep_on(D(2026, 12, 1))
    assert len([m for m in outbox if world.supervisor.email in m.to]) == 1
    # Normal reminders wait for the digest.
    assert not [m for m in outbox if world.coordinator.email in m.to]


def test_urgent_mail_respects_the_preference(world, sweep_on, outbox):
    NotificationPreference.objects.create(user=world.supervisor, urgent_email=False)
    builders.referral(world, sent_on=D(2026, 11, 20))
    sweep_on(D(2026, 12, 1))
    assert not [m for m in outbox if world.supervisor.email in m.to]


def test_delivery_task_twice_sends_once(world, outbox):
    n = Notification.objects.create(
        recipient=world.coordinator, rule="x", title="ケース R8-0001 至急", level=Level.URGENT
    )
    assert notification_email_send(notification_id=n.pk) is True
    assert notification_email_send(notification_id=n.pk) is False
    assert len(outbox) == 1


def test_failed_send_is_retried_by_the_next_run(world, outbox, monkeypatch):
    from django.core.mail import EmailMessage

    n = Notification.objects.create(
        recipient=world.coordinator, rule="x", title="R8-0001", level=Level.URGENT
    )

    def refuse(self, *a, **k):
        raise ConnectionError("smtp down")

    monkeypatch.setattr(EmailMessage, "send", refuse)
    with pytest.raises(ConnectionError):
        notification_email_send(notification_id=n.pk)
    n.refresh_from_db()
    assert n.emailed_at is None  # the claim rolled back
    monkeypatch.undo()
    assert notification_email_send(notification_id=n.pk) is True


def _names(user, world):
    return [
        user.display_name,
        user.last_name,
        user.first_name,
        world.worker.display_name,
        "山田",
        "花子",
    ]


def test_daily_digest_in_japanese_without_personal_names(world, sweep_on, travel, outbox):
    c = builders.case(world, status="received", opened_on=D(2026, 6, 1))
    p = builders.person(world.hub, world.coordinator)
    c.principal = p
    c.save(update_fields=["principal"])
    builders.referral(world, sent_on=D(2026, 6, 10))
    sweep_on(D(2026, 6, 16))
    outbox.clear()
    travel(D(2026, 6, 17), hour=6, minute=30)
    assert send_digests() == 0  # before the default hour (7)
    travel(D(2026, 6, 17), hour=7, minute=30)
    assert send_digests() >= 1
    [mail] = [m for m in outbox if world.coordinator.email in m.to]
    assert mail.subject == "【つなぐ】6月17日の通知のまとめ(2件)"
    assert "新しい通知が 2 件あります" in mail.body
    assert c.number in mail.body and "/notifications/" in mail.body
    for name in filter(None, _names(world.coordinator, world) + [p.family_name, p.given_name]):
        assert name not in mail.body and name not in mail.subject
    # Once a day; the next day only what is new.
    assert send_digests() == 0
    travel(D(2026, 6, 18), hour=7, minute=30)
    assert send_digests() == 0  # nothing new since yesterday's digest
    assert (
        Notification.objects.filter(recipient=world.coordinator, emailed_at__isnull=True).count()
        == 0
    )


def test_digest_hour_and_opt_out(world, travel, outbox):
    late = world.coordinator
    NotificationPreference.objects.create(user=late, digest_hour=18)
    NotificationPreference.objects.create(user=world.supervisor, digest_enabled=False)
    for user in (late, world.supervisor):
        Notification.objects.create(recipient=user, rule="x", title="ケース R8-0001 の通知")
    travel(D(2026, 6, 17), hour=7, minute=30)
    send_digests()
    assert outbox == []
    travel(D(2026, 6, 17), hour=18, minute=30)
    send_digests()
    assert [m.to for m in outbox] == [[late.email]]


def test_digest_skips_read_and_resolved(world, travel, outbox):
    Notification.objects.create(
        recipient=world.coordinator, rule="x", title="既読", read_at=timezone.now()
    )
    Notification.objects.create(
        recipient=world.coordinator, rule="x", title="解消", resolved_at=timezone.now()
    )
    travel(D(2026, 6, 17), hour=8)
    assert send_digests() == 0
    assert outbox == []


def test_urgent_mail_in_english_for_english_users(world, outbox):
    world.coordinator.language = "en"
    world.coordinator.save(update_fields=["language"])
    n = Notification.objects.create(
        recipient=world.coordinator, rule="x", title="R8-0001", level=Level.URGENT
    )
    notification_email_send(notification_id=n.pk)
    assert "R8-0001" in outbox[0].subject


def test_immediate_mail_is_capped_per_user_per_day(
    world, outbox, django_capture_on_commit_callbacks
):
    from notifications.services import URGENT_MAIL_DAILY_LIMIT, queue_urgent_emails

    for i in range(URGENT_MAIL_DAILY_LIMIT + 5):
        Notification.objects.create(
            recipient=world.supervisor, rule="x", title=f"ケース R8-{i:04d}", level=Level.URGENT
        )
    with django_capture_on_commit_callbacks(execute=True):
        assert queue_urgent_emails() == URGENT_MAIL_DAILY_LIMIT
    assert len(outbox) == URGENT_MAIL_DAILY_LIMIT
    with django_capture_on_commit_callbacks(execute=True):
        assert queue_urgent_emails() == 0  # the rest wait for the digest
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 5
