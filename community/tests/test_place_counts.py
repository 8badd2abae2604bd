"""Places marked 終了 carry their 終了日, and the community overview counts places by the same
written definition as the annual report (52 in the report against 50 on the overview)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from agencies.jpdates import fiscal_year
from cases.tests.factories import login_verified
from community import selectors
from community.models import Resource
from community.services import resource_create, resource_update
from reports import figures
from reports.figures import Period

from .factories import ResourceFactory


def test_closing_a_place_needs_its_end_date(client, w):
    with pytest.raises(ValidationError) as exc:
        resource_create(actor=w.csw, name="閉じたサロン", kind="salon", status="closed")
    assert exc.value.message_dict["end_date"] == [
        "状態を「終了」にするときは終了日を入れてください。"
    ]
    place = ResourceFactory(operating_agency=w.houjin)
    login_verified(client, w.csw)
    data = {
        "name": place.name,
        "kind": "salon",
        "is_place": "on",
        "status": "closed",
        "operator_kind": "residents",
        "schedule": "monthly",
        "expected_version": place.version,
    }
    response = client.post(reverse("community:place_edit", args=[place.public_id]), data)
    assert response.status_code == 200
    assert 'id="id_end_date_error"' in response.content.decode()
    place.refresh_from_db()
    assert place.status == "active"
    resource_update(actor=w.csw, resource=place, status="closed", end_date=dt.date(2026, 3, 31))


def test_an_open_place_past_its_end_date_is_refused_at_the_status(w):
    """Counted closed from its 終了日 (open_on) but listed 活動中: the pages disagreed."""
    place = ResourceFactory(operating_agency=w.houjin, start_date=dt.date(2024, 4, 1))
    past = timezone.localdate() - dt.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        resource_update(actor=w.csw, resource=place, end_date=past)
    assert "終了日が過ぎています" in exc.value.message_dict["status"][0]
    resource_update(actor=w.csw, resource=place, end_date=past, status="closed")


def test_the_place_forms_cross_field_errors_are_at_their_fields_with_the_others(client, w):
    place = ResourceFactory(operating_agency=w.houjin)
    login_verified(client, w.csw)
    data = {
        "name": "",  # another field's error at the same time
        "kind": "salon",
        "is_place": "on",
        "status": "active",
        "operator_kind": "residents",
        "schedule": "monthly",
        "start_date": "2026-04-01",
        "end_date": "2026-03-01",
        "min_age": "70",
        "max_age": "60",
        "expected_version": place.version,
    }
    response = client.post(reverse("community:place_edit", args=[place.public_id]), data)
    form = response.context["form"]
    assert form["name"].errors
    assert form["end_date"].errors == ["終了日は開始日以降の日付にしてください。"]
    assert form["max_age"].errors == ["対象年齢の上限は下限以上にしてください。"]


def test_a_place_opening_later_this_year_is_not_new_yet(client, w):
    today = timezone.localdate()
    later = ResourceFactory(operating_agency=w.houjin, start_date=today + dt.timedelta(days=1))
    qs = selectors.filter_places(Resource.objects.all(), {"new": "1"})
    assert later not in qs


def test_the_api_refuses_a_closed_place_without_end_date(w):
    api = APIClient()
    api.force_authenticate(w.csw)
    body = {"name": "閉じたサロン", "kind": "salon", "status": "closed"}
    response = api.post("/api/v1/resources/", body, format="json")
    assert response.status_code == 400
    assert "終了日" in response.json()["error"]["fields"]["end_date"][0]
    body["end_date"] = "2026-03-31"
    assert api.post("/api/v1/resources/", body, format="json").status_code == 201


def test_the_overview_counts_the_places_the_annual_report_counts(client, w):
    today = timezone.localdate()
    ResourceFactory(name="開いている")
    ResourceFactory(name="休止中", status="paused")
    ResourceFactory(name="終了", status="closed", end_date=today - dt.timedelta(days=10))
    # Marked 終了 before the date was required: neither counts it as open.
    ResourceFactory(name="終了日なし", status="closed")
    ResourceFactory(name="準備中", status="preparing", start_date=today + dt.timedelta(days=30))
    ResourceFactory(name="就労体験", is_place=False)
    start, end = selectors.current_fy_range()
    summary = selectors.community_summary(start=start, end=end)
    report = figures.get("community.places").value(Period.of(fiscal_year(today)))
    assert summary["places"] == report == 2
    assert set(Resource.objects.open_on(today).values_list("name", flat=True)) == {
        "開いている",
        "休止中",
    }
    login_verified(client, w.other)
    page = client.get(reverse("community:index")).content.decode()
    assert '<dd class="num" data-testid="summary-places">2か所' in page
    assert "年次報告と同じ定義" in page
    assert str(figures.get("community.places").rule).endswith(
        "状態が終了で終了日の記録がないものは数えません。"
    )
