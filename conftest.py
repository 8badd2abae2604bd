"""Fixtures shared by every app's tests: three users per protected thing (owner, colleague,
outsider) start from these."""

import pytest
from django.utils import translation

from agencies.choices import Role
from agencies.tests.factories import AgencyFactory, staff


@pytest.fixture
def agency(db):
    return AgencyFactory()


@pytest.fixture
def other_agency(db):
    return AgencyFactory()


@pytest.fixture
def caseworker(agency):
    return staff(agency, Role.CASEWORKER)


@pytest.fixture
def colleague(agency):
    return staff(agency, Role.CASEWORKER)


@pytest.fixture
def outsider(other_agency):
    return staff(other_agency, Role.CASEWORKER)


@pytest.fixture
def admin_user(db):
    return staff(AgencyFactory(), Role.ADMIN)


@pytest.fixture(autouse=True)
def _japanese_by_default():
    """A request by an English-speaking user must not leave English active for the next test."""
    translation.activate("ja")
    yield
    translation.activate("ja")
