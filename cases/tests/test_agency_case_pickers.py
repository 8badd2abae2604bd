"""The 機関 and 支援ケース pickers, and the support-case form's 本人 among the household's members:
the endpoints answer through the policy (owner, colleague, outsider, admin, resident), the
つなぐシート's 送付先 offers only agencies where someone can answer, the case picker offers only
visible cases (and finds a case by name only through a 本人 the user may see), answers are
audited, and the forms resolve typed text without JavaScript."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.choices import AgencyKind, Role
from agencies.tests.factories import AgencyFactory, AreaFactory, staff
from audit.models import AuditEvent
from cases.forms_intake import ReferralForm
from cases.forms_support import CaseCreateForm, TeamAddForm
from cases.models import SupportCase
from cases.tests.factories import (
    HouseholdMemberFactory,
    PersonFactory,
    login_verified,
    multiagency_agency,
    open_case,
)

AGENCIES = reverse("agencies:agency_picker")
RECEIVERS = reverse("agencies:receiver_picker")
CASES = reverse("cases:case_picker")
CLOSED_CASES = reverse("cases:closed_case_picker")
PERSONS = reverse("cases:person_picker")


def options(response) -> list[str]:
    assert response.status_code == 200
    html = response.content.decode()
    return [chunk.split('"', 1)[0] for chunk in html.split('data-value="')[1:]]


# --- agencies -------------------------------------------------------------------------------------


@pytest.fixture
def houkatsu(db):
    agency = AgencyFactory(
        name="北部地域包括支援センター",
        kana="ほくぶちいきほうかつしえんせんたー",
        kind=AgencyKind.HOUKATSU,
        area=AreaFactory(name="北部圏域"),
    )
    staff(agency, Role.CASEWORKER)
    return agency


@pytest.mark.parametrize("q", ["北部地域", "ほくぶ", "ホクブ", "ﾎｸﾌﾞ", "地域包括 北部圏域"])
def test_agency_picker_matches_name_kana_kind_and_area(client, caseworker, houkatsu, q):
    client.force_login(caseworker)
    assert options(client.get(AGENCIES, {"q": q})) == [str(houkatsu.pk)]


def test_agency_picker_never_offers_an_inactive_agency(client, caseworker, houkatsu):
    houkatsu.active = False
    houkatsu.save()
    client.force_login(caseworker)
    assert options(client.get(AGENCIES, {"q": "ほくぶ"})) == []


def test_referral_receivers_are_only_agencies_where_someone_can_answer(
    client, caseworker, houkatsu
):
    """The つなぐシート's rule (referral_send): an agency whose staff are only residents, an
    admin or a former member cannot answer a sheet, so it is not offered."""
    silent = AgencyFactory(name="北部の職員のいない機関", kana="ほくぶのしょくいんのいないきかん")
    staff(silent, Role.RESIDENT)
    staff(silent, Role.ADMIN)
    client.force_login(caseworker)
    assert set(options(client.get(AGENCIES, {"q": "ほくぶ"}))) == {str(houkatsu.pk), str(silent.pk)}
    assert options(client.get(RECEIVERS, {"q": "ほくぶ"})) == [str(houkatsu.pk)]


def test_agency_picker_answers_professionals_only(client, agency, admin_user, houkatsu):
    client.force_login(staff(agency, Role.RESIDENT))
    for url in (AGENCIES, RECEIVERS):
        assert client.get(url, {"q": "ほくぶ"}).status_code == 403
    client.logout()
    assert client.get(AGENCIES, {"q": "ほくぶ"}).status_code == 302
    login_verified(client, admin_user)  # the directory is the admin's too
    assert options(client.get(AGENCIES, {"q": "ほくぶ"})) == [str(houkatsu.pk)]


def test_agency_picker_query_count_is_fixed(client, caseworker, django_assert_max_num_queries):
    for n in range(30):
        staff(AgencyFactory(name=f"南部事業所{n}", kana=f"なんぶじぎょうしょ{n}"), Role.CASEWORKER)
    client.force_login(caseworker)
    for url in (AGENCIES, RECEIVERS):
        with django_assert_max_num_queries(10):
            assert len(options(client.get(url, {"q": "なんぶ"}))) == 20


def _referral_data(from_agency, **extra):
    return {
        "from_agency": from_agency.pk,
        "variant": "without_consent",
        "triggers": ["complex"],
        "urgency": "normal",
        "meeting_summary": "概要",
        **extra,
    }


def test_referral_form_refuses_a_receiver_nobody_can_answer(caseworker, agency, person_in):
    silent = AgencyFactory(name="職員のいない機関")
    form = ReferralForm(
        _referral_data(agency, to_agency=str(silent.pk), person=str(person_in.public_id)),
        user=caseworker,
    )
    assert not form.is_valid()
    assert "職員のいない機関」には回答できる職員が登録されていません" in form.errors["to_agency"][0]


def test_edited_receiver_text_is_searched_not_blamed_on_the_chosen_agency(
    caseworker, agency, houkatsu, person_in
):
    form = ReferralForm(
        _referral_data(
            agency,
            to_agency=str(houkatsu.pk),
            to_agency_text="存在しない機関",
            person=str(person_in.public_id),
        ),
        user=caseworker,
    )
    assert not form.is_valid()
    assert "該当する候補が見つかりません" in form.errors["to_agency"][0]


def test_referral_receiver_typed_without_javascript_is_resolved(
    caseworker, agency, houkatsu, person_in
):
    form = ReferralForm(
        _referral_data(agency, to_agency_text="ホクブチイキ", person=str(person_in.public_id)),
        user=caseworker,
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["to_agency"] == houkatsu


def test_team_agency_typed_by_kind_and_area_is_resolved(houkatsu):
    form = TeamAddForm(
        {"agency_text": "地域包括 北部圏域", "role": "support", "joined_on": "2025-01-10"}
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["agency"] == houkatsu


# --- cases --------------------------------------------------------------------------------------------


@pytest.fixture
def person_in(agency, caseworker):
    return PersonFactory(registered_by_agency=agency, created_by=caseworker)


@pytest.fixture
def city(db):
    return multiagency_agency(name="みどり市 福祉相談課")


@pytest.fixture
def coordinator(city):
    return staff(city, Role.COORDINATOR)


@pytest.fixture
def case(coordinator, city):
    return open_case(coordinator=coordinator, agency=city)


def _close(case):
    SupportCase.objects.filter(pk=case.pk).update(
        status=SupportCase.Status.CLOSED, closed_on=timezone.localdate()
    )
    case.refresh_from_db()
    return case


def test_case_picker_finds_a_visible_case_by_number_and_by_the_persons_name(
    client, coordinator, city, case
):
    colleague = staff(city, Role.COORDINATOR)
    principal = case.principal
    for user in (coordinator, colleague):
        client.force_login(user)
        for q in (case.number, case.number.split("-")[1], principal.given_name_kana):
            assert options(client.get(CASES, {"q": q})) == [str(case.public_id)], q
    response = client.get(CASES, {"q": case.number})
    assert f"{case.number} {principal.full_name}" in response.content.decode()


def test_case_picker_offers_nothing_to_an_outsider_or_the_admin(client, outsider, city, case):
    client.force_login(outsider)
    response = client.get(CASES, {"q": case.number})
    assert options(response) == [] and case.number not in response.content.decode()
    admin = staff(city, Role.ADMIN)  # the admin of the very agency: no case content
    login_verified(client, admin)
    response = client.get(CASES, {"q": case.number})
    assert response.status_code in (403, 404) or options(response) == []
    client.force_login(staff(city, Role.RESIDENT))
    assert client.get(CASES, {"q": case.number}).status_code == 403


def test_case_picker_finds_by_name_only_a_person_the_user_may_see(
    client, coordinator, city, case, monkeypatch
):
    """A user who sees the case but not its 本人 finds it by number, labelled without the name,
    and never by the 本人's name."""
    from cases.policy.persons import PERSON_DENY
    from cases.selectors import pickers

    monkeypatch.setattr(pickers, "person_visibility_q", lambda actor: pickers.Q(pk__in=[]))
    monkeypatch.setattr(
        pickers,
        "person_decisions",
        lambda actor, persons: {p.pk: PERSON_DENY for p in persons},
    )
    client.force_login(coordinator)
    assert options(client.get(CASES, {"q": case.principal.given_name_kana})) == []
    response = client.get(CASES, {"q": case.number})
    assert options(response) == [str(case.public_id)]
    assert case.principal.full_name not in response.content.decode()


