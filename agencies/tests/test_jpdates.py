import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template

from agencies import jpdates
from agencies.jpdates import (
    add_business_days,
    age,
    business_days_between,
    fiscal_year,
    fiscal_year_label,
    fiscal_year_range,
    is_business_day,
    next_business_day,
    previous_business_day,
    wareki,
)

D = dt.date


@pytest.mark.parametrize(
    ("day", "long", "short"),
    [
        (D(2026, 11, 22), "令和8年11月22日", "R8.11.22"),
        (D(2019, 5, 1), "令和元年5月1日", "R1.5.1"),
        (D(2019, 4, 30), "平成31年4月30日", "H31.4.30"),
        (D(1989, 1, 8), "平成元年1月8日", "H1.1.8"),
        (D(1989, 1, 7), "昭和64年1月7日", "S64.1.7"),
        (D(1926, 12, 25), "昭和元年12月25日", "S1.12.25"),
        (D(1926, 12, 24), "大正15年12月24日", "T15.12.24"),
        (D(1912, 7, 30), "大正元年7月30日", "T1.7.30"),
        (D(1912, 7, 29), "明治45年7月29日", "M45.7.29"),
    ],
)
def test_wareki_long_and_short_across_era_boundaries(day, long, short):
    assert wareki(day) == long
    assert wareki(day, style="short") == short


def test_wareki_uses_local_date_of_aware_datetime():
    # 2019-04-30 15:30 UTC is already 1 May in Tokyo: 令和.
    moment = dt.datetime(2019, 4, 30, 15, 30, tzinfo=ZoneInfo("UTC"))
    assert wareki(moment) == "令和元年5月1日"


def test_wareki_rejects_unknown_style_and_pre_meiji_dates():
    with pytest.raises(ValueError):
        wareki(D(2026, 1, 1), style="medium")
    with pytest.raises(ValueError):
        wareki(D(1868, 1, 1))


@pytest.mark.parametrize(
    ("day", "fy"),
    [(D(2027, 3, 31), 2026), (D(2027, 4, 1), 2027), (D(2026, 4, 1), 2026), (D(2026, 1, 1), 2025)],
)
def test_fiscal_year_switches_on_april_first(day, fy):
    assert fiscal_year(day) == fy


def test_fiscal_year_range_is_april_to_march_inclusive():
    assert fiscal_year_range(2026) == (D(2026, 4, 1), D(2027, 3, 31))
    start, end = fiscal_year_range(2027)
    assert fiscal_year(start) == fiscal_year(end) == 2027
    assert fiscal_year(start - dt.timedelta(days=1)) == 2026


@pytest.mark.parametrize(
    ("fy", "label"),
    [
        (2026, "令和8年度"),
        (2019, "令和元年度"),
        (2018, "平成30年度"),
        (1988, "昭和63年度"),
        (1989, "平成元年度"),
    ],
)
def test_fiscal_year_label_names_the_era_of_most_of_the_year(fy, label):
    assert fiscal_year_label(fy) == label


def test_weekends_are_not_business_days():
    assert is_business_day(D(2026, 11, 20))  # Friday
    assert not is_business_day(D(2026, 11, 21))  # Saturday
    assert not is_business_day(D(2026, 11, 22))  # Sunday


def test_national_holidays_including_kokumin_no_kyujitsu_are_not_business_days():
    # Silver week 2026: 敬老の日 (Mon 21), 国民の休日 (Tue 22), 秋分の日 (Wed 23).
    assert not is_business_day(D(2026, 9, 21))
    assert not is_business_day(D(2026, 9, 22))
    assert not is_business_day(D(2026, 9, 23))
    assert jpdates.holiday_name(D(2026, 9, 22)) == "国民の休日"
    assert add_business_days(D(2026, 9, 18), 1) == D(2026, 9, 24)


def test_year_end_closure_days_are_not_business_days():
    for day in (D(2026, 12, 29), D(2026, 12, 30), D(2026, 12, 31), D(2027, 1, 1), D(2027, 1, 4)):
        assert is_business_day(day) is (day == D(2027, 1, 4)), day
    assert jpdates.holiday_name(D(2026, 12, 30)) == "閉庁日"
    assert add_business_days(D(2026, 12, 28), 1) == D(2027, 1, 4)
    assert next_business_day(D(2026, 12, 29)) == D(2027, 1, 4)
    assert previous_business_day(D(2027, 1, 3)) == D(2026, 12, 28)


