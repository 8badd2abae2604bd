"""Month and week grids for the meeting calendar."""

import calendar as _calendar
import datetime as dt
from collections import defaultdict

from agencies.jpdates import holiday_name


def month_grid(year: int, month: int, meetings) -> list[list[dict]]:
    """Weeks (Sunday first) of day cells: {date, in_month, holiday, meetings}."""
    by_day = defaultdict(list)
    for m in meetings:
        by_day[m.date].append(m)
    cal = _calendar.Calendar(firstweekday=6)
    return [
        [
            {
                "date": d,
                "in_month": d.month == month,
                "holiday": holiday_name(d),
                "meetings": by_day.get(d, []),
            }
            for d in week
        ]
        for week in cal.monthdatescalendar(year, month)
    ]


def week_days(start: dt.date, meetings) -> list[dict]:
    by_day = defaultdict(list)
    for m in meetings:
        by_day[m.date].append(m)
    days = [start + dt.timedelta(days=i) for i in range(7)]
    return [{"date": d, "holiday": holiday_name(d), "meetings": by_day.get(d, [])} for d in days]


def week_start(day: dt.date) -> dt.date:
    """The Sunday on or before the day."""
    return day - dt.timedelta(days=(day.weekday() + 1) % 7)


def add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1
