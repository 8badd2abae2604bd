"""Tallies (開催記録): one per place and day, none before the place's 開始日, and a tally
recorded by mistake can be removed by whoever may record the place's tallies."""

import datetime as dt
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import AuditEvent
from cases.tests.factories import login_verified
from community import selectors
from community import services_activity as sa
from community.models import Session

from .factories import ResourceFactory


@pytest.fixture
def place(w):
    # Opened 2024-04-01 (the factory's 開始日), run by the 社会福祉法人.
    return ResourceFactory(name="法人の縁側", kind="engawa", operating_agency=w.houjin)


def _tally(held_on: str, **counts) -> dict:
    data = {"held_on": held_on, "volunteer_hours": "0"}
    for name in (
        "age_under10 age_10s age_20s age_30s age_40s age_50s age_60s age_70s age_80plus "
        "attr_elderly attr_disability attr_child attr_youth attr_other new_participants "
        "volunteers became_helpers consultations"
    ).split():
        data[name] = str(counts.get(name, 0))
    return data


def test_a_second_tally_of_the_same_place_and_day_is_refused_at_the_date(client, w, place):
    login_verified(client, w.operator_staff)
    url = reverse("community:session_tally", args=[place.public_id])
    data = _tally("2026-06-03", age_70s=5, attr_elderly=5)
    assert client.post(url, {**data, "idempotency_key": str(uuid.uuid4())}).status_code == 302
    response = client.post(url, {**data, "idempotency_key": str(uuid.uuid4())})
    assert response.status_code == 200
    page = response.content.decode()
    assert "この日の開催はすでに記録されています。" in page
    assert 'id="id_held_on_error"' in page
    assert Session.objects.filter(resource=place).count() == 1


def test_a_tally_cannot_be_moved_onto_another_tallys_day(w, place):
    first = sa.session_record(
        actor=w.csw, resource=place, held_on=dt.date(2026, 6, 3), age_70s=4, attr_elderly=4
    )
    second = sa.session_record(actor=w.csw, resource=place, held_on=dt.date(2026, 6, 10))
    with pytest.raises(ValidationError) as exc:
        sa.session_update(actor=w.csw, session=second, held_on=first.held_on)
    assert "held_on" in exc.value.message_dict
    # Another place may meet on the same day.
    sa.session_record(actor=w.csw, resource=ResourceFactory(), held_on=dt.date(2026, 6, 3))


def test_a_tally_before_the_places_start_is_refused(w, place):
    with pytest.raises(ValidationError) as exc:
        sa.session_record(actor=w.csw, resource=place, held_on=dt.date(2024, 3, 31))
    assert exc.value.message_dict["held_on"] == [
        "開催日は拠点・居場所の開始日(令和6年4月1日)以降の日付にしてください。"
    ]
    assert not place.sessions.exists()
    sa.session_record(actor=w.csw, resource=place, held_on=dt.date(2024, 4, 1))


def test_the_places_start_is_not_moved_past_its_first_tally(w, place):
    from community.services import resource_update

    sa.session_record(actor=w.csw, resource=place, held_on=dt.date(2024, 5, 1))
    with pytest.raises(ValidationError) as exc:
        resource_update(actor=w.csw, resource=place, start_date=dt.date(2024, 5, 2))
    assert exc.value.message_dict["start_date"] == [
        "開始日は最初の開催記録(令和6年5月1日)より後にできません。"
    ]
    place.refresh_from_db()
    assert place.start_date == dt.date(2024, 4, 1)
    resource_update(actor=w.csw, resource=place, start_date=dt.date(2024, 5, 1))


def test_the_api_answers_400_at_held_on_for_a_duplicate_or_early_tally(w, place):
    api = APIClient()
    api.force_authenticate(w.operator_staff)
    url = "/api/v1/community-sessions/"
    body = {"resource": str(place.public_id), "held_on": "2026-06-01", "age_70s": 3}
    key = str(uuid.uuid4())
    first = api.post(url, {**body, "idempotency_key": key}, format="json")
    assert first.status_code == 201
    # A resent request (same key) still answers the session already logged.
    again = api.post(url, {**body, "idempotency_key": key}, format="json")
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    duplicate = api.post(url, {**body, "idempotency_key": str(uuid.uuid4())}, format="json")
    assert duplicate.status_code == 400
    assert "すでに記録されています" in duplicate.json()["error"]["fields"]["held_on"][0]
    early = api.post(url, {**body, "held_on": "2023-05-01"}, format="json")
    assert early.status_code == 400
    assert "開始日" in early.json()["error"]["fields"]["held_on"][0]
    assert Session.objects.count() == 1


