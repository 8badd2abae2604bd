"""The full meetings list: filters in the URL, sortable columns, count, CSV/XLSX export of what is
shown (only the viewer's meetings), audited, a fixed number of queries."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from agencies.jpdates import format_datetime, format_monthday
from audit.models import AuditEvent
from meetings.choices import BodyKind

from .conftest import make_body, schedule, seat, verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def meetings(supervisor, city, juso, partner_worker):
    seat(juso, partner_worker, supervisor)
    return [schedule(juso, supervisor, days=d) for d in (3, 10, 17)]


def test_member_sees_sorts_and_filters_the_meetings(client, meetings, partner_worker, juso):
    client.force_login(partner_worker)
    url = reverse("meetings:meeting_list")
    response = client.get(url, {"sort": "starts_at"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "3件" in html and juso.name in html
    positions = [html.index(str(m.public_id)) for m in meetings]
    assert positions == sorted(positions)
    html = client.get(url, {"sort": "-starts_at"}).content.decode()
    positions = [html.index(str(m.public_id)) for m in meetings]
    assert positions == sorted(positions, reverse=True)
    first = meetings[0].starts_at.date()
    html = client.get(url, {"date_to": first.isoformat()}).content.decode()
    assert "1件" in html
    assert client.get(url, {"date_from": "not-a-date", "body": "x"}).status_code == 200


def test_export_holds_only_the_viewers_meetings_and_is_audited(
    client, meetings, partner_worker, stranger
):
    client.force_login(partner_worker)
    response = client.get(reverse("meetings:meeting_export"), {"fmt": "xlsx"})
    assert response.status_code == 200
    rows = list(
        load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        .worksheets[0]
        .iter_rows(values_only=True)
    )
    assert rows[0][:2] == ("開催日時", "会議体") and len(rows) == 4
    assert rows[1][rows[0].index("議題数")] == 0
    assert AuditEvent.objects.filter(action="meeting.export", actor=partner_worker).exists()
    client.force_login(stranger)
    response = client.get(reverse("meetings:meeting_export"))
    assert response.content.decode("utf-8-sig").count("\r\n") == 1  # header only


def test_meeting_list_costs_a_fixed_number_of_queries(
    client, supervisor, city, django_assert_max_num_queries
):
    for n in range(4):
        body = make_body(supervisor, city, BodyKind.JUSO_KAIGI, f"会議体{n}")
        seat(body, supervisor, supervisor)
        for d in range(3):
            schedule(body, supervisor, days=d * 7 + n + 1)
    verified(client, supervisor)
    client.get(reverse("meetings:meeting_list"))
    with django_assert_max_num_queries(20):
        assert client.get(reverse("meetings:meeting_list"), {"sort": "body"}).status_code == 200


def test_list_and_calendar_show_the_one_date_style(client, meetings, partner_worker):
    """和暦 with the weekday, the deadline in the one compact form, never 2026-11-26 (issue 15)."""
    client.force_login(partner_worker)
    m = meetings[0]
    html = client.get(reverse("meetings:meeting_list")).content.decode()
    assert format_datetime(m.starts_at, seireki=False, weekday=True) in html
    assert f">{format_monthday(m.submission_deadline)}</time>" in html
    assert f">{m.date.isoformat()}<" not in html
    calendar = client.get(reverse("meetings:calendar"), {"view": "list", "date": m.date}).content
    assert f">{format_monthday(m.date)}</time>" in calendar.decode()
    partner_worker.show_seireki = True
    partner_worker.save(update_fields=["show_seireki"])
    html = client.get(reverse("meetings:meeting_list")).content.decode()
    assert format_datetime(m.starts_at, seireki=True, weekday=True) in html
