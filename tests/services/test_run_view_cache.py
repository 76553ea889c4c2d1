"""A run's view reads only what it needs: one day's intervals for its chart and the run's span, without
reading every interval; once they are read, both come from them."""

from datetime import date

import pandas as pd

from optimiser import BatteryParams
from services import run_view_cache
from services.optimisation_runs import RunRequest, run_optimisation
from services.prices import load_demo_prices


def test_one_day_and_the_span_equal_those_of_every_interval(db):
    load_demo_prices(db, feeds=("seed",))
    run_id = run_optimisation(db, RunRequest(date(2023, 3, 25), date(2023, 3, 27),
                                             BatteryParams(power_mw=5, energy_mwh=10))).run_id
    run_view_cache.clear()
    _run, entry = run_view_cache.run_entry(db, run_id)
    spring = entry.day_intervals(date(2023, 3, 26))  # 46 periods, read alone
    span = entry.span()
    assert entry._intervals is None  # neither read the run's intervals
    every = entry.intervals
    assert len(every) == 48 + 46 + 48
    pd.testing.assert_frame_equal(spring.reset_index(drop=True),
                                  every[every["settlement_date"] == date(2023, 3, 26)].reset_index(drop=True))
    starts = every["interval_start_utc"]
    assert span == (starts.iloc[0].to_pydatetime(), (starts.iloc[-1] + pd.Timedelta(minutes=30)).to_pydatetime(),
                    len(every))
    assert entry.span() == span  # from the intervals now read
    pd.testing.assert_frame_equal(entry.day_intervals(date(2023, 3, 26)).reset_index(drop=True),
                                  spring.reset_index(drop=True))
    assert entry.day_intervals(date(2023, 3, 28)).empty
    assert run_view_cache.run_entry(db, run_id)[1] is entry  # a finished run is kept
