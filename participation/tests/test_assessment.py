"""参加支援アセスメント: versions, locking, validation, access (staff on the team with consent,
colleague, outsider, admin), pages, PDF and API."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from agencies.policy import can
from agencies.tests.utils import assert_longer_list_costs_a_count_at_most
from audit.models import AuditEvent
from cases.tests.factories import login_verified
from participation import services as svc
from participation.models import ParticipationAssessment

from .factories import participation_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return participation_world()


@pytest.fixture
def sheet(w):
    a = svc.assessment_create(case=w.case, person=w.person, actor=w.worker)
    return svc.assessment_update(
        assessment=a,
        actor=w.worker,
        lock_version=a.lock_version,
        data={
            "interests": ["farming", "books"],
            "strengths": "几帳面で手先が器用",
            "days": [0, 2],
            "hours_from": dt.time(9, 0),
            "hours_to": dt.time(12, 0),
            "withdrawal": True,
            "anxiety": "strong",
            "wishes": "人の少ない所で体を動かしたい",
        },
    )


def test_worker_on_team_with_consent_creates_and_updates_the_sheet(w, sheet):
    sheet.refresh_from_db()
    assert sheet.interests == ["books", "farming"]
    assert sheet.days == [0, 2]
    assert sheet.lock_version == 2
    assert AuditEvent.objects.filter(
        action="participation_assessment.update", actor=w.worker
    ).exists()


def test_new_version_copies_and_supersedes(w, sheet):
    second = svc.assessment_create(case=w.case, person=w.person, actor=w.worker)
    sheet.refresh_from_db()
    assert second.number == 2 and second.interests == ["books", "farming"]
    assert not sheet.is_current and second.is_current
    with pytest.raises(ValidationError):
        svc.assessment_update(assessment=sheet, actor=w.worker, lock_version=2, data={"view": "x"})


def test_stale_lock_version_is_a_conflict(w, sheet):
    with pytest.raises(svc.EditConflict):
        svc.assessment_update(
            assessment=sheet, actor=w.coordinator, lock_version=1, data={"view": "x"}
        )


def test_bad_input_gives_field_errors(w, sheet):
    with pytest.raises(ValidationError) as exc:
        svc.assessment_update(
            assessment=sheet,
            actor=w.worker,
            lock_version=sheet.lock_version,
            data={"interests": ["nope"], "hours_from": dt.time(12), "hours_to": dt.time(9)},
        )
    assert {"interests", "hours_to"} <= set(exc.value.message_dict)


def test_person_outside_the_case_is_refused(w):
    other = participation_world()
    with pytest.raises(ValidationError):
        svc.assessment_create(case=w.case, person=other.person, actor=w.coordinator)


def test_policy_three_users_and_admin(w, sheet):
    assert can(w.worker, "participation_assessment.edit", sheet)
    assert can(w.coordinator, "participation_assessment.view", sheet)
    # a colleague of the same 参加支援 agency: the agency is on the team with consent
    assert can(w.sanka_colleague, "participation_assessment.view", sheet)
    assert not can(w.outsider, "participation_assessment.view", sheet)
    assert not can(w.admin, "participation_assessment.view", sheet)
    assert not can(w.admin, "participation_assessment.edit", w.case)


def test_withdrawn_consent_ends_the_participation_agencys_access(w, sheet):
    from django.utils import timezone

    consent = w.person.consents.get()
    consent.withdrawn_at = timezone.now()
    consent.save()
    fresh = ParticipationAssessment.objects.get(pk=sheet.pk)  # access is cached per request
    assert not can(w.worker, "participation_assessment.view", fresh)
    assert can(w.coordinator, "participation_assessment.view", fresh)


PAGES = [
    "participation:assessment_detail",
    "participation:assessment_edit",
    "participation:assessment_pdf",
]


@pytest.mark.parametrize("name", PAGES)
def test_pages_answer_200_for_team_and_404_for_outsider_and_admin(client, w, sheet, name):
    url = reverse(name, args=[sheet.public_id])
    client.force_login(w.worker)
    assert client.get(url).status_code == 200
    client.force_login(w.outsider)
    assert client.get(url).status_code == 404
    login_verified(client, w.admin)
    assert client.get(url).status_code == 404


def test_case_page_and_index(client, w, sheet):
    client.force_login(w.worker)
    body = client.get(reverse("participation:case", args=[w.case.public_id])).content.decode()
    assert "第1版" in body and w.person.full_name in body
    index = client.get(reverse("participation:index")).content.decode()
    assert w.case.number in index
    client.force_login(w.outsider)
    assert w.case.number not in client.get(reverse("participation:index")).content.decode()
    assert client.get(reverse("participation:case", args=[w.case.public_id])).status_code == 404
    login_verified(client, w.admin)
    assert client.get(reverse("participation:index")).status_code == 200


def test_edit_form_saves_and_shows_japanese_errors(client, w, sheet):
    client.force_login(w.worker)
    url = reverse("participation:assessment_edit", args=[sheet.public_id])
    data = {
        "assessed_on": "2026-11-01",
        "interests": ["cooking"],
        "physical": "light",
        "anxiety": "some",
        "role_wish": "helper",
        "hours_from": "13:00",
        "hours_to": "10:00",
        "lock_version": sheet.lock_version,
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "終わりの時刻は始まりの時刻より後にしてください。" in response.content.decode()
    data["hours_to"] = "16:00"
    response = client.post(url, data)
    assert response.status_code == 302
    sheet.refresh_from_db()
    assert sheet.interests == ["cooking"] and sheet.role_wish == "helper"


def test_start_a_sheet_from_the_case_page(client, w):
    client.force_login(w.worker)
    response = client.post(
        reverse("participation:assessment_new", args=[w.case.public_id]), {"person": w.person.pk}
    )
    assert response.status_code == 302
    assert ParticipationAssessment.objects.filter(case=w.case, person=w.person).count() == 1
    client.force_login(w.outsider)
    response = client.post(
        reverse("participation:assessment_new", args=[w.case.public_id]), {"person": w.person.pk}
    )
    assert response.status_code == 404


def test_api_create_read_update_and_conflict(client, w):
    client.force_login(w.worker)
    base = "/api/v1/participation/assessments/"
    r = client.post(
        base,
        {"case": str(w.case.public_id), "person": str(w.person.public_id)},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    a = r.json()
    url = f"{base}{a['public_id']}/"
    r = client.patch(
        url,
        {"lock_version": a["lock_version"], "interests": ["farming"], "days": [1]},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    assert r.json()["interests"] == ["farming"]
    r = client.patch(url, {"lock_version": 1, "view": "x"}, content_type="application/json")
    assert r.status_code == 409
    r = client.patch(
        url, {"lock_version": 2, "interests": ["bad"]}, content_type="application/json"
    )
    assert r.status_code == 400
    assert client.get(f"{base}?case={w.case.public_id}").status_code == 200
    client.force_login(w.outsider)
    assert client.get(url).status_code == 404
    assert client.get(f"{base}?case={w.case.public_id}").status_code == 404
    login_verified(client, w.admin)
    assert client.get(url).status_code == 404
    assert client.get(f"{base}not-a-uuid/").status_code == 404


def test_index_pages_the_caseload_at_a_fixed_number_of_queries(
    client, w, sheet, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cases.tests.factories import SupportCaseFactory
    from participation.selectors import CASELOAD_PAGE_SIZE

    client.force_login(w.coordinator)
    url = reverse("participation:index")
    client.get(url)  # the first request of a session costs more
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    made = [
        SupportCaseFactory(
            lead_agency=w.body,
            coordinating_agency=w.body,
            coordinator=w.coordinator,
            programmes=["participation"],
            summary=f"参加支援ケース{i:02}",
            number=f"R8-P{i:03}",
        )
        for i in range(CASELOAD_PAGE_SIZE + 4)
    ]
    with CaptureQueriesContext(connection) as many:
        first = client.get(url).content.decode()
    assert_longer_list_costs_a_count_at_most(few, many)  # 55 cases cost what 1 did
    shown = [c for c in made if c.summary in first]
    assert len(shown) == CASELOAD_PAGE_SIZE - 1 or len(shown) == CASELOAD_PAGE_SIZE
    assert 'rel="next"' in first
    second = client.get(url + "?page=2").content.decode()
    rest = [c for c in made if c.summary in second]
    assert len(shown) + len(rest) == len(made)  # every case once, across the pages
    assert w.case.number in first + second
