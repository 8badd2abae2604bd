"""Template filters for Japanese dates: {% load jp %} then {{ d|wareki }}, {{ d|wareki_short }},
{{ d|fy_label }} (a date or a fiscal year), {{ person.birth_date|age }}.

Empty values render as an empty string so optional dates need no {% if %}.
"""

import datetime as dt

from django import template

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
