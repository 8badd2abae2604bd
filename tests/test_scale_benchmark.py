"""The scale benchmark in small (CI): the generated city at scale 0.01, every measured page.

What it proves: each page answers 200 for its demo user, stays within its query budget, and no
query of any page is planned as a sequential scan over a table of more than 10,000 rows. The
timings, and the comparison of query counts between scales 0.1 and 1, are for
`benchmarks/pages_benchmark.py` on the full data set (see benchmarks/RESULTS.md).
"""

import io
import re

import pytest
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the scale data set is generated with COPY and checked with EXPLAIN: PostgreSQL only",
)

# Queries per page: session, user, memberships, two-factor device, the page's own reads and
# its audit row; dashboards add one or two per panel of each programme (46 for the supervisor
# when measured). A page that reads per row blows through this at 25 rows a page.
QUERY_BUDGET = 60


@pytest.mark.django_db
def test_every_measured_page_answers_within_budget_and_never_scans_a_big_table(settings):
    from benchmarks.scaledata.pages import PROGRAMME_PAGES, run_pages

    settings.AXES_ENABLED = False
    out = io.StringIO()
    call_command("generate_scale_data", scale=0.01, seed=7, stdout=out)
    written = dict(re.findall(r"^  ([\w.]+): ([\d,]+)$", out.getvalue(), re.M))
    # The programmes are generated at their sizes (scale 1: 3,000 targets with 60,000 contacts,
    # 2,000 placements), not only the core of the city.
    assert written["outreach.OutreachTarget"] == "30"
    assert written["outreach.OutreachContact"] == "600"
    assert written["participation.Placement"] == "20"
    assert written["community.Resource"] == "20"
    assert int(written["community.Session"].replace(",", "")) > 0
    _floors_select_what_the_pages_select()
    results = run_pages(runs=1)
    assert len(results) >= 20
    assert {p.name for p in PROGRAMME_PAGES} <= {r["name"] for r in results}
    problems = [
        (r["name"], r["status"], r["queries"], r["seq_scans"])
        for r in results
        if r["status"] != 200
        or r["queries"] > QUERY_BUDGET
        # Known, in the closing note: at 15,000 audit rows the planner still prefers a scan for
        # the capped count of the audit log; at scale it uses the index on `at`.
        or set(r["seq_scans"]) - ({"audit_auditevent"} if r["name"] == "audit log" else set())
    ]
    assert not problems


def _floor_rows(name: str):
    from benchmarks.scaledata.pages import EXTRA_PAGES, PAGES, _user_ctx

    page = next(p for p in PAGES + EXTRA_PAGES if p.name == name)
    ctx = _user_ctx(page.user)
    ctx["url"] = page.url(ctx) if callable(page.url) else page.url
    sql, params = page.floor(ctx)
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return ctx, cur.fetchall()


def _floors_select_what_the_pages_select():
    """The floors write the policy's visibility out by hand (persons, outreach targets, cases):
    the ratio page ÷ floor means something only if both return the same rows."""
    from cases.selectors.persons import person_search
    from cases.selectors.support import cases_visible_to
    from outreach.selectors import targets_visible_to
    from participation.selectors import caseload

    for q in ("佐藤", "山田太郎", "たかはし"):
        name = next(n for n in _page_names() if n.startswith("person search") and q in n)
        ctx, [(rows, elsewhere)] = _floor_rows(name)
        found = person_search(actor=ctx["user"], q=q)
        assert [r["public_id"] for r in rows or []] == [
            str(p.public_id) for p in found.persons[:50]
        ], q
        assert sorted(elsewhere or []) == sorted(found.elsewhere()), q
    ctx, rows = _floor_rows("outreach target list (csw)")
    visible = targets_visible_to(ctx["user"]).open()
    assert rows and rows[0][-1] == visible.count()
    assert {r[0] for r in rows} <= set(visible.values_list("pk", flat=True))
    for name in ("case list (coordinator)", "case list (caseworker)"):
        ctx, [(rows, count, _coordinators)] = _floor_rows(name)
        open_cases = cases_visible_to(ctx["user"]).exclude(status__in=["closed", "handed_back"])
        assert count == open_cases.count(), name
        assert [r["number"] for r in rows] == list(
            open_cases.order_by("-opened_on", "-pk").values_list("number", flat=True)[:30]
        ), name
    ctx, [(cases, count, _assessments, _placements, _outcomes)] = _floor_rows(
        "participation caseload"
    )
    page_rows, page = caseload(ctx["user"])
    assert [c["id"] for c in cases or []] == [r.case.pk for r in page_rows]
    assert count == page.paginator.count


def _page_names() -> list[str]:
    from benchmarks.scaledata.pages import PAGES

    return [p.name for p in PAGES]


def test_copy_values_read_directly_equal_those_the_fields_prepare():
    """benchmarks.scaledata.bulk reads a CharField's str, an integer field's int, a date and an
    aware datetime as they are; any other field or value goes through pre_save and
    get_db_prep_save (`_value`). Both give the same text to COPY."""
    import datetime as dt
    import uuid
    import warnings

    from django.utils import timezone

    from audit.models import AuditEvent
    from benchmarks.scaledata.bulk import _converter, _value
    from cases.models import Person

    aware = timezone.now()
    naive = dt.datetime(2026, 4, 1, 9, 30)  # made aware by the field, in Asia/Tokyo
    samples = [
        AuditEvent(pk=7, at=aware, actor_id=3, action="case.view", kind="view", ip="10.0.0.1"),
        AuditEvent(pk=8, at=naive, actor_id=None, action="auth.login", changes={"a": "日本"}),
        AuditEvent(pk=9, at=aware, subjects=["p:1"], ip="::ffff:10.0.0.1"),
        AuditEvent(pk=10, at=aware, ip=""),
        Person(
            pk=11,
            public_id=uuid.uuid4(),
            family_name="佐藤",
            given_name="花子",
            birth_date=dt.date(1950, 4, 1),
            registered_by_agency_id=2,
        ),
        Person(pk=12, family_name="", birth_date=dt.datetime(1950, 4, 1, 0, 0)),  # a datetime
    ]

    def text(value):  # what the CSV writer hands to COPY
        return "\\N" if value is None else str(value)

    with warnings.catch_warnings():  # the naive datetime is made aware by the field, warning
        warnings.simplefilter("ignore", RuntimeWarning)
        for obj in samples:
            for field in [f for f in type(obj)._meta.concrete_fields if not f.generated]:
                assert text(_converter(field)(obj)) == text(_value(field, obj, connection)), field
