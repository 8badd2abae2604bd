"""The web's PostgreSQL connections run without parallel workers and JIT (settings
`PG_SESSION_OPTIONS`); the annual report turns parallel workers back on for its own transaction.
Statements a connection repeats are prepared on the server (`PG_PREPARE_THRESHOLD`)."""

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


def test_a_statement_the_connection_repeats_is_planned_once(postgres):
    """psycopg prepares a query after `prepare_threshold` runs on the connection; PostgreSQL then
    plans it once for every user and value (a page's planning was most of its database time)."""
    from agencies.models import User

    def prepared() -> list[tuple[str, int]]:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements"
                " WHERE statement LIKE %s",
                ['SELECT "agencies_user"."id"%WHERE "agencies_user"."username" = $1%'],
            )
            return cur.fetchall()

    threshold = connection.settings_dict["OPTIONS"]["prepare_threshold"]
    assert threshold == 5
    # Every page's statements stay prepared (psycopg's default keeps 100 a connection).
    connection.ensure_connection()
    assert connection.connection.prepared_max == 1000
    for n in range(threshold):
        User.objects.filter(username=f"nobody-{n}").first()
    assert prepared() == []  # not before the threshold
    for n in range(3):
        User.objects.filter(username=f"somebody-{n}").first()
    [(statement, runs)] = prepared()
    assert runs == 3 and "$1" in statement  # one statement, the values bound apart


def test_a_search_is_never_prepared(postgres):
    """A pattern match keeps being planned with its text: a generic plan cannot tell 佐藤 from a
    rare name (the coordinator's person picker went from 15 ms to 600–800 ms on one)."""
    from agencies.models import User

    for n in range(8):
        list(User.objects.filter(display_name__contains=f"佐藤{n}"))
    with connection.cursor() as cur:
        cur.execute("SELECT statement FROM pg_prepared_statements")
        statements = [row[0] for row in cur.fetchall()]
    assert not [s for s in statements if " LIKE " in s]
    assert connection.connection.cursor_factory.__name__ == "SearchAwareCursor"
