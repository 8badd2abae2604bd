"""The one date parser and formatter: 和暦 with the real era boundaries, property-tested."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agencies import jpdates
from agencies.jpdates import DateParseError, format_date, format_datetime, parse_date

FIRST = dt.date(1868, 10, 23)  # 明治元年10月23日
LAST = dt.date(2048, 12, 31)  # 令和30年12月31日
DAYS = st.dates(min_value=FIRST, max_value=LAST)


@given(DAYS)
@settings(max_examples=500)
def test_long_wareki_round_trips_for_every_day_from_meiji_to_reiwa_30(day):
    assert parse_date(jpdates.wareki(day)) == day


@given(DAYS)
@settings(max_examples=500)
def test_short_wareki_round_trips(day):
    assert parse_date(jpdates.wareki(day, style="short")) == day


@given(DAYS)
@settings(max_examples=200)
def test_the_screen_style_round_trips_with_and_without_the_western_year(day):
    assert parse_date(format_date(day, seireki=False)) == day
    assert format_date(day, seireki=True).endswith(f"({day.year}年)")


def test_every_era_boundary_day_round_trips_exhaustively():
    # Every day of the range is cheap enough to check once without hypothesis, too.
    day = FIRST
    while day <= LAST:
        assert parse_date(jpdates.wareki(day)) == day
        day += dt.timedelta(days=1)


@given(DAYS, st.integers(min_value=1, max_value=60))
def test_a_year_past_the_era_end_is_refused(day, extra):
    era, _year = jpdates.era_of(day)
    if era.end is None:
        return
    last_year = era.end.year - era.start.year + 1
    text = f"{era.name}{last_year + extra}年1月1日"
    with pytest.raises(DateParseError):
        parse_date(text)


@pytest.mark.parametrize(
    "text",
    [
        "平成32年1月1日",
        "平成31年5月1日",
        "昭和64年3月1日",
        "昭和64年1月8日",
        "R1.4.1",
        "令和元年4月30日",
        "H1.1.7",
        "大正15年12月25日",
        "明治元年10月22日",
        "明治45年7月30日",
        "令和0年1月1日",
        "2025-02-30",
        "2025-13-01",
        "明日",
        "",
        "S",
    ],
)
def test_impossible_dates_are_refused_with_a_japanese_message(text):
    with pytest.raises(DateParseError) as exc:
        parse_date(text)
    assert exc.value.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-04-01", dt.date(2025, 4, 1)),
        ("2025/4/1", dt.date(2025, 4, 1)),
        ("2025.4.1", dt.date(2025, 4, 1)),
        ("20250401", dt.date(2025, 4, 1)),
        ("２０２５年４月１日", dt.date(2025, 4, 1)),
        ("令和7年4月1日", dt.date(2025, 4, 1)),
        ("令和 7年 4月 1日", dt.date(2025, 4, 1)),
        ("r7.4.1", dt.date(2025, 4, 1)),
        ("令和元年5月1日", dt.date(2019, 5, 1)),
        ("令和1年5月1日", dt.date(2019, 5, 1)),
        ("H31/4/30", dt.date(2019, 4, 30)),
        ("昭和64年1月7日", dt.date(1989, 1, 7)),
        ("平成元年1月8日", dt.date(1989, 1, 8)),
        ("S25.4.1", dt.date(1950, 4, 1)),
        ("大正元年7月30日", dt.date(1912, 7, 30)),
        ("明治45年7月29日", dt.date(1912, 7, 29)),
        ("Ｍ1.10.23", dt.date(1868, 10, 23)),
    ],
)
def test_accepted_forms(text, expected):
    assert parse_date(text) == expected


def test_the_error_names_the_era_span():
    with pytest.raises(DateParseError) as exc:
        parse_date("平成32年1月1日")
    assert "平成31年4月30日" in exc.value.message


def test_times_are_shown_in_tokyo():
    utc = dt.datetime(2026, 11, 25, 23, 30, tzinfo=dt.UTC)
    assert format_datetime(utc, seireki=False) == "令和8年11月26日 08:30"


def test_the_users_setting_adds_the_western_year():
    token = jpdates.SHOW_SEIREKI.set(True)
    try:
        assert format_date(dt.date(2026, 11, 26)) == "令和8年11月26日(2026年)"
    finally:
        jpdates.SHOW_SEIREKI.reset(token)
    assert format_date(dt.date(2026, 11, 26)) == "令和8年11月26日"
    assert format_date(None) == "" and format_date("") == ""
    assert format_date(dt.date(1850, 1, 2)) == "1850年1月2日"  # before 明治: no era


def test_imports_and_forms_use_the_same_parser():
    from django import forms

    from agencies.imports import parse_date as import_parse
    from cases.forms_persons import parse_japanese_date

    assert import_parse("平成32年1月1日") is None
    assert import_parse("R7.4.1") == dt.date(2025, 4, 1)
    with pytest.raises(forms.ValidationError) as exc:
        parse_japanese_date("昭和64年3月1日")
    assert "昭和64年1月7日" in exc.value.messages[0]


@pytest.mark.parametrize("text", ["0001-01-01", "9999-12-31", "1867-12-31", "2101-01-01"])
def test_a_year_outside_the_system_is_no_date(text):
    with pytest.raises(jpdates.DateParseError) as exc:
        jpdates.parse_date(text)
    assert exc.value.code == "out_of_range" and "1868年から2100年まで" in exc.value.message
    assert jpdates.query_date(text, None) is None
    assert jpdates.parse_date("1868-01-01") == dt.date(1868, 1, 1)
