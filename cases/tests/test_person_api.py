"""REST API: same policy as the pages — owner, colleague, outsider on every endpoint."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEvent
from cases.models import Consent, Person
from cases.tests.factories import (
    CaseTeamMemberFactory,
    ConsentFactory,
    HouseholdFactory,
    HouseholdMemberFactory,
    PersonFactory,
    SupportCaseFactory,
)

API = "/api/v1"


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def person(agency, caseworker):
    return PersonFactory(
        registered_by_agency=agency,
        created_by=caseworker,
        family_name="山田",
        given_name="花子",
        family_name_kana="やまだ",
        given_name_kana="はなこ",
        birth_date=dt.date(1950, 4, 1),
        address="みどり市北部町1-1",
    )


@pytest.fixture
def household(agency, person):
    return HouseholdMemberFactory(
        person=person, household=HouseholdFactory(registered_by_agency=agency)
    ).household


@pytest.fixture
def consent(person):
    return ConsentFactory(person=person)


def endpoints(person, household, consent):
    return [
        ("get", f"{API}/persons/{person.public_id}/", None),
        ("patch", f"{API}/persons/{person.public_id}/", {"phone": "042-1", "version": 1}),
        ("get", f"{API}/households/{household.public_id}/", None),
        ("patch", f"{API}/households/{household.public_id}/", {"notes": "x", "version": 1}),
        ("get", f"{API}/consents/{consent.public_id}/", None),
        ("post", f"{API}/consents/{consent.public_id}/withdraw/", {}),
    ]


@pytest.mark.parametrize("index", range(6))
def test_owner_colleague_outsider_on_every_endpoint(
    api, caseworker, colleague, outsider, person, household, consent, index
):
    method, url, body = endpoints(person, household, consent)[index]
    api.force_authenticate(outsider)
    response = getattr(api, method)(url, body, format="json")
    assert response.status_code in (403, 404)
    assert "山田" not in response.content.decode()
    for user in (caseworker, colleague):
        api.force_authenticate(user)
        if method == "patch":
            body["version"] = (
                Person.objects.get(pk=person.pk).version
                if "persons" in url
                else household.__class__.objects.get(pk=household.pk).version
            )
        response = getattr(api, method)(url, body, format="json")
        if method == "post" and user == colleague:
            assert response.status_code == 400  # already withdrawn by the owner: Japanese error
            assert "既に撤回" in response.content.decode()
        else:
            assert response.status_code == 200, response.content


def test_unauthenticated_is_refused(api, person):
    assert api.get(f"{API}/persons/").status_code in (401, 403)


def test_search_lists_own_and_only_agency_of_others(
    api, caseworker, person, other_agency, django_assert_max_num_queries
):
    from agencies.models import Area

    for i in range(10):
        PersonFactory(
            registered_by_agency=person.registered_by_agency,
            family_name="山田",
            family_name_kana="やまだ",
            # each with its own area: the serializer names it (no query per row)
            area=Area.objects.create(name=f"地区{i}", code=f"t-area-{i}", level="district"),
        )
    PersonFactory(registered_by_agency=other_agency, family_name="山田", given_name="秘密")
    api.force_authenticate(caseworker)
    with django_assert_max_num_queries(8):
        response = api.get(f"{API}/persons/", {"q": "ﾔﾏﾀﾞ"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 11
    assert body["elsewhere"] == [{"agency": other_agency.name}]
    assert "秘密" not in response.content.decode()


def test_retrieve_is_audited_and_limited_to_consented_sections(
    api, person, household, other_agency, outsider
):
    CaseTeamMemberFactory(case=SupportCaseFactory(household=household), agency=other_agency)
    ConsentFactory(person=person, agencies=[other_agency], info_kinds=["household"])
    api.force_authenticate(outsider)
    body = api.get(f"{API}/persons/{person.public_id}/").json()
    assert body["family_name"] == "山田"
    assert "birth_date" not in body and "address" not in body and "age" not in body
    assert body["access"]["basis"] == "consent" and body["access"]["sections"] == ["household"]
    assert AuditEvent.objects.filter(action="person.view", actor=outsider).count() == 1
    assert (
        api.patch(
            f"{API}/persons/{person.public_id}/", {"phone": "1", "version": 1}, format="json"
        ).status_code
        == 403
    )


def test_create_reports_duplicates_then_confirms(api, caseworker, person):
    api.force_authenticate(caseworker)
    data = {
        "family_name": "山田",
        "given_name": "花子",
        "family_name_kana": "ヤマダ",
        "given_name_kana": "ハナコ",
        "birth_date": "1950-04-01",
    }
    response = api.post(f"{API}/persons/", data, format="json")
    assert response.status_code == 409
    match = response.json()["error"]["matches"][0]
    assert match["person"] == str(person.public_id)
    assert "ふりがなと生年月日が一致" in match["reasons"]
    response = api.post(f"{API}/persons/", {**data, "confirm_new": True}, format="json")
    assert response.status_code == 201
    assert Person.objects.count() == 2


def test_duplicates_endpoint_hides_other_agencies_records(api, outsider, person):
    api.force_authenticate(outsider)
    body = api.post(
        f"{API}/persons/duplicates/",
        {"family_name": "山田", "given_name": "花子", "birth_date": "1950-04-01"},
        format="json",
    ).json()
    assert body["matches"] == [
        {
            "person": None,
            "agency": person.registered_by_agency.name,
            "reasons": [],
            "score": body["matches"][0]["score"],
        }
    ]


def test_impossible_date_gets_a_japanese_error(api, caseworker):
    api.force_authenticate(caseworker)
    response = api.post(
        f"{API}/persons/", {"family_name": "鈴木", "birth_date": "2020-02-30"}, format="json"
    )
    assert response.status_code == 400
    assert "2月30日は存在しない日付です" in response.json()["error"]["fields"]["birth_date"][0]
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = api.post(
        f"{API}/persons/",
        {"family_name": "鈴木", "birth_date": future, "confirm_new": True},
        format="json",
    )
    assert response.status_code == 400
    assert "未来" in response.content.decode()


def test_stale_version_is_a_conflict(api, caseworker, person):
    api.force_authenticate(caseworker)
    url = f"{API}/persons/{person.public_id}/"
    assert api.patch(url, {"phone": "042-1", "version": 1}, format="json").status_code == 200
    response = api.patch(url, {"phone": "042-2", "version": 1}, format="json")
    assert response.status_code == 409
    error = response.json()["error"]
    assert (
        error["your_version"] == 1
        and error["current_version"] == 2
        and error["fields"] == ["phone"]
    )


def test_merge_action(api, caseworker, person):
    twin = PersonFactory(registered_by_agency=person.registered_by_agency)
    api.force_authenticate(caseworker)
    response = api.post(
        f"{API}/persons/{person.public_id}/merge/",
        {"absorb": str(twin.public_id), "reason": "重複"},
        format="json",
    )
    assert response.status_code == 200
    twin.refresh_from_db()
    assert twin.merged_into == person


def test_outsider_cannot_merge_via_api(api, outsider, person):
    twin = PersonFactory(registered_by_agency=person.registered_by_agency)
    api.force_authenticate(outsider)
    response = api.post(
        f"{API}/persons/{person.public_id}/merge/",
        {"absorb": str(twin.public_id), "reason": "x"},
        format="json",
    )
    assert response.status_code in (403, 404)


def test_household_members_and_leave(api, caseworker, household, agency):
    son = PersonFactory(registered_by_agency=agency)
    api.force_authenticate(caseworker)
    url = f"{API}/households/{household.public_id}/"
    response = api.post(
        url + "members/", {"person": str(son.public_id), "relation": "child"}, format="json"
    )
    assert response.status_code == 201
    assert len(response.json()["members"]) == 2
    response = api.post(
        url + "leave/", {"person": str(son.public_id), "reason": "転出"}, format="json"
    )
    assert response.status_code == 200
    assert [
        m["left_reason"] for m in response.json()["members"] if m["person"] == str(son.public_id)
    ] == ["転出"]
    body = api.get(url).json()
    assert len(body["members"]) == 2


def test_household_list_is_scoped(api, caseworker, outsider, household):
    api.force_authenticate(caseworker)
    assert api.get(f"{API}/households/").json()["count"] == 1
    api.force_authenticate(outsider)
    assert api.get(f"{API}/households/").json()["count"] == 0


def test_consent_create_and_withdraw(api, caseworker, person, other_agency):
    api.force_authenticate(caseworker)
    response = api.post(
        f"{API}/consents/",
        {
            "person": str(person.public_id),
            "given_on": timezone.localdate().isoformat(),
            "method": "oral",
            "agencies": [other_agency.code],
            "info_kinds": ["basic", "health"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    consent = Consent.objects.get()
    assert consent.info_kinds == ["basic", "health"]
    response = api.post(
        f"{API}/consents/{consent.public_id}/withdraw/", {"note": "本人より"}, format="json"
    )
    assert response.status_code == 200 and response.json()["in_force"] is False
    assert api.get(f"{API}/consents/", {"person": str(person.public_id)}).json()["count"] == 1


def test_outsider_cannot_record_consent_via_api(api, outsider, person, other_agency):
    api.force_authenticate(outsider)
    response = api.post(
        f"{API}/consents/",
        {
            "person": str(person.public_id),
            "given_on": timezone.localdate().isoformat(),
            "method": "oral",
            "agencies": [other_agency.code],
            "info_kinds": ["basic"],
        },
        format="json",
    )
    assert response.status_code == 404  # the outsider may not know the person exists
    assert not Consent.objects.exists()
