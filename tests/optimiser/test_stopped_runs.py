"""A run stopped from outside (cancelled) hands back the days it solved, as a run over just those days would."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from optimiser import BatteryParams, StopRequested, optimise

FIRST = date(2023, 2, 1)
BATTERY = BatteryParams(power_mw=10, energy_mwh=20, charge_efficiency=0.9, discharge_efficiency=0.9)


def _stop_after(days: int):
    def progress(done: int, _total: int) -> None:
        if done == days:
            raise StopRequested

    return progress


def test_a_run_stopped_after_two_of_four_days_returns_those_two_days_as_a_two_day_run(seed_prices):
    with pytest.raises(StopRequested) as stopped:
        optimise(seed_prices, FIRST, FIRST + timedelta(days=3), BATTERY, progress=_stop_after(2))
    partial = stopped.value.partial
    whole_two = optimise(seed_prices, FIRST, FIRST + timedelta(days=1), BATTERY)

    assert partial.requested_days == 4 and partial.last == FIRST + timedelta(days=1)
    assert sorted(partial.intervals["settlement_date"].unique()) == [FIRST, FIRST + timedelta(days=1)]
    assert len(partial.intervals) == 96
    pd.testing.assert_frame_equal(partial.intervals, whole_two.intervals)
    assert partial.totals == whole_two.totals and partial.totals.days == 2
    assert partial.baselines == whole_two.baselines
    assert "stopped after 2 of 4 days" in partial.message


def test_a_stop_without_a_partial_result_still_reaches_the_caller(seed_prices):
    """The exception is re-raised, so the caller (the run service) decides what the stop means."""
    calls = []

    def progress(done, total):
        calls.append(done)
        raise StopRequested

    with pytest.raises(StopRequested):
        optimise(seed_prices, FIRST, FIRST + timedelta(days=2), BATTERY, progress=progress)
    assert calls == [1]
