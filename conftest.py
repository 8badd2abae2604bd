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


@pytest.fixture
def missing_template_variables(monkeypatch) -> list[str]:
    """The template variables a rendering asked for and did not find (each such lookup raises
    and catches three exceptions and lists dir() of the object: ~10 µs a row of a list)."""
    from django.template.base import Variable, VariableDoesNotExist

    missing: list[str] = []
    resolve = Variable._resolve_lookup

    def recording(self, context):
        try:
            return resolve(self, context)
        except VariableDoesNotExist:
            missing.append(self.var)
            raise

    monkeypatch.setattr(Variable, "_resolve_lookup", recording)
    return missing


@pytest.fixture(autouse=True)
def _fresh_dashboards(settings):
    """Dashboard figures, the matching catalogue and the navigation's costly entries are cached
    for minutes in production; a test sees its own data."""
    settings.DASHBOARD_CACHE_SECONDS = 0
    settings.MATCHING_CACHE_SECONDS = 0
    settings.NAV_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def _japanese_by_default():
    """A request by an English-speaking user must not leave English active for the next test."""
    translation.activate("ja")
    yield
    translation.activate("ja")


class GeneratedSchema:
    """The project's OpenAPI schema with what drf-spectacular warned about while building it."""

    def __init__(self, schema: dict, warnings: list[str], errors: list[str]):
        self.schema, self.warnings, self.errors = schema, warnings, errors

    def issues_in(self, *paths: str) -> list[str]:
        """Warnings and errors raised at source files under `paths` (e.g. "agencies/")."""
        return [m for m in self.warnings + self.errors if any(p in m for p in paths)]


@pytest.fixture(scope="session")
def openapi_schema() -> GeneratedSchema:
    """Generate the schema once per run, capturing drf-spectacular's warnings (which otherwise
    only go to stderr) so tests can assert there are none."""
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        schema = SchemaGenerator().get_schema(request=None, public=True)
    generated = GeneratedSchema(
        schema, list(GENERATOR_STATS._warn_cache), list(GENERATOR_STATS._error_cache)
    )
    GENERATOR_STATS.reset()
    return generated


@pytest.fixture(autouse=True)
def _legal_basis_registry(request):
    """A transactional test (live server, concurrency tests on PostgreSQL) flushes the database
    and takes the rows that data migrations seeded with it; the tests after it would then run
    without the legal-basis registry that every real database has. Put it back when missing."""
    uses_db = request.node.get_closest_marker("django_db") or {
        "db",
        "transactional_db",
        "live_server",
    } & set(request.fixturenames)
    if not uses_db:
        yield
        return
    if {"transactional_db", "live_server"} & set(request.fixturenames):
        request.getfixturevalue("transactional_db")
    else:
        request.getfixturevalue("db")
    from access.services import registry_ensure

    registry_ensure()
    _retention_rules_ensure()
    yield


def _retention_rules_ensure():
    """The retention rules the data migrations seed (the same flush takes them)."""
    from importlib import import_module

    from django.apps import apps

    from retention.models import RetentionRule

    if RetentionRule.objects.exists():
        return
    for name in ("0002_seed_support_case_rule", "0004_seed_record_kind_rules"):
        import_module(f"retention.migrations.{name}").seed(apps, None)
