"""REST API v1: policy per endpoint, writes through services (audited), optimistic concurrency,
structured errors, token issuance that respects two-factor, and a clean OpenAPI schema."""

import time
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from agencies.choices import Role
from agencies.models import Agency, Membership
from agencies.tests.factories import AgencyFactory, staff
from agencies.tests.utils import login_as
from agencies.tokens import ApiToken
from audit.models import AuditEvent

PASSWORD = "Correct-Horse-42"


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def resident(agency):
    return staff(agency, Role.RESIDENT)


@pytest.fixture
def supervisor(agency):
    return staff(agency, Role.SUPERVISOR)


def as_user(api, user):
    login_as(api, user)
    return api


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]


# --- read access ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/api/v1/agencies/", "/api/v1/areas/", "/api/v1/staff/", "/api/v1/memberships/"]
)
def test_directory_endpoints_for_professionals_only(
    api, path, caseworker, outsider, admin_user, resident
):
    for user in (caseworker, outsider, admin_user):
        api.logout()
        assert as_user(api, user).get(path).status_code == 200
    api.logout()
    assert_error(as_user(api, resident).get(path), 403, "permission_denied")
    api.logout()
    assert_error(api.get(path), 403, "not_authenticated")


def test_staff_record_for_self_colleague_and_admin_not_outsider(
    api, caseworker, colleague, outsider, admin_user
):
    path = f"/api/v1/staff/{caseworker.public_id}/"
    for user, basis in ((caseworker, "self"), (colleague, "same_agency"), (admin_user, "admin")):
        api.logout()
        response = as_user(api, user).get(path)
        assert response.status_code == 200
        assert response.json()["email"] == caseworker.email
        assert AuditEvent.objects.filter(action="staff.view", actor=user, basis=basis).exists()
    api.logout()
    assert_error(as_user(api, outsider).get(path), 403, "permission_denied")
    assert not AuditEvent.objects.filter(action="staff.view", actor=outsider).exists()


def test_staff_directory_has_no_contact_details(api, caseworker, outsider):
    data = as_user(api, outsider).get("/api/v1/staff/").json()["results"]
    entry = next(s for s in data if s["id"] == str(caseworker.public_id))
    assert "email" not in entry and "phone" not in entry
    assert entry["memberships"][0]["role"] == Role.CASEWORKER


def test_not_found_is_structured(api, caseworker):
    as_user(api, caseworker)
    assert_error(api.get("/api/v1/agencies/999999/"), 404, "not_found")
    assert_error(api.get("/api/v1/staff/00000000-0000-0000-0000-000000000000/"), 404, "not_found")


def test_filters(api, caseworker):
    AgencyFactory(name="北の包括", kana="きたのほうかつ", kind="npo")
    as_user(api, caseworker)
    names = [a["name"] for a in api.get("/api/v1/agencies/", {"q": "キタノ"}).json()["results"]]
    assert names == ["北の包括"]
    assert api.get("/api/v1/agencies/", {"kind": "npo"}).json()["count"] == 1
    staff_ids = [
        s["id"] for s in api.get("/api/v1/staff/", {"role": "caseworker"}).json()["results"]
    ]
    assert str(caseworker.public_id) in staff_ids


def test_staff_list_query_count_is_constant(api, admin_user):
    as_user(api, admin_user)
    api.get("/api/v1/staff/")
    for _ in range(3):
        staff(AgencyFactory())
    with CaptureQueriesContext(connection) as few:
        api.get("/api/v1/staff/")
    for _ in range(25):
        staff(AgencyFactory())
    with CaptureQueriesContext(connection) as many:
        api.get("/api/v1/staff/")
    assert len(few) == len(many)


# --- writes -----------------------------------------------------------------------------


