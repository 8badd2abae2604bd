"""The figure registry: every reported number is a named definition.

A `Figure` says what it counts in words (`rule`, shown to municipal officers on the definitions
page) and in code (`records`, the queryset of the counted units for a period). The value is
computed from exactly those records, so a figure and its drill-down list cannot disagree: the
drill-down is the same queryset, narrowed to what the viewer may see.

Other apps add figures with `register(Figure(...))` in a module imported by their AppConfig.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agencies import jpdates


class Basis:
    """実数 (each unit once) or 延べ (every occurrence), or a derived number."""

    DISTINCT = "distinct"
    CUMULATIVE = "cumulative"
    AVERAGE = "average"
    SHARE = "share"
    LABELS = {
        DISTINCT: _("実数"),
        CUMULATIVE: _("延べ"),
        AVERAGE: _("平均"),
        SHARE: _("割合"),
    }


class Unit:
    HOUSEHOLDS = "households"
    PERSONS = "persons"
    ITEMS = "items"
    TIMES = "times"
    DAYS = "days"
    PERCENT = "percent"
    PLACES = "places"
    HOURS = "hours"
    ORGANISATIONS = "organisations"
    LABELS = {
        HOUSEHOLDS: _("世帯"),
        PERSONS: _("人"),
        ITEMS: _("件"),
        TIMES: _("回"),
        DAYS: _("日"),
        PERCENT: _("%"),
        PLACES: _("か所"),
        HOURS: _("時間"),
        ORGANISATIONS: _("団体"),
    }


@dataclass(frozen=True)
class Period:
    """A fiscal year (4月〜3月) counted up to `as_of` (inclusive)."""

    fiscal_year: int
    as_of: dt.date

    @staticmethod
    def as_of_error(fiscal_year: int, as_of: dt.date) -> str | None:
        """Why `as_of` is no 基準日 of that fiscal year (None when it is one): a report counts
        from the year's first day to its 基準日, which lies within the year."""
        start, end = jpdates.fiscal_year_range(fiscal_year)
        if as_of < start:
            return gettext("基準日は年度の初日(4月1日)以降にしてください。")
        if as_of > end:
            return gettext("基準日は年度の末日(%(end)s)までにしてください。") % {
                "end": jpdates.format_date(end)
            }
        return None

    @classmethod
    def of(cls, fiscal_year: int, as_of: dt.date | None = None) -> Period:
        start, end = jpdates.fiscal_year_range(fiscal_year)
        as_of = as_of or min(timezone.localdate(), end)
        return cls(fiscal_year, as_of)

    @property
    def start(self) -> dt.date:
        return jpdates.fiscal_year_range(self.fiscal_year)[0]

    @property
    def end(self) -> dt.date:
        """The last day counted: the as-of date, or the fiscal year's last day if earlier."""
        return min(self.as_of, jpdates.fiscal_year_range(self.fiscal_year)[1])

    @property
    def start_at(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time(), tzinfo=timezone.get_current_timezone())

    @property
    def end_before(self) -> dt.datetime:
        """The first instant after the period (local midnight after `end`)."""
        return dt.datetime.combine(
            self.end + dt.timedelta(days=1), dt.time(), tzinfo=timezone.get_current_timezone()
        )

    @property
    def label(self) -> str:
        return jpdates.fiscal_year_label(self.fiscal_year)


Number = int | Decimal | None

# `group_key=ALL`: the figure is the sum of every key of its `grouped` dict — a parent whose
# breakdown partitions its records is counted from the breakdown's one GROUP BY query. A tuple
# of keys sums those keys (訪問 = 家庭訪問 + 同行支援).
ALL = object()


@dataclass(frozen=True)
class Figure:
    code: str
    label: str
    programme: str
    basis: str
    unit: str
    rule: str
    # The counted records of a period: one row per counted unit for 実数/延べ figures.
    records: Callable[[Period], QuerySet]
    # What a drill-down row is ("household", "person", "consultation", "referral", "case",
    # "meeting", …): the viewer's access filter and the row's link are chosen by it.
    record_kind: str
    # For averages and shares: a function of the records (default: their count).
    compute: Callable[[QuerySet, Period], Number] | None = None
    # For breakdowns: one GROUP BY query for the whole dimension ({key: count}) and this
    # figure's key in it. Same rows as `records`, counted once per dimension while a report is
    # built (see `figure_cache`), instead of one query per category. Top-level figures use it
    # too: several figures over the same rows read one aggregate query (see `ALL`).
    grouped: Callable[[Period], dict] | None = None
    group_key: object = None
    group: str = ""  # the parent figure of a breakdown ("consultation.contacts")
    group_label: str = ""  # the breakdown's dimension ("相談経路")
    # The value sums a field of the records (延べ from the hosts' tallies), not their count: the
    # drill-down lists the records that were summed.
    summed: bool = False
    counts_persons: bool = False  # small-cell protection applies (counts of people)
    order: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def basis_label(self) -> str:
        return str(Basis.LABELS[self.basis])

    @property
    def unit_label(self) -> str:
        return str(Unit.LABELS[self.unit])

    @property
    def basis_text(self) -> str:
        """「実数・世帯」"""
        return f"{self.basis_label}・{self.unit_label}"

    @property
    def is_count(self) -> bool:
        """The value is the number of `records` (so the drill-down's total equals it)."""
        return self.compute is None and not self.summed

    def value(self, period: Period) -> Number:
        if self.grouped is not None:
            data = cached(self.grouped, period)
            if self.group_key is ALL:
                return sum(data.values())
            if isinstance(self.group_key, tuple):
                return sum(data.get(key, 0) for key in self.group_key)
            return data.get(self.group_key, 0)
        qs = self.records(period)
        if self.compute is not None:
            return self.compute(qs, period)
        return qs.count()


