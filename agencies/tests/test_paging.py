"""`KeysFirstPaginator` (agencies/paging.py) shows the same rows in the same order as Django's
paginator on every page — also with ties in the sort key, joins and prefetches — while it
chooses a page's keys before reading the joined rows."""

import datetime as dt

import pytest
from django.core.paginator import PageNotAnInteger, Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agencies.paging import (
    FirstPageCountingPaginator,
    KeysFirstPaginator,
    KeysWithCountPaginator,
    head_and_count,
)
from cases.models import Consultation
from cases.tests.factories import AgencyFactory, ConsultationFactory, UserFactory

pytestmark = pytest.mark.django_db

COUNTING = 'AS "__count"'  # Django's COUNT query (QuerySet.count, Paginator.count)


@pytest.fixture
def consultations():
    agencies = [AgencyFactory(name=f"機関{i}") for i in range(3)]
    staff = UserFactory()
    when = timezone.now() - dt.timedelta(days=1)
    for i in range(22):  # ties: three share each received_at
        ConsultationFactory(
            agency=agencies[i % 3], staff=staff, received_at=when - dt.timedelta(hours=i // 3)
        )


def _ordered():
    return (
        Consultation.objects.select_related("agency", "staff")
        .prefetch_related("issues")
        .order_by("-received_at", "agency__name", "-pk")
    )


@pytest.mark.parametrize("paginator", [KeysFirstPaginator, KeysWithCountPaginator])
def test_every_page_matches_djangos(consultations, paginator):
    plain, keys = Paginator(_ordered(), 5, orphans=2), paginator(_ordered(), 5, orphans=2)
    assert keys.num_pages == plain.num_pages == 4
    for number in plain.page_range:
        expected = [(c.pk, c.agency.name, c.categories) for c in plain.page(number)]
        shown = [(c.pk, c.agency.name, c.categories) for c in keys.page(number)]
        assert shown == expected
    assert sum(len(keys.page(n)) for n in keys.page_range) == 22


def test_a_page_reads_its_rows_in_one_query_by_key(consultations):
    page = KeysFirstPaginator(_ordered(), 5).page(2)
    with CaptureQueriesContext(connection) as ctx:
        rows = list(page)
    assert len(rows) == 5
    main = ctx.captured_queries[0]["sql"]
    assert main.count("SELECT") == 2 and "LIMIT 5 OFFSET 5" in main  # the keys, inside


def test_a_list_is_sliced():
    page = KeysFirstPaginator(list(range(12)), 5).page(3)
    assert list(page) == [10, 11]


def test_the_rows_query_does_not_repeat_the_lists_filters(consultations):
    """The keys carry the filters (a list's visibility is one): the outer query reads by key."""
    agency = Consultation.objects.order_by("pk").first().agency
    listed = _ordered().filter(agency_id=agency.pk)
    with CaptureQueriesContext(connection) as ctx:
        rows = list(KeysFirstPaginator(listed, 5).page(1))
    assert [c.pk for c in rows] == [c.pk for c in Paginator(listed, 5).page(1)]
    assert {c.agency_id for c in rows} == {agency.pk}
    assert ctx.captured_queries[0]["sql"].count(f'"agency_id" = {agency.pk}') == 1


def test_a_filter_through_a_join_keeps_its_rows(consultations):
    """A filter that joins another table stays in the outer query (its join is part of the
    rows); the pages are still Django's."""
    listed = _ordered().filter(agency__name="機関1")
    plain, keys = Paginator(listed, 3), KeysFirstPaginator(listed, 3)
    assert keys.num_pages == plain.num_pages == 3
    for number in plain.page_range:
        assert [c.pk for c in keys.page(number)] == [c.pk for c in plain.page(number)]


@pytest.mark.parametrize("paginator", [FirstPageCountingPaginator, KeysFirstPaginator])
@pytest.mark.parametrize("rows, orphans", [(0, 0), (4, 0), (5, 0), (7, 2)])
def test_a_list_that_fits_on_its_first_page_is_not_counted(consultations, paginator, rows, orphans):
    listed = _ordered()[:rows] if paginator is FirstPageCountingPaginator else _ordered()
    if paginator is KeysFirstPaginator:
        listed = listed.filter(pk__in=[c.pk for c in _ordered()[:rows]])
    with CaptureQueriesContext(connection) as ctx:
        page = paginator(listed, 5, orphans=orphans).get_page(None)
        shown = [c.pk for c in page]
    assert not any(COUNTING in q["sql"] for q in ctx.captured_queries)
    expected = Paginator(listed, 5, orphans=orphans).page(1)
    assert shown == [c.pk for c in expected]
    assert (page.paginator.count, page.paginator.num_pages) == (rows, 1)
    assert not page.has_next()


@pytest.mark.parametrize("rows, orphans", [(0, 0), (4, 0), (7, 2), (8, 2), (22, 0), (22, 2)])
def test_a_first_page_can_read_its_keys_with_the_count_then_its_rows(consultations, rows, orphans):
    """KeysWithCountPaginator: a first page's keys come with the count of every row of the list
    (COUNT(*) OVER (), one pass over the rows the filters let through), then the rows of those
    keys — no COUNT over the list a second time, however long it is. The count is COUNT(*)'s
    and the page Django's."""
    listed = _ordered().filter(pk__in=[-1, *(c.pk for c in _ordered()[:rows])])  # never empty
    with CaptureQueriesContext(connection) as ctx:
        page = KeysWithCountPaginator(listed, 5, orphans=orphans).get_page(None)
        shown = [c.pk for c in page]
    statements = [q["sql"] for q in ctx.captured_queries]
    django = Paginator(listed, 5, orphans=orphans)
    assert shown == [c.pk for c in django.page(1)]
    assert page.paginator.count == listed.count() == rows
    assert page.paginator.num_pages == django.num_pages
    assert page.has_next() is django.page(1).has_next()
    assert not any(COUNTING in sql for sql in statements)
    assert sum("OVER ()" in sql for sql in statements) == 1
    # The keys, then (when there are any) the rows and the prefetched issues.
    assert len(statements) == (3 if rows else 1)


def test_a_longer_list_is_counted_and_its_first_page_is_djangos(consultations):
    with CaptureQueriesContext(connection) as ctx:
        page = FirstPageCountingPaginator(_ordered(), 5, orphans=2).get_page("1")
        shown = [c.pk for c in page]
    assert sum(COUNTING in q["sql"] for q in ctx.captured_queries) == 1
    assert shown == [c.pk for c in Paginator(_ordered(), 5, orphans=2).page(1)]
    assert (page.paginator.count, page.paginator.num_pages, page.has_next()) == (22, 4, True)


def test_page_numbers_keep_djangos_answers(consultations):
    paginator = FirstPageCountingPaginator(_ordered(), 5)
    assert paginator.get_page("abc").number == 1
    assert FirstPageCountingPaginator(_ordered(), 5).get_page("99").number == 5  # the last
    # DRF would turn this into a 404; the API answers ?page=abc with a structured 400 before it
    # reaches the paginator (agencies.api_contract.QueryParamsMiddleware).
    with pytest.raises(PageNotAnInteger):
        FirstPageCountingPaginator(_ordered(), 5).page("abc")


@pytest.mark.parametrize("rows, counted", [(0, False), (5, False), (6, True), (22, True)])
def test_a_panel_counts_only_when_it_shows_less_than_there_is(consultations, rows, counted):
    listed = _ordered().filter(pk__in=[c.pk for c in _ordered()[:rows]])
    with CaptureQueriesContext(connection) as ctx:
        shown, count = head_and_count(listed, 5)
    assert [c.pk for c in shown] == [c.pk for c in listed[:5]]
    assert count == rows
    assert any("COUNT(" in q["sql"] for q in ctx.captured_queries) is counted


def test_ids_from_a_subquery_are_not_sorted_unless_sliced():
    """`pk__in_ids` drops the subquery's default ordering, as `__in` does (CaseTeamMember orders
    by its case's opening date: a join and a sort of the whole subquery), but keeps the order
    of a sliced subquery, whose rows it decides (a page's keys)."""
    from cases.models import CaseTeamMember, SupportCase

    team_cases = CaseTeamMember.objects.values("case_id")
    whole = str(SupportCase.objects.filter(pk__in_ids=team_cases).order_by().query)
    assert "ORDER BY" not in whole and "JOIN" not in whole
    sliced = str(SupportCase.objects.filter(pk__in_ids=team_cases[:5]).order_by().query)
    assert sliced.count("ORDER BY") == 1
