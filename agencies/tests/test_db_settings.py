"""The web's PostgreSQL connections run without parallel workers and JIT (settings
`PG_SESSION_OPTIONS`); the annual report turns parallel workers back on for its own transaction."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def _show(name: str) -> str:
    with connection.cursor() as cur:
        cur.execute(f"SHOW {name}")
        return cur.fetchone()[0]


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL settings")


def test_pages_run_without_parallel_workers_or_jit(postgres):
    assert _show("max_parallel_workers_per_gather") == "0"
    assert _show("jit") == "off"


@pytest.mark.django_db(transaction=True)  # the report's transaction is the outermost, as in use
def test_the_annual_report_uses_parallel_workers_in_its_transaction(postgres, monkeypatch):
    from reports import build

    seen = {}
    real = build._sections

    def spy(*args, **kwargs):
        seen["workers"] = _show("max_parallel_workers_per_gather")
        return real(*args, **kwargs)

    monkeypatch.setattr(build, "_sections", spy)
    build.build_annual_report(2026)
    assert seen["workers"] == "2"
    assert _show("max_parallel_workers_per_gather") == "0"  # only for that transaction
