"""CI: a real Celery worker on Redis runs the notification sweep, and the notification appears in
the user's inbox. Skipped without REDIS_URL / PostgreSQL, a failure when CI=true."""

import datetime as dt

import pytest
from django.urls import reverse

from notifications.models import Notification, Reminder
from notifications.tests import builders


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_worker_runs_the_sweep_and_the_notification_reaches_the_inbox(
    celery_worker_process, client
):
    world = builders.World()
    referral = builders.referral(world, sent_on=dt.date(2026, 11, 20))  # 3 business days → 11-26

    result = celery_worker_process.send("notifications.sweep", today="2026-11-27")
    again = celery_worker_process.send("notifications.sweep", today="2026-11-27")

    assert result["notifications"] == 1 and result["failed"] == []
    assert again["notifications"] == 0  # idempotent across runs
    [notification] = Notification.objects.filter(recipient=world.coordinator)
    assert referral.number in notification.title
    assert Reminder.objects.count() == 1
    log = celery_worker_process.log_text()
    assert "Task notifications.sweep[" in log  # it ran in the worker, not eagerly here

    client.force_login(world.coordinator)
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert notification.title in page
    assert 'data-testid="unread-count">1<' in page
