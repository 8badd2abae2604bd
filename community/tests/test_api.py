import uuid

import pytest
from rest_framework.test import APIClient

from audit.models import AuditEvent
from community.models import Resource, Session

from .factories import ResourceFactory, VolunteerFactory


@pytest.fixture
def api():
    return APIClient()


def _as(api, user):
    api.force_authenticate(user)
    return api


def test_catalogue_lists_filters_and_creates_through_the_service(api, w):
    ResourceFactory(name="北のサロン", area=w.north, functions=["exchange"])
    ResourceFactory(name="南の食堂", kind="shokudo", area=w.south, functions=["food"])
    response = _as(api, w.other).get("/api/v1/resources/", {"area": "n"})
    assert response.status_code == 200
    assert [r["name"] for r in response.json()["results"]] == ["北のサロン"]
    assert _as(api, w.other).get("/api/v1/resources/", {"function": "food"}).json()["count"] == 1
    body = {
        "name": "畑の居場所",
        "kind": "agri_welfare",
        "is_place": False,
        "area": "n",
        "functions": ["work"],
        "host_experience": ["withdrawal"],
        "interest_tags": ["農作業"],
        "accepts_helpers": True,
    }
    assert _as(api, w.other).post("/api/v1/resources/", body, format="json").status_code == 403
    response = _as(api, w.csw).post("/api/v1/resources/", body, format="json")
    assert response.status_code == 201, response.json()
    created = Resource.objects.get(public_id=response.json()["id"])
    assert created.created_by == w.csw and created.host_experience == ["withdrawal"]
    bad = _as(api, w.csw).post(
        "/api/v1/resources/", {**body, "functions": ["magic"]}, format="json"
    )
    # Errors of list items are named by their position (the API's one error shape).
    assert bad.status_code == 400
    assert any(f.split(".")[0] == "functions" for f in bad.json()["error"]["fields"])


def test_resource_update_needs_the_version_and_refuses_a_stale_one(api, w):
    r = ResourceFactory(operating_agency=w.houjin)
    url = f"/api/v1/resources/{r.public_id}/"
    client = _as(api, w.operator_staff)
    assert client.patch(url, {"capacity": 5}, format="json").status_code == 400
    assert client.patch(url, {"capacity": 5, "version": 1}, format="json").status_code == 200
    response = client.patch(url, {"capacity": 6, "version": 1}, format="json")
    assert response.status_code == 409
    assert (
        _as(api, w.other).patch(url, {"capacity": 7, "version": 2}, format="json").status_code
        == 403
    )


def test_malformed_ids_are_404_in_the_api_shape(api, w):
    response = _as(api, w.csw).get("/api/v1/resources/not-a-uuid/")
    assert response.status_code == 404
    assert _as(api, w.csw).get(f"/api/v1/resources/{uuid.uuid4()}/").status_code == 404


def test_sessions_are_logged_once_per_idempotency_key_by_those_who_may(api, w):
    r = ResourceFactory(operating_agency=w.houjin)
    key = str(uuid.uuid4())
    body = {
        "resource": str(r.public_id),
        "held_on": "2026-06-01",
        "age_70s": 8,
        "attr_elderly": 8,
        "idempotency_key": key,
    }
    assert (
        _as(api, w.other).post("/api/v1/community-sessions/", body, format="json").status_code
        == 403
    )
    first = _as(api, w.operator_staff).post("/api/v1/community-sessions/", body, format="json")
    again = _as(api, w.operator_staff).post("/api/v1/community-sessions/", body, format="json")
    assert first.status_code == 201 and first.json()["participants"] == 8
    assert again.json()["id"] == first.json()["id"]
    assert Session.objects.count() == 1
    listed = _as(api, w.other).get("/api/v1/community-sessions/", {"resource": str(r.public_id)})
    assert listed.json()["count"] == 1


def test_volunteers_api_is_audited_and_closed_to_other_agencies(api, w):
    v = VolunteerFactory(coordinator_agency=w.shakyo)
    assert _as(api, w.other).get("/api/v1/volunteers/").status_code == 403
    assert _as(api, w.admin).get(f"/api/v1/volunteers/{v.public_id}/").status_code in (403, 404)
    response = _as(api, w.csw).get(f"/api/v1/volunteers/{v.public_id}/")
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="volunteer.view").exists()
    assert _as(api, w.csw).get("/api/v1/volunteers/").json()["count"] == 1
    assert AuditEvent.objects.filter(action="volunteer.list").exists()


def test_area_figures_and_issues(api, w):
    ResourceFactory(area=w.north)
    response = _as(api, w.other).get("/api/v1/community-area-figures/")
    assert response.status_code == 200
    by_code = {row["area"]: row for row in response.json()}
    assert by_code["n"]["places"] == 1
    created = _as(api, w.other).post(
        "/api/v1/community-issues/", {"title": "買い物支援がない", "area": "n"}, format="json"
    )
    assert created.status_code == 201
    assert _as(api, w.resident).get("/api/v1/community-issues/").status_code == 403


def test_schema_documents_the_community_api_without_warnings(openapi_schema):
    paths = openapi_schema.schema["paths"]
    assert "/api/v1/resources/" in paths and "/api/v1/community-sessions/" in paths
    assert openapi_schema.issues_in("community/") == []
