"""A household is registered around its first member: no empty households (page or API)."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import AuditEvent
from cases.models import Household
from cases.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def person(agency, caseworker):
    return PersonFactory(registered_by_agency=agency, created_by=caseworker)


def test_page_post_without_person_is_refused_with_japanese_error(client, caseworker):
    client.force_login(caseworker)
    response = client.post(reverse("cases:household_create"), {"address": "みどり市北部町1-1"})
    assert response.status_code == 200
    assert "世帯は最初の世帯員（本人）と一緒に登録してください。" in response.content.decode()
    assert not Household.objects.exists()
    assert not AuditEvent.objects.filter(action="household.create").exists()


def test_page_post_with_person_still_creates_household_with_member(client, caseworker, person):
    client.force_login(caseworker)
    url = reverse("cases:household_create") + f"?person={person.public_id}"
    response = client.post(url, {"address": "みどり市北部町1-1"})
    assert response.status_code == 302
    assert Household.objects.get().members.get().person == person


def test_api_create_without_person_is_400(caseworker):
    api = APIClient()
    api.force_authenticate(caseworker)
    response = api.post(f"{API}/households/", {"address": "みどり市北部町1-1"}, format="json")
    assert response.status_code == 400
    assert "person" in response.json()["error"]["fields"]
    assert not Household.objects.exists()


def test_api_create_with_person_adds_first_member(caseworker, person):
    api = APIClient()
    api.force_authenticate(caseworker)
    response = api.post(
        f"{API}/households/",
        {"address": "みどり市北部町1-1", "person": str(person.public_id)},
        format="json",
    )
    assert response.status_code == 201
    assert Household.objects.get().members.get().person == person


def test_api_create_with_someone_elses_person_is_refused(outsider, person):
    api = APIClient()
    api.force_authenticate(outsider)
    response = api.post(
        f"{API}/households/",
        {"address": "みどり市北部町1-1", "person": str(person.public_id)},
        format="json",
    )
    assert response.status_code in (403, 404)
    assert not Household.objects.exists()
