"""The outreach API: same rules as the pages, structured errors, idempotent contact logging."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from outreach.models import OutreachContact

from .factories import log_contact


@pytest.fixture
def api():
    return APIClient()


def _contact_body(staff, key=None):
    return {
        "kind": "home_visit",
        "occurred_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
        "minutes": 30,
        "staff": [str(u.public_id) for u in staff],
        "professionals": ["visiting_nurse"],
        "counterpart": "person",
        "outcome": "met",
        "content": "玄関先で話せた",
        "idempotency_key": str(key or uuid.uuid4()),
    }


def test_list_and_detail_for_the_agency(api, csw, target):
    api.force_authenticate(csw)
    response = api.get("/api/v1/outreach/targets/")
    assert response.status_code == 200
    assert [r["number"] for r in response.json()["results"]] == [target.number]
    detail = api.get(f"/api/v1/outreach/targets/{target.public_id}/")
    assert detail.status_code == 200 and detail.json()["stage"] == "discovered"


def test_outsider_gets_403_on_the_list_and_404_on_the_target(api, outsider, target):
    """Without outreach work the list is refused, as on the pages (outreach.list)."""
    api.force_authenticate(outsider)
    assert api.get("/api/v1/outreach/targets/").status_code == 403
    response = api.get(f"/api/v1/outreach/targets/{target.public_id}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    post = api.post(
        f"/api/v1/outreach/targets/{target.public_id}/contacts/",
        _contact_body([outsider]),
        format="json",
    )
    assert post.status_code == 404


def test_create_target_validates_in_japanese(api, csw, shakyo):
    api.force_authenticate(csw)
    response = api.post(
        "/api/v1/outreach/targets/", {"agency": shakyo.code, "source": "minsei"}, format="json"
    )
    assert response.status_code == 400
    assert "worry" in response.json()["error"]["fields"]
    ok = api.post(
        "/api/v1/outreach/targets/",
        {"agency": shakyo.code, "source": "minsei", "worry": "姿を見ない", "informant": "民生委員"},
        format="json",
    )
    assert ok.status_code == 201, ok.json()


def test_outsider_cannot_create_for_the_agency(api, outsider, shakyo):
    api.force_authenticate(outsider)
    response = api.post(
        "/api/v1/outreach/targets/",
        {"agency": shakyo.code, "source": "minsei", "worry": "x", "informant": "y"},
        format="json",
    )
    assert response.status_code == 403


def test_contact_replay_with_the_same_key_keeps_one(api, csw, csw2, target):
    api.force_authenticate(csw)
    body = _contact_body([csw, csw2])
    url = f"/api/v1/outreach/targets/{target.public_id}/contacts/"
    first = api.post(url, body, format="json")
    again = api.post(url, body, format="json")
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["public_id"] == again.json()["public_id"]
    assert OutreachContact.objects.count() == 1


def test_transition_and_conflict(api, csw, target):
    api.force_authenticate(csw)
    url = f"/api/v1/outreach/targets/{target.public_id}/transition/"
    ok = api.post(
        url, {"to_stage": "preparing", "reason": "民生委員と相談", "version": 1}, format="json"
    )
    assert ok.status_code == 201
    stale = api.post(url, {"to_stage": "relating", "reason": "x", "version": 1}, format="json")
    assert stale.status_code == 409
    bad = api.post(url, {"to_stage": "closed", "reason": "x", "version": 2}, format="json")
    assert bad.status_code == 400 and "closure_reason" in bad.json()["error"]["fields"]


def test_malformed_id_is_404(api, csw):
    api.force_authenticate(csw)
    assert api.get("/api/v1/outreach/targets/not-a-uuid/").status_code == 404


def test_counts(api, csw, csw2, target, admin_user, outsider):
    log_contact(csw, target, staff=[csw, csw2], professionals=["visiting_nurse"])
    api.force_authenticate(csw)
    counts = api.get("/api/v1/outreach/counts/").json()
    assert counts["visits"] == 1 and counts["staff_visits"] == 2
    assert counts["targets_with_nurse"] == 1
    api.force_authenticate(outsider)
    assert api.get("/api/v1/outreach/counts/").status_code == 403


def test_visits_list_checks_dates(api, csw, target):
    api.force_authenticate(csw)
    assert api.get("/api/v1/outreach/visits/?start=nope").status_code == 400
    assert api.get("/api/v1/outreach/visits/").status_code == 200


def test_schema_documents_outreach(openapi_schema):
    paths = openapi_schema.schema["paths"]
    assert "/api/v1/outreach/targets/{public_id}/contacts/" in paths
    assert "/api/v1/outreach/counts/" in paths
    assert openapi_schema.issues_in("outreach/") == []