def test_case_picker_answers_are_audited(client, coordinator, case):
    client.force_login(coordinator)
    client.get(CASES, {"q": case.number})
    event = AuditEvent.objects.get(action="case.list", actor=coordinator)
    assert case.audit_label() in event.subjects


def test_closed_case_picker_offers_the_households_closed_cases(client, coordinator, city, case):
    other = _close(open_case(coordinator=coordinator, agency=city))
    _close(case)
    still_open = open_case(coordinator=coordinator, agency=city)
    client.force_login(coordinator)
    household = str(case.household.public_id)
    # Empty query with a household: all of its closed cases (a household has a few).
    assert options(client.get(CLOSED_CASES, {"q": "", "household": household})) == [
        str(case.public_id)
    ]
    assert options(client.get(CLOSED_CASES, {"q": still_open.number})) == []
    assert options(client.get(CLOSED_CASES, {"q": other.number})) == [str(other.public_id)]
    response = client.get(CLOSED_CASES, {"q": "", "household": ""})
    assert options(response) == [] and "先に世帯を選んでください" in response.content.decode()


def test_case_picker_query_count_is_fixed(client, coordinator, city, django_assert_max_num_queries):
    for _ in range(22):
        open_case(coordinator=coordinator, agency=city)
    client.force_login(coordinator)
    with django_assert_max_num_queries(14):
        found = options(client.get(CASES, {"q": "やまだ"}))
    assert len(found) == 20


