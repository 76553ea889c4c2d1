"""Charge and discharge never at once: LP first, MILP when the LP cheats, or MILP always when asked."""

from datetime import date

import numpy as np
import pytest

from optimiser import BatteryParams, SolverSettings, optimise
from optimiser.model import Stage
from optimiser.solver import DayProblem
from tests.optimiser.helpers import assert_physically_consistent, burner_battery, prices_for

DAY = date(2023, 1, 10)
# Full, lossy, no effective cycle limit, and paid to take energy for the first two hours: the LP burns
# energy by charging and discharging at once, which the physical battery cannot do.
BURNER = burner_battery()
PRICES = np.r_[np.full(4, -50.0), np.full(44, 30.0)]
NEGATIVE = prices_for(DAY, DAY, day_ahead=PRICES, intraday=PRICES)


def test_lp_charges_and_discharges_at_once_when_burning_energy_pays():
    problem = DayProblem(48, Stage.DA, BURNER, SolverSettings(), carbon_priced=False)
    problem.load_day(PRICES, PRICES, 10.0, (0.0, 10.0))
    lp = problem.solve(binary=False)
    milp = problem.solve(binary=True)
    assert lp.charges_and_discharges_at_once(1e-6)
    assert not milp.charges_and_discharges_at_once(1e-6)
    assert lp.outcome.objective > milp.outcome.objective + 5  # the cheat is worth real money


def test_a_cheating_lp_day_is_resolved_with_binaries():
    result = optimise(NEGATIVE, DAY, DAY, BURNER, markets="da", baselines=False)
    assert result.solver.binary_days == ["2023-01-10"]
    assert result.solver.solves == 2  # the LP, then the MILP
    assert_physically_consistent(result, BURNER)
    always = optimise(NEGATIVE, DAY, DAY, BURNER, markets="da", solver=SolverSettings(always_binary=True))
    assert always.solver.solves == 2  # one MILP for the run, one for the joint baseline
    assert always.solver.binary_days == ["2023-01-10"]
    assert result.totals.net_revenue_gbp == pytest.approx(always.totals.net_revenue_gbp, rel=1e-9)


def test_both_stages_fall_back_to_binaries_independently():
    result = optimise(NEGATIVE, DAY, DAY, BURNER, markets="da+id", baselines=False)
    assert result.solver.binary_days == ["2023-01-10"]
    assert_physically_consistent(result, BURNER)


def test_ordinary_days_stay_linear_programmes(seed_prices):
    result = optimise(seed_prices, date(2023, 2, 1), date(2023, 2, 2), BatteryParams(), baselines=False)
    assert result.solver.binary_days == []
    assert result.solver.solves == 4  # two days, two stages, one LP each
    assert_physically_consistent(result, BatteryParams())


def test_always_binary_solves_every_day_as_a_milp_with_the_same_optimum(seed_prices):
    first, last = date(2023, 2, 1), date(2023, 2, 2)
    lp = optimise(seed_prices, first, last, BatteryParams(), markets="da", baselines=False)
    milp = optimise(
        seed_prices, first, last, BatteryParams(), markets="da", solver=SolverSettings(always_binary=True, mip_gap=0)
    )
    assert milp.solver.binary_days == ["2023-02-01", "2023-02-02"]
    assert milp.totals.net_revenue_gbp == pytest.approx(lp.totals.net_revenue_gbp, rel=1e-9)


def test_repeated_solves_add_no_interrupt_callbacks():
    # highspy 1.15 subscribes another interrupt callback each time HandleKeyboardInterrupt is set, and the
    # stock Pyomo interface sets it before every solve: HiGHS then calls back into Python once per copy per
    # simplex iteration, and a year of re-solves slows quadratically.
    problem = DayProblem(48, Stage.DA, BatteryParams(), SolverSettings(), carbon_priced=False)
    for _ in range(5):
        problem.load_day(PRICES, PRICES, 50.0, (0.0, 100.0))
        problem.solve(binary=False)
    assert problem.solver._solver_model.cbSimplexInterrupt.callbacks == []
