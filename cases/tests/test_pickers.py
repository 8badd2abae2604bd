"""Search-as-you-type pickers: endpoints answer only what the policy lets the user see (owner,
colleague, outsider, admin, resident), search kana-insensitively and by birth year, and the
forms resolve a typed name without JavaScript."""

import datetime as dt

import pytest
from django.urls import reverse

from agencies.choices import Role
from agencies.tests.factories import AreaFactory, MembershipFactory, staff
from audit.models import AuditEvent
from cases.forms_intake import ConsultationForm, ReferralForm
from cases.forms_support import PlanItemForm, TeamAddForm
from cases.tests.factories import (
    ConsentFactory,
    HouseholdFactory,
    HouseholdMemberFactory,
    PersonFactory,
    login_verified,
)

PERSONS = reverse("cases:person_picker")
HOUSEHOLDS = reverse("cases:household_picker")
CONSENTS = reverse("cases:consent_picker")
STAFF = reverse("agencies:staff_picker")


@pytest.fixture
def area(db):
    return AreaFactory(name="北部圏域")


@pytest.fixture
def person(agency, caseworker):
    return PersonFactory(
        registered_by_agency=agency,
        created_by=caseworker,
        family_name="佐藤",
        given_name="花子",
        family_name_kana="さとう",
        given_name_kana="はなこ",
        birth_date=dt.date(1950, 4, 1),
    )


@pytest.fixture
def household(agency, person, area):
    household = HouseholdFactory(registered_by_agency=agency, area=area, address="みどり市北町1-2")
    HouseholdMemberFactory(household=household, person=person, is_key_person=True)
    return household


def options(response) -> list[str]:
    assert response.status_code == 200
    html = response.content.decode()
    return [chunk.split('"', 1)[0] for chunk in html.split('data-value="')[1:]]


# --- persons ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "q",
    ["佐藤", "さとう", "サトウ", "ｻﾄｳ", "さとう はなこ", "佐藤 1950", "花子 昭和25", "S25 さと"],
)
def test_owner_finds_person_kana_insensitively_and_by_birth_year(client, caseworker, person, q):
    client.force_login(caseworker)
    assert options(client.get(PERSONS, {"q": q})) == [str(person.public_id)]


def test_wrong_birth_year_finds_nobody(client, caseworker, person):
    client.force_login(caseworker)
    assert options(client.get(PERSONS, {"q": "佐藤 1951"})) == []


def test_colleague_finds_the_agencys_person(client, colleague, person):
    client.force_login(colleague)
    assert options(client.get(PERSONS, {"q": "さとう"})) == [str(person.public_id)]


def test_outsider_finds_nothing_of_another_agency(client, outsider, person):
    client.force_login(outsider)
    response = client.get(PERSONS, {"q": "佐藤"})
    assert options(response) == []
    assert "佐藤" not in response.content.decode()


def test_admin_without_care_role_is_refused(client, admin_user, person):
    login_verified(client, admin_user)
    assert client.get(PERSONS, {"q": "佐藤"}).status_code == 403


def test_resident_is_refused(client, agency, person):
    client.force_login(staff(agency, Role.RESIDENT))
    for url in (PERSONS, HOUSEHOLDS, CONSENTS, STAFF):
        assert client.get(url, {"q": "佐藤"}).status_code == 403


def test_anonymous_is_sent_to_login(client, person):
    assert client.get(PERSONS, {"q": "佐藤"}).status_code == 302


def test_picker_answers_are_audited_and_not_cached(client, caseworker, person):
    client.force_login(caseworker)
    response = client.get(PERSONS, {"q": "佐藤"})
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    event = AuditEvent.objects.get(action="person.search", actor=caseworker)
    assert person.audit_label() in event.subjects


def test_empty_query_answers_a_hint_not_everyone(client, caseworker, person):
    client.force_login(caseworker)
    response = client.get(PERSONS, {"q": " "})
    assert options(response) == []
    assert "生年" in response.content.decode()


def test_person_picker_query_count_is_fixed(
    client, caseworker, agency, django_assert_max_num_queries
):
    PersonFactory.create_batch(30, registered_by_agency=agency, family_name="佐藤")
    client.force_login(caseworker)
    with django_assert_max_num_queries(12):
        assert len(options(client.get(PERSONS, {"q": "佐藤"}))) == 20


# --- households -----------------------------------------------------------------------------------


def test_household_is_labelled_by_head_and_area_never_an_id(client, caseworker, household):
    client.force_login(caseworker)
    response = client.get(HOUSEHOLDS, {"q": "さとう"})
    assert options(response) == [str(household.public_id)]
    html = response.content.decode()
    assert "佐藤 花子 世帯(北部圏域)" in html
    assert str(household.public_id)[:8] not in html.replace(str(household.public_id), "")


