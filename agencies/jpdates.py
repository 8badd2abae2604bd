"""Japanese dates shared by every app: the one formatter and parser (和暦), 年度 (April–March) and
business days.

Screens and PDFs show dates with `format_date` / `format_datetime` (templates: {% load jp %}
{{ d|jdate }} {{ t|jdatetime }}, :"weekday" for 令和8年11月24日(火)); the one compact form for
calendar cells and dense rows is `format_monthday` (|jmonthday, 11月24日(火)), with
`format_month` (|jmonth) and `format_time` (|jtime). Templates never use Django's |date: for
what a user reads (agencies/tests/test_one_date_style.py). Every typed or imported date goes
through `parse_date` (forms: cases.forms_persons.JapaneseDateField, API:
JapaneseDateSerializerField, CSV imports). Files (CSV/XLSX) carry ISO dates, see
agencies/tabular.py.

Business days follow the national holidays (the maintained `holidays` package, in Japanese) plus
the municipality's own closure days in settings.TSUNAGU_CLOSURE_DAYS ("MM-DD", 12/29–1/3 by
default). Deadlines in reminders and meeting schedules are computed with these helpers so every
app agrees on what "3 business days before" means.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache

import holidays
from django.conf import settings
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from holidays.countries import Japan


@dataclass(frozen=True)
class Era:
    name: str  # 令和
    letter: str  # R
    start: dt.date  # first day of the era (Gregorian)
    end: dt.date | None = None  # last day; None for the current era

    def contains(self, d: dt.date) -> bool:
        return d >= self.start and (self.end is None or d <= self.end)


# Newest first, with the real first and last days. 明治 is counted from the Gregorian date of its
# proclamation (1868-10-23); earlier dates (and the lunar calendar before 1873) are not meaningful
# for this system. An era date outside its era (平成32年, 昭和64年3月1日, 令和元年4月1日) is refused.
ERAS: tuple[Era, ...] = (
    Era("令和", "R", dt.date(2019, 5, 1)),
    Era("平成", "H", dt.date(1989, 1, 8), dt.date(2019, 4, 30)),
    Era("昭和", "S", dt.date(1926, 12, 25), dt.date(1989, 1, 7)),
    Era("大正", "T", dt.date(1912, 7, 30), dt.date(1926, 12, 24)),
    Era("明治", "M", dt.date(1868, 10, 23), dt.date(1912, 7, 29)),
)
_ERA_BY_KEY = {key: era for era in ERAS for key in (era.name, era.letter)}


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


# The current user's choice (User.show_seireki), set per request by SecurityPolicyMiddleware.
SHOW_SEIREKI: ContextVar[bool] = ContextVar("show_seireki", default=False)


def weekday_label(value) -> str:
    """The weekday in brackets: (木) in Japanese, (Thu) in English (Django's own translations
    of the abbreviated day names, the ones |date:"D" used)."""
    return f"({WEEKDAYS_ABBR[_as_date(value).weekday()]})"


def format_date(value, *, seireki: bool | None = None, weekday: bool = False) -> str:
    """The product's one date style on screens and in PDFs: 令和8年11月26日, or with the Western
    year after it when the user asks for it: 令和8年11月26日(2026年). With weekday=True the day
    of the week follows the day: 令和8年11月26日(木). Empty for None/""."""
    if value is None or value == "":
        return ""
    if seireki is None:
        seireki = SHOW_SEIREKI.get()
    d = _as_date(value)
    if d < ERAS[-1].start:  # before 明治: no era to name
        text = f"{d.year}年{d.month}月{d.day}日"
        return text + weekday_label(d) if weekday else text
    text = wareki(d) + (weekday_label(d) if weekday else "")
    return f"{text}({d.year}年)" if seireki else text


def _local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def format_datetime(value, *, seireki: bool | None = None, weekday: bool = False) -> str:
    """令和8年11月26日 14:05 (令和8年11月26日(木) 14:05 with weekday=True), always in Asia/Tokyo
    (settings.TIME_ZONE), never UTC. A date alone: as format_date."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        return format_local_datetime(_local(value), seireki=seireki, weekday=weekday)
    return format_date(value, seireki=seireki, weekday=weekday)


def format_local_datetime(
    local: dt.datetime, *, seireki: bool | None = None, weekday: bool = False
) -> str:
    """format_datetime of a time already in Asia/Tokyo (a caller that localized it for other
    uses: converting it a second time costs more than formatting it)."""
    date_text = format_date(local.date(), seireki=seireki, weekday=weekday)
    return f"{date_text} {local.hour:02d}:{local.minute:02d}"