def test_admin_creates_agency_through_the_service(api, admin_user):
    response = as_user(api, admin_user).post(
        "/api/v1/agencies/",
        {
            "code": "api-1",
            "name": "API機関",
            "kana": "えーぴーあい",
            "kind": "npo",
            "programmes": ["community"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["version"] == 1
    assert Agency.objects.get(code="api-1").programmes == ["community"]
    assert AuditEvent.objects.filter(action="agency.create", actor=admin_user).exists()


def test_caseworker_cannot_create_agency(api, caseworker):
    response = as_user(api, caseworker).post(
        "/api/v1/agencies/", {"code": "x", "name": "x", "kana": "x", "kind": "npo"}, format="json"
    )
    assert_error(response, 403, "permission_denied")
    assert not Agency.objects.filter(code="x").exists()


def test_invalid_input_is_a_structured_400_with_fields(api, admin_user, agency):
    response = as_user(api, admin_user).post(
        "/api/v1/agencies/",
        {"code": agency.code, "kind": "spaceship", "programmes": ["nope"]},
        format="json",
    )
    error = assert_error(response, 400, "invalid")
    assert {"code", "name", "kana", "kind", "programmes.0"} <= set(error["fields"])


def test_update_needs_the_current_version(api, admin_user, agency):
    as_user(api, admin_user)
    path = f"/api/v1/agencies/{agency.pk}/"
    error = assert_error(api.patch(path, {"phone": "1"}, format="json"), 400, "invalid")
    assert "version" in error["fields"]
    assert api.patch(path, {"phone": "03-1", "version": 1}, format="json").json()["version"] == 2
    assert_error(api.patch(path, {"phone": "03-2", "version": 1}, format="json"), 409, "conflict")
    agency.refresh_from_db()
    assert agency.phone == "03-1"


def test_supervisor_patches_contact_but_not_kind(api, supervisor, agency, other_agency):
    as_user(api, supervisor)
    assert (
        api.patch(
            f"/api/v1/agencies/{agency.pk}/", {"phone": "9", "version": 1}, format="json"
        ).status_code
        == 200
    )
    assert_error(
        api.patch(f"/api/v1/agencies/{agency.pk}/", {"kind": "npo", "version": 2}, format="json"),
        403,
        "permission_denied",
    )
    assert_error(
        api.patch(
            f"/api/v1/agencies/{other_agency.pk}/", {"phone": "9", "version": 1}, format="json"
        ),
        403,
        "permission_denied",
    )


def test_set_active_endpoints(api, admin_user, agency, caseworker):
    as_user(api, admin_user)
    response = api.post(
        f"/api/v1/agencies/{agency.pk}/set-active/", {"active": False, "version": 1}, format="json"
    )
    assert response.status_code == 200 and response.json()["active"] is False
    response = api.post(
        f"/api/v1/staff/{caseworker.public_id}/set-active/",
        {"active": False, "version": 1, "end_memberships_on": timezone.localdate().isoformat()},
        format="json",
    )
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert Membership.objects.get(user=caseworker).end_date == timezone.localdate()


def test_staff_create_and_self_update(api, admin_user, caseworker):
    response = as_user(api, admin_user).post(
        "/api/v1/staff/",
        {"username": "api-user", "display_name": "API 利用者", "language": "ja"},
        format="json",
    )
    assert response.status_code == 201, response.content
    api.logout()
    as_user(api, caseworker)
    path = f"/api/v1/staff/{caseworker.public_id}/"
    assert api.patch(path, {"phone": "090", "version": 1}, format="json").status_code == 200
    assert_error(
        api.patch(path, {"username": "root", "version": 2}, format="json"), 403, "permission_denied"
    )


def test_membership_start_end_and_transfer(api, admin_user, caseworker, agency, other_agency):
    as_user(api, admin_user)
    response = api.post(
        "/api/v1/memberships/",
        {"staff": str(caseworker.public_id), "agency": other_agency.code, "role": "csw"},
        format="json",
    )
    assert response.status_code == 201, response.content
    new_id = response.json()["id"]
    end = timezone.localdate() + timedelta(days=10)
    assert (
        api.post(
            f"/api/v1/memberships/{new_id}/end/", {"end_date": end.isoformat()}, format="json"
        ).json()["end_date"]
        == end.isoformat()
    )
    old = Membership.objects.get(user=caseworker, agency=agency)
    transfer = date(timezone.localdate().year + 1, 4, 1)
    response = api.post(
        f"/api/v1/memberships/{old.pk}/transfer/",
        {"to_agency": other_agency.code, "transfer_date": transfer.isoformat()},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["start_date"] == transfer.isoformat()
    old.refresh_from_db()
    assert old.end_date == transfer - timedelta(days=1)
    bad = api.post(f"/api/v1/memberships/{old.pk}/end/", {"end_date": "2000-01-01"}, format="json")
    assert_error(bad, 400, "invalid")


def test_caseworker_cannot_manage_memberships(api, caseworker, other_agency):
    as_user(api, caseworker)
    response = api.post(
        "/api/v1/memberships/",
        {"staff": str(caseworker.public_id), "agency": other_agency.code, "role": "admin"},
        format="json",
    )
    assert_error(response, 403, "permission_denied")
    m = Membership.objects.get(user=caseworker)
    assert_error(
        api.post(f"/api/v1/memberships/{m.pk}/end/", {"end_date": "2030-01-01"}, format="json"),
        403,
        "permission_denied",
    )


def test_professionals_see_current_memberships_and_their_own_history(api, caseworker, colleague):
    old = Membership.objects.create(
        user=colleague,
        agency=AgencyFactory(),
        role="csw",
        start_date=date(2020, 4, 1),
        end_date=date(2021, 3, 31),
    )
    ids = {m["id"] for m in as_user(api, caseworker).get("/api/v1/memberships/").json()["results"]}
    assert old.pk not in ids
    assert Membership.objects.get(user=colleague, end_date__isnull=True).pk in ids


# --- token ------------------------------------------------------------------------------


def test_token_by_password_for_a_caseworker(api, caseworker):
    response = api.post(
        "/api/v1/auth/token/",
        {"username": caseworker.username, "password": PASSWORD},
        format="json",
    )
    assert response.status_code == 201, response.content
    token = response.json()["token"]
    fresh = APIClient()
    fresh.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert fresh.get("/api/v1/agencies/").status_code == 200


def test_token_with_wrong_password_or_unknown_user_answers_the_same(api, caseworker):
    a = api.post(
        "/api/v1/auth/token/", {"username": caseworker.username, "password": "wrong"}, format="json"
    )
    b = api.post("/api/v1/auth/token/", {"username": "nobody", "password": "wrong"}, format="json")
    assert assert_error(a, 400, "invalid_credentials") == assert_error(
        b, 400, "invalid_credentials"
    )
    assert not ApiToken.objects.exists()


def test_supervisor_gets_no_token_by_password_alone(api, supervisor):
    device = TOTPDevice.objects.create(user=supervisor, name="app", confirmed=True)
    creds = {"username": supervisor.username, "password": PASSWORD}
    assert_error(api.post("/api/v1/auth/token/", creds, format="json"), 403, "otp_required")
    assert_error(
        api.post("/api/v1/auth/token/", {**creds, "otp_token": "000000"}, format="json"),
        403,
        "otp_required",
    )
    assert not ApiToken.objects.filter(user=supervisor).active().exists()
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    response = api.post(
        "/api/v1/auth/token/", {**creds, "otp_token": f"{totp.token():06d}"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert ApiToken.objects.filter(user=supervisor).active().exists()


def test_supervisor_without_device_gets_no_token(api, supervisor):
    response = api.post(
        "/api/v1/auth/token/",
        {"username": supervisor.username, "password": PASSWORD},
        format="json",
    )
    assert_error(response, 403, "otp_required")


def test_token_from_session(api, caseworker):
    api = APIClient(enforce_csrf_checks=False)
    as_user(api, caseworker)
    response = api.post("/api/v1/auth/token/", {}, format="json")
    assert response.status_code == 201
    assert response.json()["staff"] == str(caseworker.public_id)


def test_resident_gets_no_token(api, resident):
    response = api.post(
        "/api/v1/auth/token/", {"username": resident.username, "password": PASSWORD}, format="json"
    )
    assert_error(response, 403, "permission_denied")


def test_anonymous_token_request_without_credentials_is_a_400(api, db):
    assert_error(api.post("/api/v1/auth/token/", {}, format="json"), 400, "invalid")


# --- schema -----------------------------------------------------------------------------


def test_openapi_schema_has_agency_endpoints_without_warnings(openapi_schema):
    # The whole schema is validated in tests/test_openapi.py.
    for path in [
        "/api/v1/agencies/",
        "/api/v1/areas/",
        "/api/v1/staff/{id}/",
        "/api/v1/memberships/{id}/transfer/",
        "/api/v1/auth/token/",
    ]:
        assert path in openapi_schema.schema["paths"], path
    assert openapi_schema.issues_in("agencies/", "audit/") == []
