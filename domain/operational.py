"""Operational (metered) battery data: reading a CSV file's rows, and schedule-vs-actual statistics.

Pure pandas: no Flask, Dash or SQL. A file gives metered output per settlement period [MW,
exports positive] either by UTC start (``interval_start_utc``) or by settlement date and period
(``settlement_date``, ``settlement_period``); every row is checked and each problem is reported
with the file's line number (the header is line 1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from domain.settlement_time import PERIOD, day_start_utc, periods_in_day, settlement_periods_of

VALUE_COLUMN = "metered_mw"
UTC_COLUMN = "interval_start_utc"
DATE_COLUMN = "settlement_date"
PERIOD_COLUMN = "settlement_period"
MAX_ABS_MW = 10_000.0
"""A metered value beyond this is a unit mistake (kW, W), not a battery [MW]."""
MAX_ERRORS_SHOWN = 20


@dataclass(frozen=True)
class ParsedReadings:
    """Rows that passed every check (``interval_start_utc``, ``settlement_date``, ``settlement_period``,
    ``metered_mw``), and one message per problem found, with its line number."""

    readings: pd.DataFrame
    errors: list[str]


def _problem_lines(mask: pd.Series, message: str) -> list[tuple[int, str]]:
    lines = (mask[mask].index + 2).tolist()
    return [(line, f"line {line}: {message}") for line in lines]


def parse_readings(raw: pd.DataFrame) -> ParsedReadings:
    """Check every row of a CSV file read as strings; the readings, and the problems by line."""
    columns = {str(c).strip().lower(): c for c in raw.columns}
    if VALUE_COLUMN not in columns:
        return ParsedReadings(pd.DataFrame(), [f"the file needs a {VALUE_COLUMN} column (MW, exports positive); "
                                               f"it has {', '.join(map(str, raw.columns)) or 'none'}"])
    by_utc = UTC_COLUMN in columns
    by_period = DATE_COLUMN in columns and PERIOD_COLUMN in columns
    if not by_utc and not by_period:
        return ParsedReadings(pd.DataFrame(), [f"the file needs {UTC_COLUMN}, or {DATE_COLUMN} and {PERIOD_COLUMN}"])
    if raw.empty:
        return ParsedReadings(pd.DataFrame(), ["the file has no rows"])
    raw = raw.reset_index(drop=True)
    problems: list[tuple[int, str]] = []
    text_values = raw[columns[VALUE_COLUMN]].astype("string").str.strip()
    values = pd.to_numeric(text_values, errors="coerce")
    bad_value = values.isna() | ~np.isfinite(values.fillna(0.0))
    problems += _problem_lines(bad_value, f"{VALUE_COLUMN} is not a number")
    too_big = ~bad_value & (values.abs() > MAX_ABS_MW)
    problems += _problem_lines(too_big, f"{VALUE_COLUMN} is beyond ±{MAX_ABS_MW:,.0f} MW (a kW or W file?)")

    if by_utc:
        starts, time_problems = _starts_from_utc(raw[columns[UTC_COLUMN]].astype("string").str.strip())
    else:
        starts, time_problems = _starts_from_periods(raw[columns[DATE_COLUMN]].astype("string").str.strip(),
                                                     raw[columns[PERIOD_COLUMN]].astype("string").str.strip())
    problems += time_problems
    duplicated = starts.notna() & starts.duplicated(keep="first")
    problems += _problem_lines(duplicated, "a second reading for the same settlement period")
    if problems:
        problems.sort()
        return ParsedReadings(pd.DataFrame(), [message for _, message in problems])
    index = pd.DatetimeIndex(starts)
    dates, periods = settlement_periods_of(index)
    readings = pd.DataFrame({UTC_COLUMN: index, DATE_COLUMN: dates, PERIOD_COLUMN: periods,
                             VALUE_COLUMN: values.astype(float).to_numpy()})
    return ParsedReadings(readings.sort_values(UTC_COLUMN, ignore_index=True), [])


def _starts_from_utc(text: pd.Series) -> tuple[pd.Series, list[tuple[int, str]]]:
    """UTC starts from ISO 8601 text; text without an offset is UTC (as the meters send it)."""
    parsed = pd.to_datetime(text, utc=True, errors="coerce", format="ISO8601")
    problems = _problem_lines(parsed.isna(), f"{UTC_COLUMN} is not an ISO 8601 time (e.g. 2023-03-26T00:30:00Z)")
    off_grid = parsed.notna() & ((parsed.dt.minute % 30 != 0) | (parsed.dt.second != 0))
    problems += _problem_lines(off_grid, f"{UTC_COLUMN} is not the start of a half-hour settlement period")
    return parsed.where(~off_grid), problems


def _starts_from_periods(dates: pd.Series, periods: pd.Series) -> tuple[pd.Series, list[tuple[int, str]]]:
    """UTC starts from settlement date and period: period N starts at local midnight + (N − 1) × 30 min."""
    parsed_dates = pd.to_datetime(dates, errors="coerce", format="%Y-%m-%d")
    numbers = pd.to_numeric(periods, errors="coerce")
    problems = _problem_lines(parsed_dates.isna(), f"{DATE_COLUMN} is not a date like 2023-03-26")
    bad_number = numbers.isna() | (numbers != numbers.round())
    problems += _problem_lines(bad_number, f"{PERIOD_COLUMN} is not a whole number")
    valid = parsed_dates.notna() & ~bad_number
    day_values = parsed_dates.dt.date
    unique_days = set(day_values[valid])
    counts = {d: periods_in_day(d) for d in unique_days}
    starts_of_day = {d: pd.Timestamp(day_start_utc(d)) for d in unique_days}
    limit = day_values.where(valid).map(counts).fillna(0).astype(int)
    out_of_range = valid & ((numbers < 1) | (numbers > limit))
    for line, _ in _problem_lines(out_of_range, ""):
        row = line - 2
        problems.append((line, f"line {line}: settlement period {int(numbers[row])} does not exist on "
                               f"{day_values[row].isoformat()} (that day has {int(limit[row])} periods)"))
    ok = valid & ~out_of_range
    day_start = day_values.where(ok).map(starts_of_day)
    starts = pd.Series(pd.NaT, index=dates.index, dtype="datetime64[ns, UTC]")
    if ok.any():
        starts[ok] = pd.to_datetime(day_start[ok], utc=True) + (numbers[ok].astype(int) - 1) * PERIOD
    return starts, problems


@dataclass(frozen=True)
class DeviationStats:
    """Schedule against metered output over a run's intervals [MW]."""

    intervals: int
    missing: int
    """Schedule intervals with no metered reading."""
    mae_mw: float | None
    """Mean absolute deviation over the intervals with a reading [MW]; None when none has one."""
    max_abs_deviation_mw: float | None
    max_deviation_at: pd.Timestamp | None
    """UTC start of the interval with the largest absolute deviation."""

    @property
    def share_missing(self) -> float:
        return self.missing / self.intervals if self.intervals else 0.0


def deviation_stats(joined: pd.DataFrame) -> DeviationStats:
    """``joined``: one row per schedule interval with ``scheduled_mw`` and ``metered_mw`` (NaN when missing)."""
    total = len(joined)
    present = joined["metered_mw"].notna()
    if total == 0 or not present.any():
        return DeviationStats(total, int((~present).sum()), None, None, None)
    deviation = (joined.loc[present, "metered_mw"] - joined.loc[present, "scheduled_mw"]).abs()
    worst = deviation.idxmax()
    return DeviationStats(total, int((~present).sum()), float(deviation.mean()), float(deviation.max()),
                          pd.Timestamp(joined.loc[worst, "interval_start_utc"]))
