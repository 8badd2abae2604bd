"""Fixes from the daily-work review (issue 15): 相談を記録 from the person and household pages,
the standalone household form, the duplicate step from the add-member page, and an error summary
that links to the fields."""

import datetime as dt

import pytest
from django.urls import reverse

from cases.models import Household
from cases.tests.factories import HouseholdFactory, HouseholdMemberFactory, PersonFactory

pytestmark = pytest.mark.django_db


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
def household(agency, person):
    household = HouseholdFactory(registered_by_agency=agency)
    HouseholdMemberFactory(household=household, person=person, is_key_person=True)
    return household


def test_person_page_offers_consultation_for_that_person(client, caseworker, person):
    client.force_login(caseworker)
    html = client.get(reverse("cases:person_detail", args=[person.public_id])).content.decode()
    assert f"{reverse('cases:consultation_create')}?person={person.public_id}" in html


def test_household_page_offers_consultation_for_that_household(client, caseworker, household):
    client.force_login(caseworker)
    html = client.get(reverse("cases:household_detail", args=[household.public_id])).content
    assert (
        f"{reverse('cases:consultation_create')}?household={household.public_id}" in html.decode()
    )


def test_consultation_form_from_household_page_has_the_household_chosen(
    client, caseworker, household
):
    client.force_login(caseworker)
    url = f"{reverse('cases:consultation_create')}?household={household.public_id}"
    html = client.get(url).content.decode()
    assert f'name="household" value="{household.public_id}"' in html
    assert "佐藤 花子 世帯" in html


def test_outsider_is_not_offered_consultation_on_a_household_they_cannot_see(
    client, outsider, household
):
    client.force_login(outsider)
    response = client.get(reverse("cases:household_detail", args=[household.public_id]))
    assert response.status_code in (403, 404)


def test_standalone_household_form_saves_with_the_picked_person(client, caseworker, person):
    client.force_login(caseworker)
    url = reverse("cases:household_create")
    page = client.get(url).content.decode()
    assert 'role="combobox"' in page  # the first member is picked on the form itself
    response = client.post(url, {"person": str(person.public_id), "address": "みどり市北町1-1"})
    assert response.status_code == 302, response.content.decode()[:400]
    household = Household.objects.get()
    assert household.members.get().person == person


def test_standalone_household_form_resolves_a_typed_name_without_javascript(
    client, caseworker, person
):
    client.force_login(caseworker)
    response = client.post(
        reverse("cases:household_create"), {"person_text": "さとう 1950", "address": "北町"}
    )
    assert response.status_code == 302
    assert Household.objects.get().members.get().person == person


def test_standalone_household_form_refuses_another_agencys_person(client, outsider, person):
    client.force_login(outsider)
    response = client.post(reverse("cases:household_create"), {"person_text": "佐藤"})
    assert response.status_code == 200
    assert not Household.objects.exists()


def test_duplicate_step_from_add_member_page_offers_adding_the_existing_person(
    client, caseworker, household, agency
):
    other = HouseholdFactory(registered_by_agency=agency)
    client.force_login(caseworker)
    create = f"{reverse('cases:person_create')}?household={other.public_id}"
    response = client.post(
        create,
        {
            "family_name": "佐藤",
            "given_name": "花子",
            "family_name_kana": "さとう",
            "given_name_kana": "はなこ",
            "birth_date": "1950-04-01",
            "household": str(other.public_id),
        },
    )
    html = response.content.decode()
    add = reverse("cases:household_member_add", args=[other.public_id])
    person = household.members.get().person
    assert f"{add}?person={person.public_id}" in html
    assert 'name="household"' in html


def test_error_summary_links_to_each_field(client, caseworker):
    client.force_login(caseworker)
    response = client.post(reverse("cases:consultation_create"), {"summary": ""})
    html = response.content.decode()
    assert 'data-testid="error-summary"' in html
    assert 'href="#id_summary"' in html and 'id="id_summary"' in html
    # A check-box group links to its first box.
    assert 'href="#id_categories_0"' in html and 'id="id_categories_0"' in html