def test_closure_days_come_from_settings(settings):
    settings.TSUNAGU_CLOSURE_DAYS = ["12-29"]
    assert is_business_day(D(2026, 12, 30))
    assert not is_business_day(D(2026, 12, 29))
    settings.TSUNAGU_CLOSURE_DAYS = ["06-01"]  # a municipal founding day
    assert not is_business_day(D(2026, 6, 1))


def test_add_business_days_skips_weekends_both_ways_and_zero_is_identity():
    friday = D(2026, 11, 20)
    assert add_business_days(friday, 1) == D(2026, 11, 24)  # Mon 23 is 勤労感謝の日
    assert add_business_days(D(2026, 11, 24), -1) == friday
    assert add_business_days(D(2026, 11, 21), 0) == D(2026, 11, 21)
    # "3 business days before" a Wednesday meeting.
    assert add_business_days(D(2026, 11, 25), -3) == D(2026, 11, 19)


def test_business_days_between_counts_the_end_not_the_start_and_inverts_add():
    assert business_days_between(D(2026, 11, 20), D(2026, 11, 20)) == 0
    assert business_days_between(D(2026, 11, 20), D(2026, 11, 24)) == 1
    assert business_days_between(D(2026, 11, 24), D(2026, 11, 20)) == -1
    assert business_days_between(D(2026, 12, 25), D(2027, 1, 5)) == 3  # 28, 4, 5
    start = D(2026, 4, 1)
    for n in (1, 5, 20, 60):
        assert business_days_between(start, add_business_days(start, n)) == n


def test_age_counts_full_years_and_leap_day_birthdays():
    birth = D(1950, 11, 22)
    assert age(birth, on=D(2026, 11, 21)) == 75
    assert age(birth, on=D(2026, 11, 22)) == 76
    leap = D(2000, 2, 29)
    assert age(leap, on=D(2027, 2, 28)) == 26
    assert age(leap, on=D(2027, 3, 1)) == 27


def test_template_filters_render_japanese_dates_and_blank_for_empty():
    tpl = Template(
        "{% load jp %}{{ d|wareki }}|{{ d|wareki_short }}|{{ d|fy_label }}|{{ fy|fy_label }}"
        "|{{ b|age:d }}|{{ none|wareki }}|{{ none|age }}"
    )
    out = tpl.render(Context({"d": D(2027, 3, 31), "fy": 2019, "b": D(1989, 1, 8), "none": None}))
    assert out == "令和9年3月31日|R9.3.31|令和8年度|令和元年度|38||"


@pytest.mark.parametrize("seireki", [False, True])
@pytest.mark.parametrize("weekday", [False, True])
def test_a_time_already_local_formats_as_format_datetime(seireki, weekday):
    import datetime as dt

    from django.utils import timezone

    from agencies import jpdates

    for utc in (
        dt.datetime(2026, 3, 31, 15, 5, tzinfo=dt.UTC),
        dt.datetime(2019, 4, 30, 23, 59, tzinfo=dt.UTC),
    ):
        local = timezone.localtime(utc)
        expected = jpdates.format_datetime(utc, seireki=seireki, weekday=weekday)
        assert jpdates.format_local_datetime(local, seireki=seireki, weekday=weekday) == expected
    assert (
        jpdates.format_datetime(dt.datetime(2026, 3, 31, 15, 5, tzinfo=dt.UTC))
        == "令和8年4月1日 00:05"
    )


def test_age_years_is_the_age_message_in_the_readers_language():
    import datetime as dt

    from django.utils import translation

    from agencies.templatetags.jp import age, age_years

    born = dt.date(1974, 4, 2)
    years = age(born)
    with translation.override("ja"):
        assert age_years(born) == f"{years}歳"
    with translation.override("en"):
        assert age_years(born) == f"age {years}"
    assert age_years(None) == "" and age_years("") == ""
