"""REST API of the intake side: same services and policy as the pages; 409 on state conflicts."""

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from agencies.choices import Role
from agencies.tests.factories import staff
from audit.models import AuditEvent
from cases.models import ConcernSlip, Consultation, Referral, SupportCase
from cases.services import intake as s
from cases.tests.factories import ConcernSlipFactory, ConsultationFactory, IntakeWorld

BASE = "/api/v1"


@pytest.fixture
def w(db):
    return IntakeWorld()


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- consultations ----------------------------------------------------------------------------


def test_consultation_create_list_retrieve_update(w):
    client = api(w.worker)
    payload = {
        "agency": w.sender.pk,
        "route": "phone",
        "consulter_kind": "family",
        "person": str(w.person.public_id),
        "household": str(w.household.public_id),
        "categories": ["8050", "hikikomori"],
        "summary": "相談",
        "outcome": "multiagency",
        "idempotency_key": str(uuid.uuid4()),
    }
    created = client.post(f"{BASE}/consultations/", payload, format="json")
    assert created.status_code == 201, created.json()
    again = client.post(f"{BASE}/consultations/", payload, format="json")
    assert again.json()["public_id"] == created.json()["public_id"]
    assert Consultation.objects.count() == 1
    pid = created.json()["public_id"]
    detail = client.get(f"{BASE}/consultations/{pid}/")
    assert detail.status_code == 200 and sorted(detail.json()["categories"]) == [
        "8050",
        "hikikomori",
    ]
    assert AuditEvent.objects.filter(action="consultation.view").exists()
    patched = client.patch(
        f"{BASE}/consultations/{pid}/", {"outcome": "info", "version": 1}, format="json"
    )
    assert (
        patched.status_code == 200
        and patched.json()["outcome"] == "info"
        and patched.json()["version"] == 2
    )
    stale = client.patch(
        f"{BASE}/consultations/{pid}/", {"outcome": "own", "version": 1}, format="json"
    )
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "stale_version"
    assert client.get(f"{BASE}/consultations/?route=phone").json()["count"] == 1
    assert client.get(f"{BASE}/consultations/?route=raisho").json()["count"] == 0


def test_consultation_three_users(w):
    c = ConsultationFactory(agency=w.sender, staff=w.worker)
    url = f"{BASE}/consultations/{c.public_id}/"
    assert api(w.worker).get(url).status_code == 200
    assert api(w.colleague).get(url).status_code == 200
    assert api(w.outsider).get(url).status_code == 404
    assert api(w.outsider).get(f"{BASE}/consultations/").json()["count"] == 0


