"""Template filters for Japanese dates: {% load jp %} then {{ d|jdate }} and {{ t|jdatetime }} (the
product's one date style on screens: 和暦, the user's 西暦 setting, Asia/Tokyo), {{ d|wareki }},
{{ d|wareki_short }}, {{ d|fy_label }} (a date or a fiscal year), {{ person.birth_date|age }}.

Empty values render as an empty string so optional dates need no {% if %}.
"""

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.html import format_html

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


@register.filter
def jdate(value) -> str:
    """The one date style on screens: 令和8年11月26日 (with (2026年) when the user asks for it),
    in a <time> element that does not break inside the date."""
    if _empty(value):
        return ""
    d = timezone.localtime(value).date() if _aware(value) else value
    if isinstance(d, dt.datetime):
        d = d.date()
    return format_html(
        '<time class="date" datetime="{}">{}</time>', d.isoformat(), jpdates.format_date(d)
    )


@register.filter
def jdatetime(value) -> str:
    """令和8年11月26日 14:05 in Asia/Tokyo, in a <time> element (a date alone: as jdate)."""
    if _empty(value):
        return ""
    if not isinstance(value, dt.datetime):
        return jdate(value)
    local = timezone.localtime(value) if _aware(value) else value
    return format_html(
        '<time class="date" datetime="{}">{}</time>',
        local.isoformat(timespec="minutes"),
        jpdates.format_datetime(local),
    )


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
