"""Paging for long lists: a count that stops at a cap, and pages whose keys are chosen before
their joins are read (`KeysFirstPaginator`, below).

An exact COUNT(*) over a million audit rows or every case of a city costs more than the page
itself, and nobody pages to row 600,000. `CappedPaginator` counts at most `cap + 1` rows
(`SELECT COUNT(*) FROM (… LIMIT cap + 1)`), pages through the first `cap` rows, and tells the
pager to say 「10,000件以上」 beyond that; filters narrow a list further.
"""

from django.core.paginator import Paginator
from django.db.models import Count, QuerySet, Window
from django.db.models.sql.where import WhereNode
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination


class CappedPaginator(Paginator):
    default_cap = 10_000

    def __init__(self, object_list, per_page, *, cap: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap or self.default_cap

    @cached_property
    def _capped_count(self) -> int:
        # The first cap + 1 rows in any order count the same: without the list's ORDER BY the
        # database reads them from whichever index is cheapest (the audit log's 10,001: 5.4 →
        # ~2 ms at 1.5 M rows, the ordered walk fetched every row from the table).
        rows = self.object_list
        if hasattr(rows, "order_by"):
            rows = rows.order_by()
        return rows[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._capped_count, self.cap)

    @property
    def capped(self) -> bool:
        """More rows exist than the count says."""
        return self._capped_count > self.cap


def head_and_count(qs, n: int) -> tuple[list, int]:
    """The first `n` rows and how many rows there are, for a panel that shows a few of a count:
    one query when they are all (most panels show everything they count), a COUNT only when
    there are more. `FirstPageCountingPaginator` does the same for a list's first page."""
    rows = list(qs[: n + 1])
    if len(rows) <= n:
        return rows, len(rows)
    return rows[:n], qs.count()


def compiled_head_and_count(read, values: tuple, n: int, counted) -> tuple[list, int]:
    """`head_and_count` for a statement compiled once (agencies.compiled) that reads a panel's
    first `n + 1` rows: `counted()`, the same rows as a queryset, is counted only when there are
    more."""
    rows = read.instances(*values)
    if len(rows) <= n:
        return rows, len(rows)
    return rows[:n], counted().count()


def all_rows(page) -> list | None:
    """Every row of the list when `page` holds them all (a list of one page), else None: a
    caller that needs the whole result next to the page need not ask for it again."""
    if page is None or page.has_other_pages():
        return None
    return list(page.object_list)


class FirstPageCountingPaginator(Paginator):
    """The first page read with one row more than it can show: when that is every row, their
    number is the count and no COUNT query runs. Most searches and short lists fit on one page
    (a name search that finds 37 of the 12,000 佐藤 in the city: 3 ms of COUNT saved); a longer
    list is counted as usual, and the rows already read are its first page."""

    capped = False  # counts every row; the pager and the list summary ask (CappedPaginator.capped)

    def get_page(self, number):
        if "count" not in self.__dict__ and _is_first(number):
            return self.page(1)
        return super().get_page(number)

    def page(self, number):
        if "count" in self.__dict__ or number not in (1, "1"):
            number = self.validate_number(number)
            bottom = (number - 1) * self.per_page
            top = bottom + self.per_page
            if top + self.orphans >= self.count:
                top = self.count
            return self._get_page(self._rows(bottom, top), number, self)
        window = self.per_page + self.orphans  # the first page shows all of up to this many
        rows = list(self._rows(0, window + 1))
        if len(rows) <= window:
            self.count = len(rows)
            if not rows and not self.allow_empty_first_page:
                self.validate_number(1)  # raises EmptyPage, as Django's paginator does
            return self._get_page(rows, 1, self)
        self.validate_number(1)
        return self._get_page(rows[: self.per_page], 1, self)

    def _rows(self, bottom: int, top: int):
        return self.object_list[bottom:top]


def _is_first(number) -> bool:
    """Page 1, or what Django's `get_page` turns into page 1 (no number, not a number)."""
    if number in (None, "", 1, "1"):
        return True
    try:
        int(number)
    except (TypeError, ValueError):
        return True
    return False


class KeysFirstPaginator(FirstPageCountingPaginator):
    """A page's rows found by key first, then read with their joins.

    `qs[bottom:top]` joins every row the filter lets through (household, 本人, agencies …) before
    sorting and keeping 50: for a coordinator who may see 1,768 cases that is 1,768 rows of five
    tables read to show 50 (22 ms at city scale). Here the page's primary keys are chosen on
    the case table alone and the joins read only those rows — one query still:
    `… WHERE id = ANY(ARRAY(SELECT id … ORDER BY … LIMIT 50)) ORDER BY …` (10 ms).
    The keys carry the list's filters (visibility included), so the outer query does not repeat
    them — unless a filter joined another table, whose join the outer query's rows then depend on.
    Anything that is not a plain queryset (a list, a union, DISTINCT) is sliced as usual.
    """

    def _rows(self, bottom: int, top: int):
        qs = self.object_list
        if not _keyed(qs):
            return qs[bottom:top]
        return _without_filters(qs).filter(pk__in_ids=qs.values("pk")[bottom:top])


# The count a first page's keys come with (a name no model's field has).
ROWS_IN_ALL = "keys_first_rows_in_all"


class KeysWithCountPaginator(KeysFirstPaginator):
    """`KeysFirstPaginator` whose first page's keys come with the count of the whole list
    (`COUNT(*) OVER ()` beside them), then the rows of those keys: two statements however long
    the list, where a list longer than a page otherwise runs its COUNT, a second pass over it.

    For a list whose keys no index gives in order — the visible cases, found by probing the
    primary key with the ids of the user's grants (a coordinator's 1,768) and sorted after: the
    keys' pass reads every row anyway, and the count comes with it (PostgreSQL's CPU for the
    case list 20 → 14 ms a request, the API's 21 → 17, at city scale). Not for a list an index
    gives in order: its keys stop after the page's rows and its COUNT reads an index alone,
    while a count beside the keys reads every row (the consultation list: 8 → 38 ms).
    """

    def page(self, number):
        qs = self.object_list
        if "count" in self.__dict__ or number not in (1, "1") or not _keyed(qs):
            return super().page(number)
        window = self.per_page + self.orphans  # the first page shows all of up to this many
        keyed = qs.annotate(**{ROWS_IN_ALL: Window(Count("*"))}).values_list("pk", ROWS_IN_ALL)
        found = list(keyed[: window + 1])
        self.count = found[0][1] if found else 0
        if not found and not self.allow_empty_first_page:
            self.validate_number(1)  # raises EmptyPage, as Django's paginator does
        keys = [pk for pk, _n in found[: window if self.count <= window else self.per_page]]
        rows = list(_without_filters(qs).filter(pk__in=keys)) if keys else []
        return self._get_page(rows, 1, self)


def _keyed(qs) -> bool:
    """A plain queryset, whose page can be chosen by key first."""
    return (
        isinstance(qs, QuerySet)
        and not qs.query.combinator
        and not qs.query.is_sliced
        and not qs.query.distinct
    )


def _without_filters(qs: QuerySet) -> QuerySet:
    """`qs` with its joins, annotations, prefetches and order, but not its WHERE — when no
    filter joined a table (a join added for a filter stays in the query and would still act)."""
    query = qs.query
    if any(query.alias_refcount[alias] for alias in query.alias_map if alias != query.base_table):
        return qs
    outer = qs._chain()
    outer.query.where = WhereNode()
    return outer


class KeysFirstPagination(PageNumberPagination):
    """The API's page-number pagination (settings: DEFAULT_PAGINATION_CLASS) over
    `KeysFirstPaginator`: the same pages and answer, the joins read for the page's rows only."""

    django_paginator_class = KeysFirstPaginator


class KeysWithCountPagination(KeysFirstPagination):
    """`KeysFirstPagination` over `KeysWithCountPaginator`, for an API list whose keys no index
    gives in order (the support cases)."""

    django_paginator_class = KeysWithCountPaginator