def test_household_found_by_address(client, caseworker, household):
    client.force_login(caseworker)
    assert options(client.get(HOUSEHOLDS, {"q": "北町"})) == [str(household.public_id)]


def test_outsider_finds_no_household(client, outsider, household):
    client.force_login(outsider)
    assert options(client.get(HOUSEHOLDS, {"q": "北町"})) == []
    assert options(client.get(HOUSEHOLDS, {"q": "さとう"})) == []


# --- consents --------------------------------------------------------------------------------------


def test_consents_are_only_the_chosen_persons_in_force_first(client, caseworker, agency, person):
    old = ConsentFactory(
        person=person, given_on=dt.date(2024, 4, 1), valid_until=dt.date(2025, 3, 31)
    )
    current = ConsentFactory(person=person, given_on=dt.date(2025, 1, 10), agencies=[agency])
    ConsentFactory(person=PersonFactory(registered_by_agency=agency))  # someone else's
    client.force_login(caseworker)
    response = client.get(CONSENTS, {"person": str(person.public_id)})
    assert options(response) == [str(current.public_id), str(old.public_id)]
    html = response.content.decode()
    assert "撤回・失効" in html and "共有先" in html


def test_consent_picker_without_person_or_for_a_hidden_person_is_empty(
    client, outsider, caseworker, person
):
    ConsentFactory(person=person)
    client.force_login(caseworker)
    assert options(client.get(CONSENTS, {})) == []
    assert options(client.get(CONSENTS, {"person": "not-a-uuid"})) == []
    client.force_login(outsider)
    assert options(client.get(CONSENTS, {"person": str(person.public_id)})) == []


# --- staff ---------------------------------------------------------------------------------------------


def test_staff_picker_offers_only_care_staff_of_the_agency(client, agency, caseworker, outsider):
    resident = staff(agency, Role.RESIDENT)
    admin_only = staff(agency, Role.ADMIN)
    client.force_login(outsider)  # any professional may look up another agency's staff
    got = options(client.get(STAFF, {"agency": agency.pk}))
    assert str(caseworker.pk) in got
    assert str(resident.pk) not in got and str(admin_only.pk) not in got
    assert str(outsider.pk) not in got


def test_staff_picker_matches_kana_insensitively(client, agency, caseworker):
    caseworker.display_name, caseworker.kana = "鈴木 一郎", "すずき いちろう"
    caseworker.save()
    staff(agency, Role.CASEWORKER, display_name="田中 次郎", kana="たなか じろう")
    client.force_login(caseworker)
    assert options(client.get(STAFF, {"agency": agency.pk, "q": "ｽｽﾞｷ"})) == [str(caseworker.pk)]


def test_admin_may_use_the_staff_picker(client, admin_user, agency, caseworker):
    login_verified(client, admin_user)
    assert str(caseworker.pk) in options(client.get(STAFF, {"agency": agency.pk}))


def test_staff_picker_with_a_bad_agency_is_empty(client, caseworker):
    client.force_login(caseworker)
    assert options(client.get(STAFF, {"agency": "x"})) == []


# --- forms ----------------------------------------------------------------------------------------------


def _consultation_data(agency, **extra):
    return {
        "received_at": "2025-01-10T10:00",
        "agency": agency.pk,
        "route": "raisho",
        "consulter_kind": "self",
        "categories": ["kaigo"],
        "summary": "相談",
        "urgency": "normal",
        "outcome": "info",
        "minutes_spent": 30,
        "staff_count": 1,
        **extra,
    }


def test_form_renders_comboboxes_without_dashes_or_id_fragments(caseworker, household, person):
    form = ConsultationForm(
        initial={"person": person.public_id, "household": household.public_id}, user=caseworker
    )
    html = form.as_div()
    assert 'role="combobox"' in html and "---------" not in html
    assert "佐藤 花子 世帯(北部圏域)" in html
    assert f"[{str(household.public_id)[:8]}]" not in html


