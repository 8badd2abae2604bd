"""The calendar's list view: the month as one row per day with meetings (phones, screen
readers), only the user's meetings, and the other views one link away."""

import pytest
from django.urls import reverse

from meetings.choices import BodyKind

from .conftest import make_body, schedule, seat

pytestmark = pytest.mark.django_db


def test_list_view_lists_my_meetings_of_the_month(
    client, supervisor, city, juso, partner_worker, stranger
):
    seat(juso, partner_worker, supervisor)
    other = make_body(supervisor, city, BodyKind.SHIEN_KAIGI, "別の支援会議")
    mine = schedule(juso, supervisor, days=3)
    schedule(other, supervisor, days=3)
    client.force_login(partner_worker)
    html = client.get(
        reverse("meetings:calendar"), {"view": "list", "date": mine.date.isoformat()}
    ).content.decode()
    assert 'data-testid="month-list"' in html and 'data-testid="month"' not in html
    assert "重層的支援会議(全体)" in html and "別の支援会議" not in html
    assert reverse("meetings:meeting_detail", args=[mine.public_id]) in html
    assert "view=month" in html and "view=week" in html
    client.force_login(stranger)
    html = client.get(
        reverse("meetings:calendar"), {"view": "list", "date": mine.date.isoformat()}
    ).content.decode()
    assert "重層的支援会議(全体)" not in html
    assert "この月の会議はありません。" in html


def test_month_view_carries_the_phone_list_and_a_link_to_the_list_view(client, partner_worker):
    client.force_login(partner_worker)
    html = client.get(reverse("meetings:calendar")).content.decode()
    assert 'data-testid="month"' in html and "calendar-list--phone" in html
    assert "view=list" in html
