"""Business days come from the `holidays` package's own working-day functions with the closure
days added: they agree with a day-by-day count over two whole years, both ways."""

import datetime as dt

from agencies import jpdates
from agencies.jpdates import (
    add_business_days,
    business_days_between,
    is_business_day,
    next_business_day,
)


def _by_hand(d: dt.date) -> bool:
    return (
        d.weekday() < 5
        and (d.month, d.day) not in {(12, 29), (12, 30), (12, 31), (1, 1), (1, 2), (1, 3)}
        and not jpdates.holiday_name(d)
    )


def test_working_days_agree_with_a_day_by_day_count(settings):
    settings.TSUNAGU_CLOSURE_DAYS = ["12-29", "12-30", "12-31", "01-01", "01-02", "01-03"]
    start = dt.date(2026, 1, 1)
    days = [start + dt.timedelta(days=i) for i in range(730)]
    assert [is_business_day(d) for d in days] == [_by_hand(d) for d in days]
    expected = sum(_by_hand(d) for d in days[1:])
    assert business_days_between(days[0], days[-1]) == expected
    assert business_days_between(days[-1], days[0]) == -expected
    first = next_business_day(start)  # 1/1–1/3 closed, 1/4 a Sunday
    assert first == dt.date(2026, 1, 5)
    for n in (1, 5, 20, 60):
        target = add_business_days(first, n)
        assert business_days_between(first, target) == n
        assert add_business_days(target, -n) == first


def test_calendar_is_the_packages_with_closure_days(settings):
    settings.TSUNAGU_CLOSURE_DAYS = ["06-01"]
    calendar = jpdates._city_calendar()
    assert isinstance(calendar, jpdates.Japan)
    assert not calendar.is_working_day(dt.date(2026, 6, 1))  # a Monday, closed
    assert calendar.is_working_day(dt.date(2026, 6, 2))