_FIGURES: dict[str, Figure] = {}
_CACHE: ContextVar[dict | None] = ContextVar("figure_cache", default=None)


@contextmanager
def figure_cache():
    """While building one report, a grouped query serves every figure of its dimension."""
    token = _CACHE.set({})
    try:
        yield
    finally:
        _CACHE.reset(token)


def cached(fn: Callable[[Period], dict], period: Period) -> dict:
    cache = _CACHE.get()
    if cache is None:
        return fn(period)
    key = (fn, period)
    if key not in cache:
        cache[key] = fn(period)
    return cache[key]


def aggregate(qs, **expressions) -> dict:
    """Several figures over the same rows in one aggregate query ({name: value}, 0 for none)."""
    row = qs.order_by().aggregate(**expressions)
    return {name: value or 0 for name, value in row.items()}


def count_by(qs, field: str) -> dict:
    """{value of `field`: number of rows} in one GROUP BY query."""
    from django.db.models import Count

    return {
        key: n
        for key, n in qs.order_by()
        .values_list(field)
        .annotate(n=Count("pk"))
        .values_list(field, "n")
    }


def register(figure: Figure) -> Figure:
    if figure.code in _FIGURES:
        raise RuntimeError(f"figure {figure.code!r} registered twice")
    _FIGURES[figure.code] = figure
    return figure


def register_breakdown(
    group: str,
    segment: str,
    choices,
    *,
    records: Callable,
    field: str,
    rule: Callable[[str], str],
    order: int,
    **common,
) -> None:
    """One figure per choice below the figure `group` (code `group.segment.<choice>`): the rows
    of `records(period)` whose `field` is that choice; `rule(label)` its written rule; `common`
    what every part shares with the others (programme, basis, unit, grouped, record_kind …)."""
    for n, (code, label) in enumerate(choices):
        register(
            Figure(
                code=f"{group}.{segment}.{code}",
                label=label,
                rule=rule(label),
                records=lambda period, code=code: records(period).filter(**{field: code}),
                group_key=code,
                group=group,
                order=order + n,
                **common,
            )
        )


def get(code: str) -> Figure | None:
    return _FIGURES.get(code)


def all_figures(programme: str | None = None) -> list[Figure]:
    figures = sorted(_FIGURES.values(), key=lambda f: (f.order, f.code))
    if programme:
        figures = [f for f in figures if f.programme == programme]
    return figures


def top_level(programme: str | None = None) -> list[Figure]:
    return [f for f in all_figures(programme) if not f.group]


def breakdown_of(code: str) -> list[Figure]:
    return [f for f in all_figures() if f.group == code]


def mean_days(pairs) -> Decimal | None:
    """Mean of whole days between (start, end) date pairs, to one decimal place."""
    days = [(end - start).days for start, end in pairs]
    return _mean(sum(days), len(days))


def _mean(total: int, n: int) -> Decimal | None:
    if not n:
        return None
    return (Decimal(total) / n).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def mean_local_days(qs: QuerySet, start: str, end: str) -> Decimal | None:
    """`mean_days` of the local dates of two datetime fields, counted by the database.

    The same figure as ``mean_days((local_date(a), local_date(b)) for a, b in rows)`` (tested
    both ways), without reading every row into Python: the dashboard's turnaround of a busy
    多機関協働 body reads thousands of つなぐシート a year."""
    row = qs.aggregate(n=Count("pk"), total=Sum(TruncDate(end) - TruncDate(start)))
    return _mean(row["total"].days if row["n"] else 0, row["n"])


def share(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def local_date(value: dt.datetime) -> dt.date:
    return timezone.localtime(value).date()


def joined(*parts):
    """Concatenate translatable texts lazily (each is translated when shown)."""
    return format_lazy("{}" * len(parts), *parts)


def interp(text, **values):
    """`text % values`, lazily: the translation is looked up when the text is shown."""
    return lazy(lambda: str(text) % values, str)()
