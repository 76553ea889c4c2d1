"""Price (and carbon-intensity) input: check it covers a date range, turn it into arrays.

Prices come as a DataFrame indexed by timezone-aware interval start (UTC),
with columns ``day_ahead`` and ``intraday`` in £/MWh, one row per half-hour
settlement period. ``range_inputs`` checks them against the settlement
periods of a date range (46, 48 or 50 a day, from ``domain.settlement_time``)
and raises ``InvalidPrices`` naming the first bad period, so nothing is
solved on a gap. Day-ahead prices must be equal within each clock hour (the
auction clears hourly); a file that breaks this is refused, never averaged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from domain.settlement_time import format_local, settlement_index, to_settlement_period
from optimiser.errors import InvalidParameters, InvalidPrices

PRICE_COLUMNS = ("day_ahead", "intraday")
DA_HOUR_TOLERANCE_GBP_PER_MWH = 1e-6
"""Largest difference between the two half-hours of a clock hour still counted as one DA price [£/MWh]."""

_SEED_LAYOUT = {"time": "interval_start_utc", "day-ahead": "day_ahead", "intra-day": "intraday"}
"""Column names of the seed task's file (``dd/mm/YYYY HH:MM`` in UTC), accepted by ``read_price_csv``."""


@dataclass(frozen=True)
class DayInputs:
    """One settlement date's slice of the range, as arrays of its 46, 48 or 50 periods."""

    settlement_date: date
    rows: slice
    day_ahead: np.ndarray
    """Day-ahead price per period [£/MWh]."""
    intraday: np.ndarray
    """Intraday price per period [£/MWh]."""
    intensity: np.ndarray | None
    """Grid carbon intensity per period [gCO2/kWh], when given."""
    skipped: bool = False
    """No (or not every) price for this day and the run skips such days: the battery idles, its SoC carried."""

    @property
    def n_periods(self) -> int:
        return len(self.day_ahead)


@dataclass(frozen=True)
class RangeInputs:
    """Validated inputs for every settlement period from ``first`` to ``last``."""

    first: date
    last: date
    index: pd.DataFrame
    """Columns ``interval_start_utc``, ``settlement_date``, ``settlement_period`` (one row per period)."""
    day_ahead: np.ndarray
    intraday: np.ndarray
    intensity: np.ndarray | None
    days: list[DayInputs]
    skipped: tuple[date, ...] = ()
    """Settlement dates skipped for missing prices (``skip_missing=True``), in order."""
    counted: np.ndarray | None = None
    """Per period: True on a day that is traded (not skipped); None when no day is skipped."""

    @property
    def hours(self) -> float:
        """Length of the range [h] (23 and 25 on clock-change days)."""
        return len(self.index) * 0.5

    @property
    def counted_hours(self) -> float:
        """Hours of the days actually traded [h]."""
        return self.hours if self.counted is None else float(self.counted.sum()) * 0.5

    def head(self, days: int) -> RangeInputs:
        """The inputs of the first ``days`` settlement dates only (what a run stopped after them solved)."""
        kept = self.days[:days]
        if not kept:
            raise InvalidParameters("a range needs at least one settlement date")
        n = kept[-1].rows.stop
        last = kept[-1].settlement_date
        return RangeInputs(
            first=self.first, last=last, index=self.index.iloc[:n].reset_index(drop=True),
            day_ahead=self.day_ahead[:n], intraday=self.intraday[:n],
            intensity=None if self.intensity is None else self.intensity[:n], days=kept,
            skipped=tuple(d for d in self.skipped if d <= last),
            counted=None if self.counted is None else self.counted[:n],
        )


