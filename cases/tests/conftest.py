"""Fixtures shared by the cases app's tests (the project-wide ones are in the root conftest.py):
the 多機関協働 body most case tests start from, and its coordinator who opens the cases."""

import pytest

from agencies.choices import Role
from agencies.tests.factories import staff
from cases.tests.factories import multiagency_agency


@pytest.fixture
def body():
    return multiagency_agency()


@pytest.fixture
def owner(body):
    return staff(body, Role.COORDINATOR)
