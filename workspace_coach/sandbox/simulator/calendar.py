"""Korean public holidays (공휴일), including substitute and one-off days, 2023-2027.

Lunar holidays (설날, 부처님오신날, 추석) move every year, so they are listed; outside the listed
years only the fixed solar holidays apply.
"""

from __future__ import annotations

from datetime import date

_FIXED = ("01-01", "03-01", "05-05", "06-06", "08-15", "10-03", "10-09", "12-25")

_BY_YEAR: dict[int, tuple[str, ...]] = {
    2023: ("01-21", "01-22", "01-23", "01-24", "05-27", "05-29", "09-28", "09-29", "09-30",
           "10-02"),
    2024: ("02-09", "02-10", "02-11", "02-12", "04-10", "05-06", "05-15", "09-16", "09-17",
           "09-18", "10-01"),
    2025: ("01-27", "01-28", "01-29", "01-30", "03-03", "05-06", "06-03", "10-05", "10-06",
           "10-07", "10-08"),
    2026: ("02-16", "02-17", "02-18", "03-02", "05-24", "05-25", "06-03", "08-17", "09-24",
           "09-25", "09-26", "10-05"),
    2027: ("02-06", "02-07", "02-08", "02-09", "05-13", "08-16", "09-14", "09-15", "09-16",
           "10-04", "10-11", "12-27"),
}


def is_holiday(day: date) -> bool:
    key = day.strftime("%m-%d")
    return key in _FIXED or key in _BY_YEAR.get(day.year, ())


def is_workday(day: date) -> bool:
    return day.weekday() < 5 and not is_holiday(day)
