"""Japanese dates shared by every app: 和暦, 年度 (April–March) and business days.

Business days follow the national holidays (the maintained `holidays` package, in Japanese) plus
the municipality's own closure days in settings.TSUNAGU_CLOSURE_DAYS ("MM-DD", 12/29–1/3 by
default). Deadlines in reminders and meeting schedules are computed with these helpers so every
app agrees on what "3 business days before" means.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import holidays
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Era:
    name: str  # 令和
    letter: str  # R
    start: dt.date  # first day of the era (Gregorian)


# Newest first. 明治 is counted from the Gregorian date of its proclamation; dates before the
# adoption of the Gregorian calendar (1873) are not meaningful for this system anyway.
ERAS: tuple[Era, ...] = (
    Era("令和", "R", dt.date(2019, 5, 1)),
    Era("平成", "H", dt.date(1989, 1, 8)),
    Era("昭和", "S", dt.date(1926, 12, 25)),
    Era("大正", "T", dt.date(1912, 7, 30)),
    Era("明治", "M", dt.date(1868, 10, 23)),
)


def _as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise TypeError("a date or datetime is required")


def era_of(value) -> tuple[Era, int]:
    """The era of a date and the year within it (1 for 元年)."""
    d = _as_date(value)
    for era in ERAS:
        if d >= era.start:
            return era, d.year - era.start.year + 1
    raise ValueError("dates before 明治 are not supported")


def _year_label(year: int) -> str:
    return "元" if year == 1 else str(year)


def wareki(value, style: str = "long") -> str:
    """令和8年11月22日 (long, 元年 for the first year) or R8.11.22 (short)."""
    d = _as_date(value)
    era, year = era_of(d)
    if style == "short":
        return f"{era.letter}{year}.{d.month}.{d.day}"
    if style != "long":
        raise ValueError("style must be 'long' or 'short'")
    return f"{era.name}{_year_label(year)}年{d.month}月{d.day}日"


# --- 年度 (fiscal year, April to March) ------------------------------------------------------


def fiscal_year(value) -> int:
    """The Western year in which the fiscal year containing the date starts (2027-03-31 -> 2026)."""
    d = _as_date(value)
    return d.year if d.month >= 4 else d.year - 1


def fiscal_year_range(fy: int) -> tuple[dt.date, dt.date]:
    """First and last day of fiscal year `fy` (inclusive)."""
    return dt.date(fy, 4, 1), dt.date(fy + 1, 3, 31)


def fiscal_year_label(fy: int) -> str:
    """令和8年度 for 2026.

    A fiscal year that spans an era change is named after the era in effect for most of it
    (its midpoint, 1 October): 2019 -> 令和元年度 (as the government names it), 1988 -> 昭和63年度.
    """
    era, year = era_of(dt.date(fy, 10, 1))
    return f"{era.name}{_year_label(year)}年度"


# --- business days ----------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _national_holidays(year: int) -> dict[dt.date, str]:
    # language="ja" on purpose: without it the names follow the process locale.
    return dict(holidays.country_holidays("JP", years=year, language="ja").items())


def _closure_days() -> frozenset[tuple[int, int]]:
    days = set()
    for item in getattr(settings, "TSUNAGU_CLOSURE_DAYS", []):
        month, day = str(item).strip().split("-")
        days.add((int(month), int(day)))
    return frozenset(days)


def holiday_name(value) -> str:
    """The national holiday's Japanese name, 閉庁日 for a municipal closure day, else ""."""
    d = _as_date(value)
    name = _national_holidays(d.year).get(d)
    if name:
        return name
    if (d.month, d.day) in _closure_days():
        return _("閉庁日")
    return ""


def _is_business_day(d: dt.date, closure: frozenset[tuple[int, int]]) -> bool:
    if d.weekday() >= 5:
        return False
    if (d.month, d.day) in closure:
        return False
    return d not in _national_holidays(d.year)


def is_business_day(value) -> bool:
    """Monday–Friday, not a national holiday, not a municipal closure day."""
    return _is_business_day(_as_date(value), _closure_days())


def next_business_day(value) -> dt.date:
    """The date itself when it is a business day, else the next one (deadline roll-forward)."""
    d, closure = _as_date(value), _closure_days()
    while not _is_business_day(d, closure):
        d += dt.timedelta(days=1)
    return d


def previous_business_day(value) -> dt.date:
    """The date itself when it is a business day, else the one before it."""
    d, closure = _as_date(value), _closure_days()
    while not _is_business_day(d, closure):
        d -= dt.timedelta(days=1)
    return d


def add_business_days(value, n: int) -> dt.date:
    """The n-th business day after the date (before it for negative n); the date itself for 0.

    The start date is never counted, so add_business_days(friday, 1) is the next Monday (when it
    is not a holiday) and add_business_days(d, -3) is "3 business days before d".
    """
    d, closure = _as_date(value), _closure_days()
    step = dt.timedelta(days=1 if n >= 0 else -1)
    remaining = abs(n)
    while remaining:
        d += step
        if _is_business_day(d, closure):
            remaining -= 1
    return d


def business_days_between(start, end) -> int:
    """Business days in (start, end]: the n with add_business_days(start, n) == end when end is
    a business day. Negative when end is before start; 0 for the same date."""
    a, b = _as_date(start), _as_date(end)
    if b < a:
        return -business_days_between(b, a)
    closure = _closure_days()
    count = 0
    d = a
    one = dt.timedelta(days=1)
    while d < b:
        d += one
        if _is_business_day(d, closure):
            count += 1
    return count


# --- ages -------------------------------------------------------------------------------------


def age(birth, on=None) -> int:
    """Full years on a date (today by default). A 2/29 birthday counts from 3/1 in common years."""
    b = _as_date(birth)
    d = _as_date(on) if on is not None else timezone.localdate()
    return d.year - b.year - ((d.month, d.day) < (b.month, b.day))