def test_consultation_validation_errors_are_structured(w):
    response = api(w.worker).post(
        f"{BASE}/consultations/",
        {
            "agency": w.sender.pk,
            "route": "phone",
            "consulter_kind": "self",
            "categories": ["8050"],
            "summary": "x",
            "outcome": "own",
            "received_at": (timezone.now() + dt.timedelta(days=2)).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 400
    assert "未来" in response.json()["error"]["fields"]["received_at"][0]


def test_outsider_cannot_create_consultation_at_other_agency(w):
    response = api(w.outsider).post(
        f"{BASE}/consultations/",
        {
            "agency": w.sender.pk,
            "route": "phone",
            "consulter_kind": "self",
            "categories": ["8050"],
            "summary": "x",
            "outcome": "own",
        },
        format="json",
    )
    assert response.status_code == 403


# --- referrals --------------------------------------------------------------------------------


def _create_payload(w, **overrides):
    data = {
        "to_agency": w.receiver.pk,
        "variant": "with_consent",
        "person": str(w.person.public_id),
        "household": str(w.household.public_id),
        "consent": str(w.consent.public_id),
        "triggers": ["complex"],
        "person_says": "つらい",
        "urgency": "urgent",
    }
    data.update(overrides)
    return data


def test_referral_full_flow_through_api(w):
    sender, coordinator = api(w.worker), api(w.coordinator)
    created = sender.post(f"{BASE}/referrals/", _create_payload(w), format="json")
    assert created.status_code == 201, created.json()
    pid = created.json()["public_id"]
    assert created.json()["status"] == "draft"
    assert coordinator.get(f"{BASE}/referrals/{pid}/").status_code == 404  # drafts are the sender's
    sent = sender.post(f"{BASE}/referrals/{pid}/send/")
    assert sent.status_code == 200 and sent.json()["status"] == "sent"
    opened = coordinator.post(f"{BASE}/referrals/{pid}/open/")
    assert opened.json()["status"] == "opened"
    asked = coordinator.post(
        f"{BASE}/referrals/{pid}/request-info/", {"question": "収入は?"}, format="json"
    )
    assert asked.json()["status"] == "info_requested"
    answered = sender.post(f"{BASE}/referrals/{pid}/answer/", {"answer": "年金"}, format="json")
    assert answered.json()["status"] == "sent"
    assigned = coordinator.post(
        f"{BASE}/referrals/{pid}/assign/", {"assignee": w.receiver_staff.pk}, format="json"
    )
    assert assigned.json()["assignee"] == w.receiver_staff.pk
    accepted = coordinator.post(f"{BASE}/referrals/{pid}/accept/", {"note": "受理"}, format="json")
    assert accepted.status_code == 200
    body = accepted.json()
    assert (
        body["status"] == "accepted" and body["case"]["number"] == SupportCase.objects.get().number
    )
    timeline = sender.get(f"{BASE}/referrals/{pid}/").json()["events"]
    assert [e["kind"] for e in timeline] == [
        "created",
        "sent",
        "opened",
        "info_requested",
        "info_answered",
        "assigned",
        "accepted",
    ]


def test_state_conflict_is_409_with_structured_error(w):
    r = w.opened()
    s.referral_accept(actor=w.coordinator, referral=r)
    response = api(w.coordinator).post(
        f"{BASE}/referrals/{r.public_id}/return/", {"reason": "r", "next_step": "n"}, format="json"
    )
    assert response.status_code == 409
    error = response.json()["error"]
    assert (
        error["code"] == "conflict"
        and error["current_status"] == "accepted"
        and "受理" in error["message"]
    )


def test_consent_lapsed_accept_is_409_with_options(w):
    r = w.opened()
    w.consent.withdrawn_at = timezone.now() - dt.timedelta(minutes=1)
    w.consent.save()
    response = api(w.coordinator).post(f"{BASE}/referrals/{r.public_id}/accept/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "consent_lapsed"
    assert set(response.json()["error"]["options"]) == {"return", "convert"}
    converted = api(w.coordinator).post(
        f"{BASE}/referrals/{r.public_id}/convert/", {}, format="json"
    )
    assert converted.json()["variant"] == "without_consent"


def test_return_without_reason_is_400_with_japanese_field_errors(w):
    r = w.opened()
    response = api(w.coordinator).post(f"{BASE}/referrals/{r.public_id}/return/", {}, format="json")
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert "差し戻しの理由" in fields["reason"][0] and "next_step" in fields


def test_inactive_agency_is_400(w):
    w.receiver.active = False
    w.receiver.save()
    response = api(w.worker).post(f"{BASE}/referrals/", _create_payload(w), format="json")
    assert response.status_code == 400
    assert "無効" in response.json()["error"]["fields"]["to_agency"][0]


def test_actions_three_users(w):
    r = w.sent()
    url = f"{BASE}/referrals/{r.public_id}/accept/"
    assert api(w.worker).post(url, {}, format="json").status_code == 403
    assert api(w.receiver_staff).post(url, {}, format="json").status_code == 403
    assert api(w.outsider).post(url, {}, format="json").status_code == 404
    assert (
        api(w.outsider)
        .post(f"{BASE}/referrals/{r.public_id}/withdraw/", {"reason": "x"}, format="json")
        .status_code
        == 404
    )
    r.refresh_from_db()
    assert r.status == "sent"


def test_retrieve_sections_follow_policy(w):
    r = w.sent(variant="without_consent", consent=None, meeting_summary="概要")
    receiver_view = api(w.coordinator).get(f"{BASE}/referrals/{r.public_id}/").json()
    assert receiver_view["meeting_summary"] == "概要"
    assert (
        "person" not in receiver_view
        and "person_says" not in receiver_view
        and "events" not in receiver_view
    )
    sender_view = api(w.worker).get(f"{BASE}/referrals/{r.public_id}/").json()
    assert sender_view["person"]["name"] == w.person.full_name and sender_view["person_says"]


def test_inbox_and_sent_boxes(w):
    w.sent()
    w.draft()
    assert api(w.coordinator).get(f"{BASE}/referrals/?box=inbox").json()["count"] == 1
    assert api(w.worker).get(f"{BASE}/referrals/?box=sent").json()["count"] == 2
    assert api(w.outsider).get(f"{BASE}/referrals/").json()["count"] == 0


def test_referral_list_query_count(w, django_assert_max_num_queries):
    for _ in range(15):
        w.sent()
    client = api(w.coordinator)
    with django_assert_max_num_queries(8):
        response = client.get(f"{BASE}/referrals/?box=inbox")
    assert response.json()["count"] == 15


def test_consultation_list_query_count_does_not_grow_with_rows(w, django_assert_max_num_queries):
    """Each row names its person and household: they come with the rows, not one query each."""

    def add(n):
        for _ in range(n):
            ConsultationFactory(
                agency=w.sender, staff=w.worker, person=w.person, household=w.household
            )

    client = api(w.worker)
    add(2)

    with CaptureQueriesContext(connection) as few:
        assert client.get(f"{BASE}/consultations/").json()["count"] == 2
    baseline = len(few.captured_queries)
    add(18)
    with django_assert_max_num_queries(baseline):
        response = client.get(f"{BASE}/consultations/")
    assert response.json()["count"] == 20
    assert {row["person"] for row in response.json()["results"]} == {str(w.person.public_id)}


def test_double_submit_through_api(w):
    key = str(uuid.uuid4())
    client = api(w.worker)
    a = client.post(f"{BASE}/referrals/", _create_payload(w, idempotency_key=key), format="json")
    b = client.post(f"{BASE}/referrals/", _create_payload(w, idempotency_key=key), format="json")
    assert a.json()["public_id"] == b.json()["public_id"]
    assert Referral.objects.count() == 1


# --- concern slips ----------------------------------------------------------------------------


@pytest.fixture
def slip_world(db):
    from agencies.choices import AgencyKind
    from agencies.tests.factories import AgencyFactory

    shakyo = AgencyFactory(kind=AgencyKind.SHAKYO)
    resident = staff(shakyo, Role.RESIDENT)
    csw = staff(shakyo, Role.CSW)
    other_resident = staff(shakyo, Role.RESIDENT)
    outsider = staff(AgencyFactory(), Role.CASEWORKER)
    return shakyo, resident, csw, other_resident, outsider


def test_slip_api_resident_submits_and_sees_only_status(slip_world):
    shakyo, resident, csw, other_resident, outsider = slip_world
    created = api(resident).post(
        f"{BASE}/concern-slips/",
        {
            "to_agency": shakyo.pk,
            "subject_description": "角の家の男性",
            "noticed": "新聞がたまっている",
        },
        format="json",
    )
    assert created.status_code == 201
    pid = created.json()["public_id"]
    handled = api(csw).post(
        f"{BASE}/concern-slips/{pid}/set-status/",
        {"status": "handling", "note": "訪問予定"},
        format="json",
    )
    assert handled.status_code == 200 and handled.json()["handling_note"].endswith("訪問予定")
    mine = api(resident).get(f"{BASE}/concern-slips/{pid}/").json()
    assert mine["status_label"] == "対応中" and "handling_note" not in mine
    assert api(other_resident).get(f"{BASE}/concern-slips/{pid}/").status_code == 404
    assert api(outsider).get(f"{BASE}/concern-slips/{pid}/").status_code == 404
    assert api(resident).post(
        f"{BASE}/concern-slips/{pid}/set-status/", {"status": "closed"}, format="json"
    ).status_code in (403, 404)


def test_slip_api_staff_cannot_submit(slip_world):
    shakyo, _resident, csw, *_ = slip_world
    response = api(csw).post(
        f"{BASE}/concern-slips/",
        {"to_agency": shakyo.pk, "subject_description": "x", "noticed": "y"},
        format="json",
    )
    assert response.status_code == 403


def test_slip_api_lists(slip_world):
    shakyo, resident, csw, other_resident, outsider = slip_world
    ConcernSlipFactory(submitted_by=resident, to_agency=shakyo)
    ConcernSlipFactory(submitted_by=other_resident, to_agency=shakyo)
    assert api(resident).get(f"{BASE}/concern-slips/").json()["count"] == 1
    assert api(csw).get(f"{BASE}/concern-slips/").json()["count"] == 2
    assert api(outsider).get(f"{BASE}/concern-slips/").json()["count"] == 0
    assert ConcernSlip.objects.count() == 2
