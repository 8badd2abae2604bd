"""REST API of the 多機関協働 case: the same policy and services as the HTML views."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from agencies.choices import Role
from agencies.tests.factories import AgencyFactory, staff
from audit.models import AuditEvent
from cases.models import Plan, SupportCase
from cases.services import support as s
from cases.tests.factories import (
    MEETING_ITEM,
    ConsentFactory,
    case_with_approved_plan,
    household_with_members,
    open_case,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(body):
    return staff(body, Role.CASEWORKER)


@pytest.fixture
def outsider():
    return staff(AgencyFactory(), Role.COORDINATOR)


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def case(owner, body):
    c, _plan = case_with_approved_plan(coordinator=owner, agency=body)
    return c


@pytest.mark.parametrize(
    "path",
    [
        "support-cases/{id}/",
        "support-cases/{id}/transitions/",
        "support-cases/{id}/team/",
        "assessments/?case={id}",
        "plans/?case={id}",
        "monitoring/?case={id}",
        "evaluations/?case={id}",
        "activity-notes/?case={id}",
    ],
)
def test_three_users_on_read_endpoints(case, owner, colleague, outsider, path):
    url = "/api/v1/" + path.format(id=case.public_id)
    assert api(owner).get(url).status_code == 200
    assert api(colleague).get(url).status_code == 200
    response = api(outsider).get(url)
    assert response.status_code == 404
    assert "error" in response.json()


def test_case_list_contains_only_visible_cases(case, owner, outsider):
    assert [c["number"] for c in api(owner).get("/api/v1/support-cases/").json()["results"]] == [
        case.number
    ]
    assert api(outsider).get("/api/v1/support-cases/").json()["results"] == []


def test_create_case_and_walk_to_closure_through_the_api(body, owner):
    household, persons = household_with_members(body)
    partner = AgencyFactory()
    c = api(owner)
    r = c.post(
        "/api/v1/support-cases/",
        {
            "household": str(household.public_id),
            "coordinating_agency": body.code,
            "principal": str(persons[0].public_id),
            "summary": "API",
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    case_id = r.json()["public_id"]
    created = SupportCase.objects.get(public_id=case_id)
    ConsentFactory(person=created.principal, agencies=[body, partner])
    r = c.post("/api/v1/assessments/", {"case": case_id}, format="json")
    assert r.status_code == 201
    a = r.json()
    r = c.patch(
        f"/api/v1/assessments/{a['public_id']}/",
        {
            "lock_version": a["lock_version"],
            "view": "見立て",
            "issues": [{"person": str(persons[1].public_id), "category": "kaigo"}],
        },
        format="json",
    )
    assert r.status_code == 200, r.json()
    assert r.json()["issues"][0]["category"] == "kaigo"
    r = c.post("/api/v1/plans/", {"case": case_id}, format="json")
    plan = r.json()
    today = timezone.localdate()
    r = c.patch(
        f"/api/v1/plans/{plan['public_id']}/",
        {
            "lock_version": plan["lock_version"],
            "overall_goal": "g",
            "period_start": today.isoformat(),
            "period_end": (today + dt.timedelta(days=60)).isoformat(),
            "items": [{"issue": "i", "goal": "g", "action": "a", "agency": partner.code}],
        },
        format="json",
    )
    assert r.status_code == 200, r.json()
    assert c.post(f"/api/v1/plans/{plan['public_id']}/submit/").status_code == 200
    # No approval outside a meeting: the endpoint does not exist; the meeting decides.
    r = c.post(
        f"/api/v1/plans/{plan['public_id']}/approve/",
        {"decided_on": today.isoformat()},
        format="json",
    )
    assert r.status_code == 404
    s.plan_approve(
        plan=Plan.objects.get(public_id=plan["public_id"]),
        actor=owner,
        decided_on=today,
        via_item=MEETING_ITEM,
    )
    r = c.get(f"/api/v1/plans/{plan['public_id']}/")
    assert r.json()["status"] == "approved"
    item_id = r.json()["items"][0]["id"]
    r = c.post(
        "/api/v1/monitoring/",
        {
            "item": item_id,
            "progress": "on_track",
            "next_on": (today + dt.timedelta(days=14)).isoformat(),
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    r = c.post("/api/v1/evaluations/", {"case": case_id}, format="json")
    ev = r.json()
    r = c.patch(
        f"/api/v1/evaluations/{ev['public_id']}/",
        {
            "lock_version": ev["lock_version"],
            "overall": "見通しがついた",
            "proposed_decision": "close",
            "items": [{"id": ev["items"][0]["id"], "achievement": "achieved"}],
        },
        format="json",
    )
    assert r.status_code == 200, r.json()
    assert c.post(f"/api/v1/evaluations/{ev['public_id']}/ready/").status_code == 200
    r = c.post(
        f"/api/v1/evaluations/{ev['public_id']}/decide/",
        {"decided_on": today.isoformat(), "decision": "close", "lead_agency": partner.code},
        format="json",
    )
    assert r.status_code == 404
    assert SupportCase.objects.get(public_id=case_id).status == "evaluation"


def test_stale_lock_version_answers_409_with_saved_version(body, owner, colleague):
    case = open_case(coordinator=owner, agency=body)
    a = s.assessment_create(case=case, actor=owner)
    api(colleague).patch(
        f"/api/v1/assessments/{a.public_id}/",
        {"lock_version": a.lock_version, "view": "先"},
        format="json",
    )
    r = api(owner).patch(
        f"/api/v1/assessments/{a.public_id}/",
        {"lock_version": a.lock_version, "view": "後"},
        format="json",
    )
    assert r.status_code == 409
    assert r.json()["error"]["current"]["view"] == "先"
    a.refresh_from_db()
    assert a.view == "先"


def test_outsider_cannot_write(case, outsider):
    r = api(outsider).post(
        "/api/v1/activity-notes/",
        {"case": str(case.public_id), "kind": "phone", "content": "x"},
        format="json",
    )
    assert r.status_code == 404
    r = api(outsider).post("/api/v1/assessments/", {"case": str(case.public_id)}, format="json")
    assert r.status_code == 404


def test_no_plan_approval_without_a_meeting_in_the_api(case, colleague, owner):
    plan = s.plan_create(case=case, actor=owner, programme="participation")
    for user in (colleague, owner):
        r = api(user).post(
            f"/api/v1/plans/{plan.public_id}/approve/",
            {"decided_on": timezone.localdate().isoformat()},
            format="json",
        )
        assert r.status_code == 404
    plan.refresh_from_db()
    assert plan.status == Plan.Status.DRAFT


def test_note_upload_checks_type(case, owner):
    bad = SimpleUploadedFile("a.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    r = api(owner).post(
        "/api/v1/activity-notes/",
        {"case": str(case.public_id), "kind": "visit", "content": "訪問", "files": [bad]},
        format="multipart",
    )
    assert r.status_code == 400
    assert case.notes.count() == 0
    good = SimpleUploadedFile("memo.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    r = api(owner).post(
        "/api/v1/activity-notes/",
        {"case": str(case.public_id), "kind": "visit", "content": "訪問", "files": [good]},
        format="multipart",
    )
    assert r.status_code == 201, r.json()
    assert r.json()["attachments"][0]["type"] == "pdf"
    note_id = r.json()["public_id"]
    assert api(owner).get(f"/api/v1/activity-notes/{note_id}/").status_code == 200
    assert AuditEvent.objects.filter(action="note.view", actor=owner).exists()


def test_openapi_schema_has_support_endpoints_without_warnings(openapi_schema):
    # The whole schema is validated in tests/test_openapi.py.
    for path in [
        "/api/v1/support-cases/",
        "/api/v1/support-cases/{public_id}/transition/",
        "/api/v1/activity-notes/",
    ]:
        assert path in openapi_schema.schema["paths"], path
    # Decisions are made by meetings only (POST /api/v1/agenda-items/{public_id}/decision/).
    assert "/api/v1/plans/{public_id}/approve/" not in openapi_schema.schema["paths"]
    assert "/api/v1/evaluations/{public_id}/decide/" not in openapi_schema.schema["paths"]
    assert openapi_schema.issues_in("cases/api/support.py") == []


def test_case_and_note_api_lists_keep_query_count_constant(
    body, owner, django_assert_max_num_queries
):
    case, _plan = case_with_approved_plan(coordinator=owner, agency=body)
    client = api(owner)
    notes_url = f"/api/v1/activity-notes/?case={case.public_id}"
    s.note_create(case=case, actor=owner, kind="phone", content="電話")
    client.get("/api/v1/support-cases/")
    with django_assert_max_num_queries(20) as cases_small:
        client.get("/api/v1/support-cases/")
    with django_assert_max_num_queries(20) as notes_small:
        client.get(notes_url)
    for n in range(6):
        open_case(coordinator=owner, agency=body)
        s.note_create(case=case, actor=owner, kind="phone", content=f"電話{n}")
    with django_assert_max_num_queries(len(cases_small.captured_queries)):
        response = client.get("/api/v1/support-cases/")
    assert response.json()["count"] == 7
    with django_assert_max_num_queries(len(notes_small.captured_queries)):
        response = client.get(notes_url)
    assert len(response.json()["results"]) == 7


def test_case_list_answers_persons_and_next_cases_from_the_prefetched_lists(body, owner):
    """agencies.api_listed: the list keeps each row's persons and next cases in plain lists
    (no related manager a row) and the fields answer from them; a case without them (one case,
    a case just created) answers from its managers, the same keys."""
    from cases.api.support import CaseSerializer, _listed

    first = open_case(coordinator=owner, agency=body)
    nxt = open_case(coordinator=owner, agency=body)
    SupportCase.objects.filter(pk=nxt.pk).update(previous_case=first)
    persons = [str(p.public_id) for p in first.persons.all()]
    assert persons
    (row,) = _listed(SupportCase.objects.filter(pk=first.pk))
    assert [str(p.public_id) for p in row.persons_listed] == persons
    assert "persons" not in getattr(row, "_prefetched_objects_cache", {})

    def keys(data, name):
        return [str(key) for key in data[name]]

    listed = CaseSerializer([row], many=True).data[0]
    assert keys(listed, "persons") == persons
    assert keys(listed, "next_cases") == [str(nxt.public_id)]
    single = CaseSerializer(SupportCase.objects.get(pk=first.pk)).data
    assert keys(single, "persons") == persons
    assert keys(single, "next_cases") == [str(nxt.public_id)]
    row.persons_listed = []  # the list, not the manager, is what the field reads
    assert CaseSerializer([row], many=True).data[0]["persons"] == []


def test_case_list_shows_related_keys_without_reading_personal_columns(
    body, owner, django_assert_max_num_queries
):
    """Each row names its household, 本人, persons, agencies and the cases before and after it by
    key, at the same number of queries however many cases follow one another; the list does
    not read 本人's or the persons' personal columns."""
    first = open_case(coordinator=owner, agency=body)
    client = api(owner)
    client.get("/api/v1/support-cases/")
    with django_assert_max_num_queries(20) as one:
        client.get("/api/v1/support-cases/")
    later = []
    for _ in range(4):
        nxt = open_case(coordinator=owner, agency=body)
        SupportCase.objects.filter(pk=nxt.pk).update(previous_case=first)
        later.append(nxt)
    with django_assert_max_num_queries(len(one.captured_queries)) as many:
        response = client.get("/api/v1/support-cases/")
    rows = {r["public_id"]: r for r in response.json()["results"]}
    assert set(rows[str(first.public_id)]["next_cases"]) == {str(c.public_id) for c in later}
    for case in later:
        row = rows[str(case.public_id)]
        assert row["previous_case"] == str(first.public_id)
        assert row["household"] == str(case.household.public_id)
        assert row["principal"] == str(case.principal.public_id)
        assert row["persons"] == [str(p.public_id) for p in case.persons.all()]
        assert row["coordinating_agency"] == case.coordinating_agency.code
    listed = "\n".join(q["sql"] for q in many.captured_queries)
    assert '"cases_person"."family_name"' not in listed


def test_assessment_rows_without_their_choice_answer_400_at_the_row_field(body, owner):
    case = open_case(coordinator=owner, agency=body)
    a = s.assessment_create(case=case, actor=owner)
    url = f"/api/v1/assessments/{a.public_id}/"
    r = api(owner).patch(
        url,
        {
            "lock_version": a.lock_version,
            "issues": [
                {"category": "shuro", "note": "就労収入なし"},
                {"category": "", "note": "年金のみで家計が逼迫"},
            ],
            "relations": [{"label": "長男"}, {"kind": "unknown", "label": "民生委員"}],
        },
        format="json",
    )
    assert r.status_code == 400, r.json()
    error = r.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"] == {
        "issues.1.category": ["課題の分類を選んでください。"],
        "relations.0.kind": ["種類を選んでください。"],
        "relations.1.kind": ["種類を選んでください。"],
    }
    a.refresh_from_db()
    assert not a.issues.exists() and not a.relations.exists()
