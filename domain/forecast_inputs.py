"""What a forecaster may see at a decision time: the one function that builds its inputs.

A price for the half-hour starting at ``t`` is counted as known from the end of that half-hour
(``t + 30 min``), whatever its series: this is conservative for the day-ahead auction (published the day
before delivery) and right for intraday, index and system prices, which are only final once the period
has passed. ``forecast_inputs`` copies only the rows known strictly before the decision time, so nothing a
forecaster does with its inputs can reach a later price: the leakage test in
``tests/optimiser/test_backtest.py`` shifts every later price and checks that no decision moves.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from domain.settlement_time import PERIOD

KNOWN_AFTER = pd.Timedelta(PERIOD)
"""A price is known this long after the start of its interval (at the interval's end)."""


@dataclass(frozen=True)
class ForecastInputs:
    """Everything a forecaster is given for one decision."""

    decision_time_utc: pd.Timestamp
    """When the decision is taken (aware UTC)."""
    known: pd.DataFrame
    """Every stored series [£/MWh], indexed by aware UTC interval start, only rows known before the decision."""
    targets: pd.DatetimeIndex
    """UTC starts of the half-hours to forecast (all at or after the decision time)."""
    column: str
    """The series to forecast (a column of ``known``)."""


def forecast_inputs(history: pd.DataFrame, decision_time_utc: pd.Timestamp, targets: pd.DatetimeIndex,
                    column: str) -> ForecastInputs:
    """The inputs for forecasting ``column`` over ``targets`` at ``decision_time_utc``.

    ``history``: every stored series [£/MWh], indexed by aware UTC interval start (sorted). Only rows whose
    interval ended at or before the decision time are passed on, as a copy.
    """
    decision = pd.Timestamp(decision_time_utc)
    if decision.tzinfo is None:
        raise ValueError("the decision time must be timezone-aware (UTC)")
    decision = decision.tz_convert("UTC")
    # Hourly re-optimisation builds inputs about 9,000 times a year: an index that is one already is not rebuilt.
    if not isinstance(targets, pd.DatetimeIndex):
        targets = pd.DatetimeIndex(targets)
    if len(targets) and targets.min() < decision:
        raise ValueError(f"a target half-hour ({targets.min()}) starts before the decision time ({decision})")
    cutoff = decision - KNOWN_AFTER
    index = history.index if isinstance(history.index, pd.DatetimeIndex) else pd.DatetimeIndex(history.index)
    position = int(index.searchsorted(cutoff, side="right"))
    known = history.iloc[:position].copy()
    return ForecastInputs(decision, known, targets, column)
