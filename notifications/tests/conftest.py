import datetime as dt

import pytest
import time_machine
from django.core import mail

from notifications.models import Notification, Reminder
from notifications.services import sweep

from . import builders


@pytest.fixture
def world(db):
    return builders.World()


@pytest.fixture
def travel():
    """`travel(date)` freezes the clock at 09:05 Tokyo on that date and returns the sweep result."""
    travellers = []

    def _go(d: dt.date, hour: int = 9, minute: int = 5):
        if travellers:
            travellers.pop().stop()
        t = time_machine.travel(
            dt.datetime(
                d.year, d.month, d.day, hour, minute, tzinfo=dt.timezone(dt.timedelta(hours=9))
            ),
            tick=False,
        )
        t.start()
        travellers.append(t)

    yield _go
    for t in travellers:
        t.stop()


@pytest.fixture
def sweep_on(travel, django_capture_on_commit_callbacks):
    """Travel to the date and run the sweep as the hourly task would (no explicit date); the
    after-commit mail tasks run as they would outside the test transaction."""

    def _run(d: dt.date, **kwargs):
        travel(d)
        with django_capture_on_commit_callbacks(execute=True):
            return sweep(**kwargs)

    return _run


def notes_for(user, rule=None):
    qs = Notification.objects.filter(recipient=user)
    if rule:
        qs = qs.filter(rule=rule)
    return list(qs.order_by("pk"))


def reminders(rule):
    return list(Reminder.objects.filter(rule=rule).order_by("step", "recipient_id"))


@pytest.fixture
def outbox():
    mail.outbox.clear()
    return mail.outbox


def verified_login(client, user):
    """Log in with the second factor passed (supervisors and admins must have it)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(
        user=user, confirmed=True
    ).first() or TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