# --- the support case's 本人: the chosen household's living members ------------------------------


def test_person_picker_with_a_household_lists_its_living_members(client, coordinator, city, case):
    household = case.household
    members = [m.person for m in household.members.current().select_related("person")]
    gone = PersonFactory(registered_by_agency=city, deceased_on=dt.date(2024, 1, 1))
    HouseholdMemberFactory(household=household, person=gone, relation="parent")
    stranger = PersonFactory(registered_by_agency=city)  # same agency, another household
    client.force_login(coordinator)
    found = options(client.get(PERSONS, {"q": "", "household": str(household.public_id)}))
    assert sorted(found) == sorted(str(p.public_id) for p in members)
    assert str(gone.public_id) not in found and str(stranger.public_id) not in found
    response = client.get(PERSONS, {"q": "", "household": ""})
    assert options(response) == [] and "先に世帯を選んでください" in response.content.decode()


def test_person_picker_offers_no_member_of_a_household_the_user_may_not_see(client, outsider, case):
    client.force_login(outsider)
    response = client.get(PERSONS, {"q": "", "household": str(case.household.public_id)})
    assert options(response) == []


def _case_data(city, household, **extra):
    return {
        "household": str(household.public_id),
        "coordinating_agency": city.pk,
        "opened_on": timezone.localdate().isoformat(),
        "summary": "窓口での相談",
        **extra,
    }


def _case_form(data, user):
    from cases.policy.persons import households_visible_to

    return CaseCreateForm(data, user=user, households=households_visible_to(user))


def test_case_form_principal_must_be_a_member_of_the_chosen_household(coordinator, city, case):
    elsewhere = open_case(coordinator=coordinator, agency=city).principal  # visible, not a member
    form = _case_form(
        _case_data(city, case.household, principal=str(elsewhere.public_id)), coordinator
    )
    assert not form.is_valid()
    assert "世帯員" in form.errors["principal"][0]


def test_case_form_principal_typed_without_javascript_is_found_in_the_household(
    coordinator, city, case
):
    parent = [p for p in case.persons.all() if p.pk != case.principal_id][0]
    open_case(coordinator=coordinator, agency=city)  # other やまだ elsewhere: not ambiguous
    form = _case_form(
        _case_data(city, case.household, principal_text=parent.given_name_kana), coordinator
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["principal"] == parent


def test_case_form_previous_case_must_be_a_closed_case_of_the_household(coordinator, city, case):
    other = _close(open_case(coordinator=coordinator, agency=city))
    form = _case_form(
        _case_data(city, case.household, previous_case=str(other.public_id)), coordinator
    )
    assert not form.is_valid()
    assert "previous_case" in form.errors
    # An open case is not offered at all (the field's queryset is closed cases).
    form = _case_form(
        _case_data(city, case.household, previous_case=str(case.public_id)), coordinator
    )
    assert not form.is_valid() and "previous_case" in form.errors
    _close(case)
    form = _case_form(_case_data(city, case.household, previous_case_text=case.number), coordinator)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["previous_case"] == case


def test_case_create_page_prefills_the_previous_case_and_household(client, coordinator, case):
    _close(case)
    login_verified(client, coordinator)
    html = client.get(reverse("cases:case_create"), {"previous": case.public_id}).content.decode()
    assert f'value="{case.public_id}"' in html
    assert f'value="{case.household.public_id}"' in html


def test_community_forms_pick_agencies_and_resolve_typed_text(houkatsu):
    from community.forms import IssueForm

    html = IssueForm().as_div()
    assert 'data-url="/agencies/pick/agencies/"' in html and 'name="owner_agency_text"' in html
    form = IssueForm({"owner_agency_text": "北部地域"})
    form.is_valid()
    assert "owner_agency" not in form.errors
    assert form.cleaned_data["owner_agency"] == houkatsu
