"""A run never waits on Pyomo's process-wide output-capture lock.

Pyomo's stock HiGHS interface builds each model inside ``capture_output``, which takes
``pyomo.common.dependencies.capture_output_lock``. Run processes are forked from the web server and killed on
cancel; a process killed while holding that (process-shared) lock left every later run in the server to fail
with "Deadlock starting capture_output". Here the lock is held by another thread for the whole solve, with
Pyomo's deadlock timeout cut to half a second: the stock path would raise, ours must not touch the lock.
"""

from __future__ import annotations

import threading
from datetime import date

import numpy as np
import pytest
from pyomo.common import dependencies, tee

from optimiser import BatteryParams, optimise
from optimiser.model import Stage
from optimiser.params import SolverSettings
from optimiser.solver import DayProblem
from tests.optimiser.helpers import prices_for


@pytest.fixture
def capture_lock_held_elsewhere(monkeypatch):
    monkeypatch.setattr(tee, "_threading_deadlock", 0.5)
    taken, release = threading.Event(), threading.Event()

    def hold() -> None:
        with dependencies.capture_output_lock:
            taken.set()
            release.wait(60)

    holder = threading.Thread(target=hold, daemon=True)
    holder.start()
    assert taken.wait(10)
    yield
    release.set()
    holder.join(10)


def test_the_stock_interface_would_deadlock_here(capture_lock_held_elsewhere):
    from pyomo.common.errors import DeveloperError

    with pytest.raises(DeveloperError, match="Deadlock"), tee.capture_output(capture_fd=True):
        pass


def test_building_a_day_model_does_not_take_the_capture_lock(capture_lock_held_elsewhere):
    params = BatteryParams(power_mw=10, energy_mwh=20)
    problem = DayProblem(48, Stage.DA, params, SolverSettings(), carbon_priced=False)
    assert problem.n_periods == 48


def test_a_whole_run_solves_while_another_holds_the_capture_lock(capture_lock_held_elsewhere):
    first = last = date(2023, 1, 10)
    prices = prices_for(first, last, day_ahead=np.tile([20.0, 20.0, 90.0, 90.0], 12),
                        intraday=np.tile([30.0, 80.0], 24))
    result = optimise(prices, first, last, BatteryParams(power_mw=10, energy_mwh=20))
    assert result.ok, result.message
    assert result.totals.net_revenue_gbp > 0
