"""Template filters for Japanese dates: {% load jp %} then {{ d|jdate }} and {{ t|jdatetime }} (the
product's one date style on screens and in PDFs: 和暦, the user's 西暦 setting, Asia/Tokyo; add
:"weekday" for 令和8年11月26日(木)), {{ d|jmonthday }} (the one compact form, 11月26日(木), for
calendar cells and dense tables), {{ d|jmonth }} (令和8年11月), {{ t|jtime }} (14:05),
{{ d|wareki }},
{{ d|wareki_short }}, {{ d|fy_label }} (a date or a fiscal year), {{ person.birth_date|age }}.

Empty values render as an empty string so optional dates need no {% if %}. Inside <title> (no
markup there) use {{ d|jdate|striptags }}. Django's |date: filter is for machine-readable
attributes only (value=, min=, max=, datetime=, URLs): agencies/tests/test_one_date_style.py.
"""

import datetime as dt
import html

from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from agencies import jpdates

register = template.Library()


def _empty(value) -> bool:
    return value is None or value == ""


@register.filter
def wareki(value) -> str:
    """令和8年11月22日"""
    if _empty(value):
        return ""
    return jpdates.wareki(value)


def _weekday(arg) -> bool:
    if _empty(arg):
        return False
    if arg != "weekday":
        raise template.TemplateSyntaxError('the only option is "weekday"')
    return True


def _local_date(value) -> dt.date:
    d = timezone.localtime(value).date() if _aware(value) else value
    return d.date() if isinstance(d, dt.datetime) else d


def _time_element(machine: str, text: str) -> str:
    # format_html's result, without its lazy-argument checks (a list prints a hundred of these):
    # both are plain strings, escaped as Django's escape() does (html.escape).
    return mark_safe(  # noqa: S308 - both escaped
        f'<time class="date" datetime="{html.escape(machine)}">{html.escape(text)}</time>'
    )


@register.filter
def jdate(value, arg=None) -> str:
    """The one date style on screens: 令和8年11月26日 (with (2026年) when the user asks for it),
    in a <time> element that does not break inside the date. {{ d|jdate:"weekday" }} adds the
    day of the week: 令和8年11月26日(木)."""
    if _empty(value):
        return ""
    d = _local_date(value)
    return _time_element(d.isoformat(), jpdates.format_date(d, weekday=_weekday(arg)))


@register.filter
def jdatetime(value, arg=None) -> str:
    """令和8年11月26日 14:05 in Asia/Tokyo, in a <time> element (a date alone: as jdate).
    {{ t|jdatetime:"weekday" }}: 令和8年11月26日(木) 14:05 (meeting lists)."""
    if _empty(value):
        return ""
    if not isinstance(value, dt.datetime):
        return jdate(value, arg)
    local = timezone.localtime(value) if _aware(value) else value
    return _time_element(
        local.isoformat(timespec="minutes"),
        jpdates.format_local_datetime(local, weekday=_weekday(arg)),
    )


@register.filter
def jmonth(value) -> str:
    """A month heading (calendars): 令和8年11月, with (2026年) when the user asks for it."""
    if _empty(value):
        return ""
    d = _local_date(value)
    return _time_element(f"{d:%Y-%m}", jpdates.format_month(d))


@register.filter
def jmonthday(value) -> str:
    """The one compact date, for calendar cells, dense tables and queues where the year is plain
    from the context: 11月26日(木)."""
    if _empty(value):
        return ""
    d = _local_date(value)
    return _time_element(d.isoformat(), jpdates.format_monthday(d))


@register.filter
def jweekday(value) -> str:
    """The weekday alone, for a calendar's column heads: 木 (Thu in English)."""
    if _empty(value):
        return ""
    return jpdates.weekday_label(_local_date(value)).strip("()")


@register.filter
def jtime(value) -> str:
    """The time of day in Asia/Tokyo: 14:05 (an end time after a jdatetime, a calendar entry)."""
    if _empty(value):
        return ""
    if isinstance(value, dt.datetime):
        local = timezone.localtime(value) if _aware(value) else value
        return _time_element(local.isoformat(timespec="minutes"), jpdates.format_time(local))
    return _time_element(f"{value:%H:%M}", jpdates.format_time(value))


def _aware(value) -> bool:
    return isinstance(value, dt.datetime) and timezone.is_aware(value)


@register.filter
def wareki_short(value) -> str:
    """R8.11.22"""
    if _empty(value):
        return ""
    return jpdates.wareki(value, style="short")


@register.filter
def fy_label(value) -> str:
    """令和8年度 from a fiscal year (2026) or from any date inside it."""
    if _empty(value):
        return ""
    if isinstance(value, dt.date):
        value = jpdates.fiscal_year(value)
    return jpdates.fiscal_year_label(int(value))


@register.filter
def age(value, on=None):
    """Full years from a birth date (today, or on the date given as argument)."""
    if _empty(value):
        return ""
    return jpdates.age(value, on if not _empty(on) else None)


@register.filter
def age_years(value) -> str:
    """{{ person.birth_date|age_years }}: 34歳 (age 34 in English) — the message of
    {% blocktranslate %}{{ age }}歳{% endblocktranslate %}, at a tenth of that tag's cost in a
    list (a search page prints one per row)."""
    years = age(value)
    return "" if years == "" else _("%(age)s歳") % {"age": years}
