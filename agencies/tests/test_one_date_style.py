"""One date style (issue 15): every date a user reads on a screen or a printed paper goes through
the jp filters (jdate, jdatetime, jmonthday, jmonth, jtime), never Django's |date: or |time:
with a format of its own nor |wareki (which ignores the user's 西暦 setting), so 「2026-11-26」 on one page and 「令和8年11月26日」 on the next cannot
come back.

Django's filters stay right where a machine reads the date: <input value="2026-11-26">, min=,
max=, datetime= and query strings in href= (?date=2026-11-26).
"""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import translation

from agencies import jpdates

BASE = Path(settings.BASE_DIR)
MACHINE_ATTRIBUTES = {"value", "min", "max", "datetime", "href"}
# Template places allowed to keep a |date:/|time: filter outside those attributes, with the
# reason. Empty: add a line here only for text that a machine reads, never for a user.
ALLOWED: dict[str, str] = {}

# Django's own formats, and |wareki (和暦 that ignores the user's 西暦 setting).
FILTER = re.compile(r"\|\s*(?:(?:date|time)\s*:|wareki\b)")
OPEN_ATTRIBUTE = re.compile(r"""([A-Za-z_:][\w:.-]*)\s*=\s*(["'])""")


def _templates() -> list[Path]:
    skip = {".venv", "node_modules", ".git", "var", "htmlcov"}
    return sorted(
        p
        for p in BASE.rglob("*.html")
        if not skip.intersection(p.relative_to(BASE).parts)
        and "templates" in p.relative_to(BASE).parts
    )


def _attribute_around(text: str, pos: int) -> str | None:
    """The name of the HTML attribute whose quoted value contains `pos`, if any."""
    tag_start = text.rfind("<", 0, pos)
    if tag_start == -1 or text.rfind(">", tag_start, pos) != -1:
        return None
    inside = None
    i = tag_start
    while (m := OPEN_ATTRIBUTE.search(text, i, pos)) is not None:
        close = text.find(m.group(2), m.end())
        if close == -1 or close >= pos:
            inside = m.group(1).lower()
            break
        i = close + 1
    return inside


def date_filters_shown_to_users(text: str) -> list[tuple[int, str]]:
    """(line number, line) of each |date: or |time: filter outside a machine-read attribute."""
    found = []
    for m in FILTER.finditer(text):
        if _attribute_around(text, m.start()) in MACHINE_ATTRIBUTES:
            continue
        line_no = text.count("\n", 0, m.start()) + 1
        found.append((line_no, text.splitlines()[line_no - 1].strip()))
    return found


def test_the_scanner_tells_a_shown_date_from_a_machine_read_one():
    shown = (
        '<td>{{ d|date:"Y-m-d" }}</td> <h2>{{ m|date:"n月j日" }}</h2> {{ t|time:"H:i" }}'
        "<td>{{ d|wareki }}</td>"
    )
    assert len(date_filters_shown_to_users(shown)) == 4
    assert date_filters_shown_to_users("{{ d|wareki_short }} {{ d|jdate }}") == []
    assert date_filters_shown_to_users('<span title="x">{{ d|date:"Y-m-d" }}</span>')
    machine = (
        '<input type="date" name="d" value="{{ d|date:\'Y-m-d\' }}" max="{{ t|date:\'Y-m-d\' }}">'
        "<a href=\"?view=week&date={{ prev|date:'Y-m-d' }}\">x</a>"
        "<time datetime=\"{{ t|date:'c' }}\">{{ t|jdatetime }}</time>"
    )
    assert date_filters_shown_to_users(machine) == []


def test_no_template_formats_a_shown_date_with_its_own_format():
    templates = _templates()
    assert len(templates) > 100  # the scan reaches every app's templates
    offenders = []
    for path in templates:
        rel = path.relative_to(BASE).as_posix()
        for line_no, line in date_filters_shown_to_users(path.read_text(encoding="utf-8")):
            if f"{rel}:{line_no}" not in ALLOWED:
                offenders.append(f"{rel}:{line_no}: {line[:120]}")
    assert offenders == [], (
        "Dates shown to users use {% load jp %} |jdate, |jdatetime, |jmonthday, |jmonth or "
        "|jtime (|date: only in value=, min=, max=, datetime=, href=; no |wareki):\n"
        + "\n".join(offenders)
    )


def _render(source: str, **context) -> str:
    return Template("{% load jp %}" + source).render(Context(context))


def test_shared_filters_for_weekday_compact_month_and_time():
    d = dt.date(2026, 11, 24)
    t = dt.datetime(2026, 11, 24, 5, 30, tzinfo=dt.UTC)  # 14:30 in Tokyo
    assert _render('{{ d|jdate:"weekday" }}', d=d) == (
        '<time class="date" datetime="2026-11-24">令和8年11月24日(火)</time>'
    )
    assert "令和8年11月24日(火) 14:30" in _render('{{ t|jdatetime:"weekday" }}', t=t)
    assert ">11月24日(火)</time>" in _render("{{ d|jmonthday }}", d=d)
    assert 'datetime="2026-11">令和8年11月</time>' in _render("{{ d|jmonth }}", d=d)
    assert ">14:30</time>" in _render("{{ t|jtime }}", t=t)
    assert _render("{{ d|jdate|striptags }}", d=d) == "令和8年11月24日"  # for <title>
    assert _render("{{ d|jmonthday }}{{ d|jtime }}{{ d|jmonth }}", d=None) == ""
    with translation.override("en"):
        assert ">11月24日(Tue)</time>" in _render("{{ d|jmonthday }}", d=d)
    with pytest.raises(Exception, match="weekday"):
        _render('{{ d|jdate:"Y-m-d" }}', d=d)


def test_weekday_and_month_follow_the_western_year_setting():
    d = dt.date(2026, 11, 24)
    assert jpdates.format_date(d, seireki=True, weekday=True) == "令和8年11月24日(火)(2026年)"
    assert jpdates.format_month(d, seireki=True) == "令和8年11月(2026年)"
    assert jpdates.format_month(dt.date(2019, 5, 1)) == "令和元年5月"
    assert jpdates.format_monthday(d) == "11月24日(火)"
