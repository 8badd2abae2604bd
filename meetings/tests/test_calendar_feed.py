"""Calendar subscription: a per-user secret URL works without a session, shows only the owner's
meetings (body name and place), and stops working when revoked, rotated, or the user leaves."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.models import Membership
from audit.models import AuditEvent
from meetings import services
from meetings.models import CalendarFeedToken
from meetings.tests.conftest import schedule, seat, submitted_plan, verified

pytestmark = pytest.mark.django_db


def issue(client, user) -> str:
    """Issue (or rotate) the user's feed on the settings page; returns the feed path."""
    verified(client, user)
    r = client.post(reverse("meetings:calendar_feed_settings"), {"op": "issue"})
    assert r.status_code == 200
    match = re.search(
        r'value="https?://[^/"]+(/meetings/calendar/feed\.ics\?key=[^"]+)"', r.content.decode()
    )
    assert match, "the new URL is shown once"
    client.logout()
    return match.group(1)


def test_owner_feed_works_without_session_and_holds_no_personal_data(
    client, supervisor, coordinator, city, juso, partner_worker
):
    seat(juso, partner_worker, supervisor)
    case, plan = submitted_plan(coordinator, city)
    meeting = schedule(juso, supervisor, days=3)
    services.agenda_item_add(meeting=meeting, actor=supervisor, source=f"plan:{plan.public_id}")
    path = issue(client, partner_worker)
    r = client.get(path)  # no session
    assert r.status_code == 200
    assert r["Content-Type"].startswith("text/calendar")
    text = r.content.decode()
    assert f"UID:{meeting.public_id}@" in text
    assert "SUMMARY:重層的支援会議(全体)" in text
    assert case.number not in text
    assert case.principal.family_name not in text and case.principal.given_name not in text
    assert partner_worker.display_name not in text
    token_row = CalendarFeedToken.objects.get(user=partner_worker)
    assert path.split("key=", 1)[1] not in token_row.token_hash
    assert len(token_row.token_hash) == 64
    assert AuditEvent.objects.filter(action="calendar_feed.create", actor=partner_worker).exists()


def test_another_users_meetings_never_appear(client, supervisor, juso, stranger):
    meeting = schedule(juso, supervisor, days=3)
    path = issue(client, stranger)
    text = client.get(path).content.decode()
    assert "BEGIN:VCALENDAR" in text
    assert str(meeting.public_id) not in text and "BEGIN:VEVENT" not in text
    own = issue(client, supervisor)
    assert own != path
    assert str(meeting.public_id) in client.get(own).content.decode()


def test_rotated_token_404s_and_new_one_works(client, supervisor, juso):
    schedule(juso, supervisor, days=3)
    old = issue(client, supervisor)
    new = issue(client, supervisor)
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    assert AuditEvent.objects.filter(action="calendar_feed.rotate", actor=supervisor).exists()
    assert CalendarFeedToken.objects.filter(user=supervisor).count() == 1


def test_revoked_token_404s(client, supervisor):
    path = issue(client, supervisor)
    verified(client, supervisor)
    r = client.post(reverse("meetings:calendar_feed_settings"), {"op": "revoke"})
    assert r.status_code == 302
    client.logout()
    assert client.get(path).status_code == 404
    assert not CalendarFeedToken.objects.filter(user=supervisor).exists()
    assert AuditEvent.objects.filter(action="calendar_feed.delete", actor=supervisor).exists()


def test_deactivated_user_or_ended_membership_404s(client, supervisor, coordinator):
    path = issue(client, supervisor)
    supervisor.is_active = False
    supervisor.save(update_fields=["is_active"])
    assert client.get(path).status_code == 404
    path = issue(client, coordinator)
    assert client.get(path).status_code == 200
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Membership.objects.filter(user=coordinator).update(end_date=yesterday)
    assert client.get(path).status_code == 404


def test_unknown_token_404s(client, db):
    url = reverse("meetings:calendar_feed")
    assert client.get(url, {"key": "not-a-real-token"}).status_code == 404
    assert client.get(url).status_code == 404


def test_the_secret_is_never_in_the_path_nor_in_a_log_line(client, supervisor):
    import logging

    from config.logfilters import StripQueryString

    path = issue(client, supervisor)
    secret = path.split("key=", 1)[1]
    assert secret not in path.split("?", 1)[0]
    line = logging.LogRecord(
        "django.server", logging.INFO, "", 0, '"GET %s HTTP/1.1" 200', (path,), None
    )
    StripQueryString().filter(line)
    assert secret not in line.getMessage()


def test_settings_page_needs_login_and_shows_state(client, supervisor):
    url = reverse("meetings:calendar_feed_settings")
    assert client.get(url).status_code == 302
    verified(client, supervisor)
    page = client.get(url).content.decode()
    assert "購読URLはまだ発行していません。" in page
    client.post(url, {"op": "issue"})
    page = client.get(url).content.decode()
    assert "発行済みです" in page and ".ics" not in page
    assert "購読" in client.get(reverse("meetings:calendar")).content.decode()