def test_typed_name_without_javascript_is_resolved(caseworker, agency, person, household):
    form = ConsultationForm(
        _consultation_data(agency, person_text="さとう はなこ", household_text="北町"),
        user=caseworker,
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["person"] == person
    assert form.cleaned_data["household"] == household


def test_typed_name_matching_several_asks_for_more(caseworker, agency, person):
    PersonFactory(registered_by_agency=agency, family_name="佐藤", given_name="一郎")
    form = ConsultationForm(_consultation_data(agency, person_text="佐藤"), user=caseworker)
    assert not form.is_valid()
    assert "複数" in form.errors["person"][0]


def test_edited_text_wins_over_the_stale_hidden_id(caseworker, agency, person):
    other = PersonFactory(registered_by_agency=agency, family_name="高橋", given_name="健")
    data = _consultation_data(agency, person=str(person.public_id), person_text="高橋")
    form = ConsultationForm(data, user=caseworker)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["person"] == other


def test_outsider_cannot_submit_a_foreign_person_id(outsider, other_agency, person):
    form = ConsultationForm(
        _consultation_data(other_agency, person=str(person.public_id)), user=outsider
    )
    assert not form.is_valid()
    assert "person" in form.errors


def test_referral_refuses_a_consent_of_another_person(caseworker, agency, person):
    other = PersonFactory(registered_by_agency=agency)
    consent = ConsentFactory(person=other, agencies=[agency])
    form = ReferralForm(
        {
            "from_agency": agency.pk,
            "to_agency": agency.pk,
            "variant": "with_consent",
            "person": str(person.public_id),
            "consent": str(consent.public_id),
            "triggers": ["complex"],
            "urgency": "normal",
        },
        user=caseworker,
    )
    assert not form.is_valid()
    assert "選んだ本人" in form.errors["consent"][0]


def test_team_member_must_be_care_staff_of_the_chosen_agency(agency, other_agency, outsider):
    resident = staff(agency, Role.RESIDENT)
    for user in (outsider, resident):
        form = TeamAddForm(
            {
                "agency": agency.pk,
                "user": str(user.pk),
                "role": "support",
                "joined_on": "2025-01-10",
            }
        )
        assert not form.is_valid()
        assert "user" in form.errors


def test_plan_item_staff_typed_by_name_is_found_in_the_agency(agency, caseworker):
    caseworker.display_name, caseworker.kana = "鈴木 一郎", "すずき いちろう"
    caseworker.save()
    MembershipFactory(agency=agency, role=Role.ADMIN)
    form = PlanItemForm(
        {
            "issue": "課題",
            "goal": "目標",
            "action": "支援",
            "agency": agency.pk,
            "staff_text": "スズキ",
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["staff"] == caseworker


def test_no_select_anywhere_offers_dashes_as_the_empty_choice(caseworker, agency):
    from django import forms

    from agencies.models import Agency
    from cases.models import Person

    class AnyAppForm(forms.Form):  # a form written without thinking of the empty label
        agency = forms.ModelChoiceField(queryset=Agency.objects.all())

    class AnyModelForm(forms.ModelForm):  # a model field with choices, blank allowed
        class Meta:
            model = Person
            fields = ["area"]

    html = TeamAddForm().as_div() + PlanItemForm().as_div()
    html += AnyAppForm().as_div() + AnyModelForm().as_div()
    assert "---------" not in html and ">---<" not in html
    # TeamAddForm's and PlanItemForm's 機関 are pickers now: the remaining selects.
    assert html.count("選択してください") >= 3


def test_person_found_by_phone_digits(client, caseworker, agency):
    from cases.normalize import normalize_phone

    person = PersonFactory(
        registered_by_agency=agency,
        phone="090-1234-5678",
        phone_digits=normalize_phone("090-1234-5678"),
    )
    client.force_login(caseworker)
    assert options(client.get(PERSONS, {"q": "090-1234"})) == [str(person.public_id)]
    assert options(client.get(PERSONS, {"q": "山田 ５６７８"})) == [str(person.public_id)]


def test_search_terms_split_into_name_year_and_phone():
    from cases.selectors.pickers import parse_terms

    terms = parse_terms("ｻﾄｳ 昭和25 090-12")
    assert terms.birth_year == 1950 and terms.phone == "09012" and terms.text == "サトウ"
    assert parse_terms("平成32").birth_year is None  # no such year: kept as text
    assert parse_terms("平成32").text == "平成32"


def test_grantee_agency_finds_the_person_once_the_referral_is_accepted(client, db):
    """A 多機関協働 coordinator sees a person registered elsewhere once a consented referral is
    accepted (a grant); before, the picker does not offer them."""
    from cases.services.intake import referral_accept
    from cases.tests.factories import IntakeWorld

    w = IntakeWorld()
    client.force_login(w.coordinator)
    query = {"q": f"やまだ {w.person.birth_date.year}"}
    assert options(client.get(PERSONS, query)) == []
    referral_accept(actor=w.coordinator, referral=w.opened())
    assert str(w.person.public_id) in options(client.get(PERSONS, query))


def test_single_kana_waits_for_more_but_single_kanji_searches(client, caseworker, agency, person):
    hayashi = PersonFactory(
        registered_by_agency=agency, family_name="林", family_name_kana="はやし"
    )
    client.force_login(caseworker)
    response = client.get(PERSONS, {"q": "さ"})
    assert options(response) == [] and "もう1文字" in response.content.decode()
    assert options(client.get(PERSONS, {"q": "さ 1950"})) == [str(person.public_id)]
    assert options(client.get(PERSONS, {"q": "林"})) == [str(hayashi.public_id)]