def coerce_date(value: date | str, label: str) -> date:
    """A settlement date from a ``date``, ``datetime`` (its date part) or ISO string."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidParameters(f"{label} {value!r} is not a date (use YYYY-MM-DD)") from None


def _period_label(ts: pd.Timestamp) -> str:
    return f"{to_settlement_period(ts.to_pydatetime()).label()} ({ts.strftime('%Y-%m-%d %H:%M')} UTC)"


def _utc_indexed(frame: pd.DataFrame | pd.Series, what: str) -> pd.DataFrame | pd.Series:
    if isinstance(frame, pd.DataFrame) and not isinstance(frame.index, pd.DatetimeIndex):
        if "interval_start_utc" not in frame.columns:
            raise InvalidPrices(
                f"{what} must be indexed by interval start (UTC) or have an 'interval_start_utc' column"
            )
        frame = frame.set_index(pd.DatetimeIndex(pd.to_datetime(frame["interval_start_utc"], utc=True)))
    if not isinstance(frame.index, pd.DatetimeIndex):
        raise InvalidPrices(f"{what} must be indexed by interval start (UTC timestamps)")
    if frame.index.tz is None:
        raise InvalidPrices(
            f"{what} are indexed by timestamps without a timezone; index them by UTC interval start "
            "(for example with .tz_localize('UTC'))"
        )
    frame = frame.copy()
    frame.index = frame.index.tz_convert("UTC")
    duplicated = frame.index[frame.index.duplicated()]
    if len(duplicated):
        raise InvalidPrices(f"{what} have more than one row for {_period_label(duplicated[0])}")
    return frame


def _aligned(values: pd.Series, starts: pd.DatetimeIndex, what: str, first: date, last: date,
             lenient: bool = False) -> np.ndarray:
    """``values`` on the range's period starts; refuse any missing or blank period (``lenient``: NaN there)."""
    if lenient:
        return pd.to_numeric(values.reindex(starts), errors="coerce").to_numpy(dtype=float)
    present = starts.isin(values.index)
    if not present.all():
        missing = starts[~present]
        raise InvalidPrices(
            f"{what} are missing for {len(missing)} of the {len(starts)} half-hours from {first.isoformat()} "
            f"to {last.isoformat()}; the first is {_period_label(missing[0])}. "
            "Load data covering the whole range, or shorten the range."
        )
    aligned = pd.to_numeric(values.reindex(starts), errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(aligned)
    if bad.any():
        first_bad = starts[np.flatnonzero(bad)[0]]
        raise InvalidPrices(
            f"{what} are blank or not numbers for {int(bad.sum())} half-hours in the range; "
            f"the first is {_period_label(first_bad)}"
        )
    return aligned


def _check_da_hourly(day_ahead: np.ndarray, starts: pd.DatetimeIndex) -> None:
    """Refuse day-ahead prices that differ between the two half-hours of a clock hour."""
    # The range starts at a local midnight, which is a whole UTC hour (GB offsets are whole hours), and every
    # day has an even number of periods, so consecutive pairs are clock hours.
    pairs = day_ahead.reshape(-1, 2)
    differs = np.abs(pairs[:, 0] - pairs[:, 1]) > DA_HOUR_TOLERANCE_GBP_PER_MWH
    if differs.any():
        hour = int(np.flatnonzero(differs)[0])
        start = starts[2 * hour]
        a, b = pairs[hour]
        raise InvalidPrices(
            f"day-ahead prices differ within the clock hour starting {format_local(start.to_pydatetime())} "
            f"({start.strftime('%Y-%m-%d %H:%M')} UTC): {a:g} and {b:g} £/MWh. The day-ahead auction clears "
            "hourly, so both half-hours of an hour must carry the hour's price."
        )


def missing_days(index: pd.DataFrame, *arrays: np.ndarray) -> np.ndarray:
    """Per period of ``index``: True when its settlement date lacks a finite value in any of ``arrays``."""
    bad = np.zeros(len(index), dtype=bool)
    for values in arrays:
        bad |= ~np.isfinite(values)
    dates = index["settlement_date"].to_numpy()
    return pd.Series(bad).groupby(dates).transform("any").to_numpy()


def range_inputs(
    prices: pd.DataFrame,
    first: date | str,
    last: date | str,
    intensity: pd.Series | pd.DataFrame | None = None,
    skip_missing: bool = False,
    da_hourly: bool = True,
) -> RangeInputs:
    """Check ``prices`` (and ``intensity``) cover every settlement period from ``first`` to ``last``.

    ``prices``: indexed by aware interval start, columns ``day_ahead`` and ``intraday`` [£/MWh].
    ``intensity``: grid carbon intensity [gCO2/kWh] indexed the same way (a Series, or a one-column
    DataFrame), or None. ``skip_missing``: a day with any missing price is skipped (marked, its prices
    set to 0 for the idle battery) instead of refusing the range; a range with no day left is refused.
    ``da_hourly``: the day-ahead series is an hourly auction, so both half-hours of a clock hour must
    carry one price; False for a half-hourly series playing the day-ahead leg (its positions are still
    held in hourly blocks, paid each half-hour's price).
    """
    first = coerce_date(first, "start date")
    last = coerce_date(last, "end date")
    if last < first:
        raise InvalidParameters(
            f"the date range is empty: it ends on {last.isoformat()}, before it starts on {first.isoformat()}"
        )
    if not isinstance(prices, pd.DataFrame):
        raise InvalidPrices("prices must be a table (DataFrame) with 'day_ahead' and 'intraday' columns")
    frame = _utc_indexed(prices, "prices")
    absent = [c for c in PRICE_COLUMNS if c not in frame.columns]
    if absent:
        raise InvalidPrices(
            f"prices have no {', '.join(repr(c) for c in absent)} column; columns found: "
            f"{', '.join(map(str, frame.columns)) or 'none'}"
        )
    index = settlement_index(first, last)
    starts = pd.DatetimeIndex(index["interval_start_utc"])
    day_ahead = _aligned(frame["day_ahead"], starts, "day-ahead prices", first, last, skip_missing)
    intraday = _aligned(frame["intraday"], starts, "intraday prices", first, last, skip_missing)
    skip = missing_days(index, day_ahead, intraday) if skip_missing else np.zeros(len(index), dtype=bool)
    if skip.all():
        raise InvalidPrices(f"no day from {first.isoformat()} to {last.isoformat()} has every price; "
                            "there is nothing to run")
    day_ahead = np.where(skip, 0.0, day_ahead)
    intraday = np.where(skip, 0.0, intraday)
    if da_hourly:
        _check_da_hourly(day_ahead, starts)

    intensity_values = None
    if intensity is not None:
        series = _utc_indexed(intensity, "carbon intensities")
        if isinstance(series, pd.DataFrame):
            if series.shape[1] != 1:
                raise InvalidPrices("carbon intensity must be a single series in gCO2/kWh")
            series = series.iloc[:, 0]
        intensity_values = _aligned(series, starts, "carbon intensities", first, last)
        intensity_values = np.where(skip, 0.0, intensity_values)
        if (intensity_values < 0).any():
            bad = starts[np.flatnonzero(intensity_values < 0)[0]]
            raise InvalidPrices(f"carbon intensity is negative at {_period_label(bad)}")

    days = []
    settlement_dates = index["settlement_date"].to_numpy()
    boundaries = np.flatnonzero(np.r_[True, settlement_dates[1:] != settlement_dates[:-1], True])
    for start, stop in zip(boundaries[:-1], boundaries[1:], strict=True):
        rows = slice(int(start), int(stop))
        days.append(
            DayInputs(
                settlement_date=settlement_dates[start],
                rows=rows,
                day_ahead=day_ahead[rows],
                intraday=intraday[rows],
                intensity=None if intensity_values is None else intensity_values[rows],
                skipped=bool(skip[start]),
            )
        )
    skipped = tuple(day.settlement_date for day in days if day.skipped)
    return RangeInputs(first, last, index, day_ahead, intraday, intensity_values, days, skipped,
                       ~skip if skipped else None)


def read_price_csv(path: str | Path) -> pd.DataFrame:
    """Read a half-hourly price file into the frame ``range_inputs`` expects.

    The file has columns ``interval_start_utc`` (ISO 8601 with an offset, e.g. ``2023-01-14T00:00:00Z``),
    ``day_ahead`` and ``intraday`` [£/MWh]. The seed task's layout (``time`` as ``dd/mm/YYYY HH:MM`` UTC,
    ``day-ahead``, ``intra-day``, with a byte-order mark) is read too, so the demo file works as it is.
    """
    try:
        raw = pd.read_csv(path, encoding="utf-8-sig")
    except FileNotFoundError:
        raise InvalidPrices(f"price file {str(path)!r} does not exist") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InvalidPrices(f"price file {str(path)!r} is not a readable CSV file ({exc})") from None
    raw.columns = [str(c).strip() for c in raw.columns]
    if set(_SEED_LAYOUT) <= set(raw.columns):
        raw = raw.rename(columns=_SEED_LAYOUT)
        time_format = "%d/%m/%Y %H:%M"
    elif {"interval_start_utc", *PRICE_COLUMNS} <= set(raw.columns):
        time_format = "ISO8601"
    else:
        raise InvalidPrices(
            f"price file {str(path)!r} has columns {', '.join(raw.columns)}; "
            "expected interval_start_utc, day_ahead, intraday"
        )
    if time_format == "ISO8601":
        text = raw["interval_start_utc"].astype(str).str.strip()
        naive = ~text.str.contains(r"(?:Z|[+-]\d\d:?\d\d)$", regex=True)
        if naive.any():
            raise InvalidPrices(
                f"price file {str(path)!r}: interval_start_utc {text[naive].iloc[0]!r} has no UTC offset (add Z)"
            )
    try:
        starts = pd.to_datetime(raw["interval_start_utc"], utc=True, format=time_format)
    except (ValueError, TypeError) as exc:
        raise InvalidPrices(f"price file {str(path)!r} has a timestamp that cannot be read: {exc}") from None
    frame = pd.DataFrame(
        {column: pd.to_numeric(raw[column], errors="coerce") for column in PRICE_COLUMNS},
    )
    frame.index = pd.DatetimeIndex(starts, name="interval_start_utc")
    return frame