def format_month(value, *, seireki: bool | None = None) -> str:
    """A month for headings (a calendar's month): 令和8年11月, with (2026年) when the user asks
    for the Western year."""
    if value is None or value == "":
        return ""
    if seireki is None:
        seireki = SHOW_SEIREKI.get()
    d = _as_date(value)
    if d < ERAS[-1].start:
        return f"{d.year}年{d.month}月"
    era, year = era_of(d)
    text = f"{era.name}{_year_label(year)}年{d.month}月"
    return f"{text}({d.year}年)" if seireki else text


def format_monthday(value) -> str:
    """The one compact form, for calendar cells, dense tables and queues where the year is plain
    from the context: 11月26日(木)."""
    if value is None or value == "":
        return ""
    d = _as_date(value)
    return f"{d.month}月{d.day}日{weekday_label(d)}"


def format_time(value) -> str:
    """The time of day of a datetime in Asia/Tokyo, or of a time: 14:05."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        value = _local(value)
    if not isinstance(value, dt.datetime | dt.time):
        raise TypeError("a datetime or time is required")
    return f"{value:%H:%M}"


# --- parsing: the one parser for typed and imported dates ---------------------------------------


class DateParseError(ValueError):
    """A typed date that is not a date. `message` is Japanese and names what is wrong."""

    def __init__(self, message: str, code: str = "invalid"):
        self.message = message
        self.code = code
        super().__init__(message)


_SEIREKI = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_WAREKI = re.compile(
    r"(明治|大正|昭和|平成|令和|[MTSHR])(\d{1,2}|元)[-/.年](\d{1,2})[-/.月](\d{1,2})日?"
)
FORMAT_HINT = gettext_lazy(
    "日付は「1950-04-01」「1950/4/1」「昭和25年4月1日」「S25.4.1」のように入力してください。"
)


# The years a date of this system can fall in: from the first era 和暦 names (明治) to 2100. A
# date outside them is a typing slip, and near year 1 or 9999 the date arithmetic and the time
# zone conversions overflow.
MIN_YEAR, MAX_YEAR = 1868, 2100


def out_of_range_message() -> str:
    return _("%(min)s年から%(max)s年までの日付を入力してください。") % {
        "min": MIN_YEAR,
        "max": MAX_YEAR,
    }


def in_range(value: dt.date | None) -> bool:
    """Does a date (or a datetime) fall in MIN_YEAR..MAX_YEAR? None counts as in range."""
    return value is None or MIN_YEAR <= value.year <= MAX_YEAR


def no_future_dates(instance, *fields: str) -> None:
    """For a model's clean(): a record of something done (registered, attended, held, raised)
    carries no date after today. Raises ValidationError naming each field."""
    from django.core.exceptions import ValidationError

    today = timezone.localdate()
    errors = {
        name: _("%(label)sに未来の日付は入れられません。")
        % {"label": instance._meta.get_field(name).verbose_name}
        for name in fields
        if getattr(instance, name) is not None and getattr(instance, name) > today
    }
    if errors:
        raise ValidationError(errors)


def query_date(text, default: dt.date | None = None) -> dt.date | None:
    """A date from a query string (?date=, ?start=): `default` when absent, not a date or outside
    the years this system knows — a page is never an error for a hand-edited address."""
    value = parse_date_or_none(text) if text else None
    return value if value is not None and in_range(value) else default


def parse_date(text) -> dt.date:
    """A date typed by staff or read from an imported file; raises DateParseError.

    Accepts 2025-04-01, 2025/4/1, 2025.4.1, 2025年4月1日, 20250401 and 和暦 with the era's name
    or letter (昭和25年4月1日, 令和元年5月1日, S25.4.1, h31/4/30), full-width digits and spaces
    included. An era date must fall inside its era (the real first and last days in ERAS).
    """
    if isinstance(text, dt.datetime):
        return _as_date(text)
    if isinstance(text, dt.date):
        return text
    s = unicodedata.normalize("NFKC", str(text or "")).strip().upper()
    s = re.sub(r"\s+", "", s)
    era = None
    if m := _SEIREKI.fullmatch(s) or _COMPACT.fullmatch(s):
        year, month, day = (int(g) for g in m.groups())
    elif m := _WAREKI.fullmatch(s):
        era = _ERA_BY_KEY[m.group(1)]
        era_year = 1 if m.group(2) == "元" else int(m.group(2))
        if era_year < 1:
            raise DateParseError(_("%(era)s0年という年はありません。") % {"era": era.name})
        year, month, day = era.start.year + era_year - 1, int(m.group(3)), int(m.group(4))
    else:
        raise DateParseError(str(FORMAT_HINT))
    if not 1 <= month <= 12:
        raise DateParseError(_("%(month)s月という月はありません。") % {"month": month})
    try:
        d = dt.date(year, month, day)
    except ValueError:
        raise DateParseError(
            _("%(month)s月%(day)s日は存在しない日付です。日付を確認してください。")
            % {"month": month, "day": day}
        ) from None
    if not in_range(d):
        raise DateParseError(out_of_range_message(), code="out_of_range")
    if era is not None and not era.contains(d):
        raise DateParseError(
            _(
                "%(era)s%(year)s年%(month)s月%(day)s日はありません"
                "(%(era)sは%(start)sから%(end)sまで)。"
            )
            % {
                "era": era.name,
                "year": _year_label(era_year),
                "month": month,
                "day": day,
                "start": wareki(era.start),
                "end": wareki(era.end) if era.end else _("現在"),
            },
            code="out_of_era",
        )
    return d


_YEAR = re.compile(r"(\d{4})年?(?:生まれ|生)?")
_ERA_YEAR = re.compile(r"(明治|大正|昭和|平成|令和|[MTSHR])(\d{1,2}|元)年?(?:生まれ|生)?")


def parse_year(text) -> int | None:
    """A year typed into a search box: 1950, 1950年, 昭和25, S25, 昭和25年生 → 1950. None when the
    text is not a year or names a year its era never had (平成32)."""
    s = unicodedata.normalize("NFKC", str(text or "")).strip().upper()
    if m := _YEAR.fullmatch(s):
        year = int(m.group(1))
        return year if 1868 <= year <= 2100 else None
    if m := _ERA_YEAR.fullmatch(s):
        era = _ERA_BY_KEY[m.group(1)]
        era_year = 1 if m.group(2) == "元" else int(m.group(2))
        year = era.start.year + era_year - 1
        if era_year < 1 or (era.end is not None and year > era.end.year):
            return None
        return year
    return None


def parse_date_or_none(text) -> dt.date | None:
    """parse_date for imports that report a bad date themselves: None instead of an error."""
    try:
        return parse_date(text)
    except DateParseError:
        return None


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


class _CityCalendar(Japan):
    """The national holidays plus the municipality's closure days: what the `holidays`
    package's own working-day functions (is_working_day, get_nth_working_day,
    get_working_days_count) count with."""

    def __init__(self, closure: frozenset[tuple[int, int]]):
        self.closure = closure
        super().__init__(language="ja")

    def _populate(self, year: int) -> None:
        super()._populate(year)
        for month, day in self.closure:
            self[dt.date(year, month, day)] = "閉庁日"


@lru_cache(maxsize=8)
def _calendar(closure: frozenset[tuple[int, int]]) -> _CityCalendar:
    return _CityCalendar(closure)


def _city_calendar() -> _CityCalendar:
    return _calendar(_closure_days())


def is_business_day(value) -> bool:
    """Monday–Friday, not a national holiday, not a municipal closure day."""
    return _city_calendar().is_working_day(_as_date(value))


def next_business_day(value) -> dt.date:
    """The date itself when it is a business day, else the next one (deadline roll-forward)."""
    return _city_calendar().get_nth_working_day(_as_date(value), 0)


def previous_business_day(value) -> dt.date:
    """The date itself when it is a business day, else the one before it."""
    d, calendar = _as_date(value), _city_calendar()
    return d if calendar.is_working_day(d) else calendar.get_nth_working_day(d, -1)


def add_business_days(value, n: int) -> dt.date:
    """The n-th business day after the date (before it for negative n); the date itself for 0.

    The start date is never counted, so add_business_days(friday, 1) is the next Monday (when it
    is not a holiday) and add_business_days(d, -3) is "3 business days before d".
    """
    d = _as_date(value)
    return d if n == 0 else _city_calendar().get_nth_working_day(d, n)


def business_days_between(start, end) -> int:
    """Business days in (start, end]: the n with add_business_days(start, n) == end when end is
    a business day. Negative when end is before start; 0 for the same date."""
    a, b = _as_date(start), _as_date(end)
    if b < a:
        return -business_days_between(b, a)
    if a == b:
        return 0
    calendar = _city_calendar()
    # The package counts the closed interval [a, b]; the start day is not counted here.
    return calendar.get_working_days_count(a, b) - int(calendar.is_working_day(a))


# --- ages -------------------------------------------------------------------------------------


def age(birth, on=None) -> int:
    """Full years on a date (today by default). A 2/29 birthday counts from 3/1 in common years."""
    b = _as_date(birth)
    d = _as_date(on) if on is not None else timezone.localdate()
    return d.year - b.year - ((d.month, d.day) < (b.month, b.day))
