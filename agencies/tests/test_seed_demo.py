"""The whole demo city (`manage.py seed_demo`) as a user first sees it."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import models
from django.utils import timezone

# Moments that are meant to lie ahead: expiries, the end of a grant, a scheduled meeting.
PLANNED = {
    "sessions.Session.expire_date",
    "axes.AccessAttemptExpiration.expires_at",
    "agencies.ApiToken.expires_at",
    "access.AccessGrant.valid_until",
    "access.Disclosure.until",
    "access.EmergencyAccess.expires_at",
    "meetings.Meeting.starts_at",
    "reports.ReportJob.expires_at",
}


def _later_than(now) -> dict[str, int]:
    found = {}
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        for f in model._meta.concrete_fields:
            name = f"{model._meta.label}.{f.name}"
            if isinstance(f, models.DateTimeField) and name not in PLANNED:
                n = model._default_manager.filter(**{f"{f.name}__gt": now}).count()
                if n:
                    found[name] = n
    return found


@pytest.mark.django_db
def test_demo_loaded_early_in_the_morning_has_nothing_dated_later_than_now():
    # 06:20: "today at 10:00" and "a few hours after a sheet sent this morning" lie ahead.
    # Tomorrow, so that the rows the migrations wrote (at the real time) are not in the future.
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    early = dt.datetime.combine(tomorrow, dt.time(6, 20), tzinfo=ZoneInfo(settings.TIME_ZONE))
    with time_machine.travel(early, tick=True):
        call_command("seed_demo")
        assert _later_than(timezone.now()) == {}
