import pytest
from django.db import transaction

from reports.tests.city import build_city


@pytest.fixture(scope="module")
def city(django_db_setup, django_db_blocker):
    """The fixture city, built once per test module (about 10 s of service calls) and rolled
    back afterwards. Tests that use it also take `db`, which nests inside."""
    with django_db_blocker.unblock():
        with transaction.atomic():
            # An earlier transactional test may have flushed the migration-seeded registry.
            from access.services import registry_ensure

            registry_ensure()
            c = build_city()
            yield c
            transaction.set_rollback(True)


@pytest.fixture
def city_db(city, db):
    return city
