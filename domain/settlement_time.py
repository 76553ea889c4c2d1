"""GB settlement time: the one module that converts between UTC and settlement periods.

GB markets settle in half-hour settlement periods numbered from local
(Europe/London) midnight: 48 on a normal day, 46 on the spring clock-change
day and 50 on the autumn one. Settlement period N of settlement date D starts
at UTC(local midnight of D) + (N - 1) x 30 min.

Everything stored is a timezone-aware UTC ``datetime``; everything shown to a
person is local GB time with its settlement period. Both directions go through
this module (scalar functions for single values, ``*_index`` functions for
pandas series).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd

LONDON = ZoneInfo("Europe/London")
PERIOD = timedelta(minutes=30)
PERIOD_HOURS = 0.5
"""Length of one settlement period [h]."""


@dataclass(frozen=True, order=True)
class SettlementPeriod:
    """A settlement date (local GB calendar date) and period number (1-based)."""

    settlement_date: date
    settlement_period: int

    def start_utc(self) -> datetime:
        """Start of this period as an aware UTC datetime."""
        return period_start_utc(self.settlement_date, self.settlement_period)

    def label(self) -> str:
        """Human label, e.g. ``2023-03-26 SP5``."""
        return f"{self.settlement_date.isoformat()} SP{self.settlement_period}"


def _require_aware(ts: datetime) -> None:
    if ts.tzinfo is None or ts.tzinfo.utcoffset(ts) is None:
        raise ValueError(f"timestamp {ts!r} has no timezone; store and pass UTC-aware datetimes")


def day_start_utc(settlement_date: date) -> datetime:
    """UTC instant of local (Europe/London) midnight that starts ``settlement_date``."""
    local_midnight = datetime(settlement_date.year, settlement_date.month, settlement_date.day, tzinfo=LONDON)
    return local_midnight.astimezone(UTC)


def periods_in_day(settlement_date: date) -> int:
    """Number of settlement periods on a date: 46, 48 or 50."""
    next_day = settlement_date + timedelta(days=1)
    length = day_start_utc(next_day) - day_start_utc(settlement_date)
    return int(length / PERIOD)


def period_start_utc(settlement_date: date, settlement_period: int) -> datetime:
    """UTC start of settlement period ``settlement_period`` (1-based) of ``settlement_date``.

    Raises ValueError when the period does not exist on that date (for example
    period 47 on the spring clock-change day).
    """
    count = periods_in_day(settlement_date)
    if not 1 <= settlement_period <= count:
        raise ValueError(
            f"settlement period {settlement_period} does not exist on {settlement_date.isoformat()} "
            f"(that day has {count} periods)"
        )
    return day_start_utc(settlement_date) + (settlement_period - 1) * PERIOD


def to_settlement_period(ts: datetime) -> SettlementPeriod:
    """The settlement period that contains the aware instant ``ts``."""
    _require_aware(ts)
    utc_ts = ts.astimezone(UTC)
    local_date = utc_ts.astimezone(LONDON).date()
    offset = utc_ts - day_start_utc(local_date)
    return SettlementPeriod(local_date, int(offset // PERIOD) + 1)


def to_local(ts: datetime) -> datetime:
    """The aware instant ``ts`` in Europe/London, for display."""
    _require_aware(ts)
    return ts.astimezone(LONDON)


def format_local(ts: datetime, with_period: bool = True) -> str:
    """Display form: ``2023-10-29 01:30 GMT · SP4`` (local time, zone name, period)."""
    local = to_local(ts)
    text = local.strftime("%Y-%m-%d %H:%M %Z")
    if with_period:
        text += f" · SP{to_settlement_period(ts).settlement_period}"
    return text


def settlement_dates(first: date, last: date) -> list[date]:
    """Every settlement date from ``first`` to ``last`` inclusive."""
    if last < first:
        raise ValueError(f"date range ends ({last.isoformat()}) before it starts ({first.isoformat()})")
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def day_period_starts_utc(settlement_date: date) -> pd.DatetimeIndex:
    """UTC starts of every settlement period of one settlement date (46, 48 or 50 values)."""
    return pd.date_range(day_start_utc(settlement_date), periods=periods_in_day(settlement_date), freq="30min")


def settlement_index(first: date, last: date) -> pd.DataFrame:
    """One row per settlement period from ``first`` to ``last`` inclusive.

    Columns: ``interval_start_utc`` (aware UTC), ``settlement_date`` (date),
    ``settlement_period`` (int, 1-based).
    """
    dates = settlement_dates(first, last)
    start = pd.Timestamp(day_start_utc(dates[0]))
    end = pd.Timestamp(day_start_utc(dates[-1] + timedelta(days=1)))
    starts = pd.date_range(start, end, freq="30min", inclusive="left")
    sd, sp = settlement_periods_of(starts)
    return pd.DataFrame({"interval_start_utc": starts, "settlement_date": sd, "settlement_period": sp})


def settlement_periods_of(starts: pd.DatetimeIndex | pd.Series) -> tuple[list[date], list[int]]:
    """Settlement date and period of every aware instant in ``starts`` (vectorised)."""
    index = pd.DatetimeIndex(starts)
    if index.tz is None:
        raise ValueError("timestamps have no timezone; pass UTC-aware values")
    local = index.tz_convert(LONDON)
    local_midnight = local.normalize()
    periods = ((index - local_midnight.tz_convert(UTC)) // PERIOD).astype(int) + 1
    return list(local_midnight.date), [int(p) for p in periods]


def clock_change_days(year: int) -> tuple[date, date]:
    """The spring (46-period) and autumn (50-period) clock-change dates of ``year``."""
    spring = autumn = None
    day = date(year, 1, 1)
    while day.year == year:
        count = periods_in_day(day)
        if count == 46:
            spring = day
        elif count == 50:
            autumn = day
        day += timedelta(days=1)
    if spring is None or autumn is None:
        raise ValueError(f"no clock change found in {year}")
    return spring, autumn