def test_whoever_records_the_places_tallies_deletes_a_mistaken_one(client, w, place):
    session = sa.session_record(
        actor=w.operator_staff,
        resource=place,
        held_on=dt.date(2026, 6, 3),
        age_70s=5,
        attr_elderly=5,
    )
    start, end = dt.date(2026, 4, 1), dt.date(2027, 3, 31)
    assert selectors.place_figures(place, start=start, end=end).sessions == 1
    url = reverse("community:session_delete", args=[session.public_id])
    # Asked on the edit page before it goes.
    login_verified(client, w.operator_staff)
    page = client.get(reverse("community:session_edit", args=[session.public_id])).content
    page = page.decode()
    assert f'action="{url}"' in page and "data-confirm=" in page
    assert client.get(url).status_code == 405  # POST only
    login_verified(client, w.other)
    assert client.post(url).status_code in (403, 404)
    assert Session.objects.filter(pk=session.pk).exists()
    login_verified(client, w.operator_staff)
    response = client.post(url)
    assert response.status_code == 302
    assert response.url == reverse("community:session_list", args=[place.public_id])
    assert not Session.objects.filter(pk=session.pk).exists()
    assert selectors.place_figures(place, start=start, end=end).sessions == 0
    event = AuditEvent.objects.get(action="session.delete")
    assert event.actor == w.operator_staff and event.object_repr == f"session:{session.public_id}"


def test_the_api_deletes_a_tally_for_those_who_may_record_it(w, place):
    session = sa.session_record(actor=w.csw, resource=place, held_on=dt.date(2026, 6, 3))
    url = f"/api/v1/community-sessions/{session.public_id}/"
    api = APIClient()
    api.force_authenticate(w.other)
    assert api.delete(url).status_code in (403, 404)
    assert Session.objects.filter(pk=session.pk).exists()
    api.force_authenticate(w.operator_staff)
    assert api.delete(url).status_code == 204
    assert not Session.objects.exists()
    assert AuditEvent.objects.filter(action="session.delete").count() == 1


def test_the_creator_of_a_place_without_a_csw_sees_record_a_session(client, w):
    """A place registered without 担当CSW: the CSW who registered it may record its sessions
    (the policy's "whoever may edit the place"), so the page offers 「開催を記録」; staff of
    another agency, who may not, are not offered it."""
    login_verified(client, w.csw)
    response = client.post(
        reverse("community:place_create"),
        {
            "name": "駅前サロン",
            "kind": "salon",
            "is_place": "on",
            "status": "active",
            "operator_kind": "residents",
            "schedule": "weekly",
            "area": w.north.pk,
        },
    )
    assert response.status_code == 302
    tally = reverse("community:session_tally", args=[response.url.rstrip("/").split("/")[-1]])
    page = client.get(response.url).content.decode()
    assert f'href="{tally}"' in page and "開催を記録" in page
    login_verified(client, w.other)
    assert f'href="{tally}"' not in client.get(response.url).content.decode()


def test_the_api_refuses_a_count_beyond_the_forms_cap(w, place):
    """2**63 - 1 people in a band was saved and then overflowed every sum of the place (the map,
    the area figures, the place page and its export answered 500)."""
    api = APIClient()
    api.force_authenticate(w.operator_staff)
    body = {"resource": str(place.public_id), "held_on": "2026-06-01"}
    huge = api.post(
        "/api/v1/community-sessions/",
        {**body, "age_70s": 9223372036854775807, "attr_elderly": 10000, "volunteers": 10000},
        format="json",
    )
    assert huge.status_code == 400
    assert set(huge.json()["error"]["fields"]) >= {"age_70s", "attr_elderly", "volunteers"}
    assert not place.sessions.exists()
    ok = api.post("/api/v1/community-sessions/", {**body, "age_70s": 9999}, format="json")
    assert ok.status_code == 201
