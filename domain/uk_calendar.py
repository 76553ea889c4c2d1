"""England and Wales bank holidays and GB clock-change days, for forecast features (no data files needed)."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from domain.settlement_time import periods_in_day

SPECIAL_HOLIDAYS = {
    date(2022, 6, 2), date(2022, 6, 3), date(2022, 9, 19), date(2023, 5, 8),
}
"""One-off bank holidays (Platinum Jubilee, the Queen's funeral, the Coronation)."""
MOVED_HOLIDAYS = {date(2020, 5, 4): date(2020, 5, 8), date(2022, 5, 30): date(2022, 6, 2)}
"""Regular holidays moved by proclamation: the usual date -> the date it fell on."""


def _easter(year: int) -> date:
    """Easter Sunday (Gregorian, the anonymous algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month = (h + m - 7 * n + 114) // 31
    day = (h + m - 7 * n + 114) % 31 + 1
    return date(year, month, day)


def _first_monday(year: int, month: int) -> date:
    day = date(year, month, 1)
    return day + timedelta(days=(7 - day.weekday()) % 7)


def _last_monday(year: int, month: int) -> date:
    day = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
    return day - timedelta(days=day.weekday())


@lru_cache(maxsize=64)
def bank_holidays(year: int) -> frozenset[date]:
    """England and Wales bank holidays of ``year`` (with weekend substitutes)."""
    new_year = date(year, 1, 1)
    if new_year.weekday() >= 5:
        new_year += timedelta(days=7 - new_year.weekday())
    easter = _easter(year)
    christmas, boxing = date(year, 12, 25), date(year, 12, 26)
    if christmas.weekday() == 5:  # Saturday: both move to Monday and Tuesday
        christmas, boxing = date(year, 12, 27), date(year, 12, 28)
    elif christmas.weekday() == 6:  # Sunday: Boxing Day stays Monday, Christmas moves to Tuesday
        christmas = date(year, 12, 27)
    elif boxing.weekday() == 5:
        boxing = date(year, 12, 28)
    regular = {new_year, easter - timedelta(days=2), easter + timedelta(days=1), _first_monday(year, 5),
               _last_monday(year, 5), _last_monday(year, 8), christmas, boxing}
    regular = {MOVED_HOLIDAYS.get(day, day) for day in regular}
    return frozenset(regular | {day for day in SPECIAL_HOLIDAYS if day.year == year})


def is_bank_holiday(day: date) -> bool:
    return day in bank_holidays(day.year)


def is_clock_change_day(day: date) -> bool:
    """True on the 46- and 50-period days."""
    return periods_in_day(day) != 48
