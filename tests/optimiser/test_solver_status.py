"""Every way a solve can end maps to one distinct outcome, with a message a trader can act on."""

from datetime import date

import numpy as np
import pytest
from highspy import HighsModelStatus as S

from optimiser import (
    BatteryParams,
    InfeasibleProblem,
    InvalidParameters,
    RunStatus,
    SolverFailed,
    SolverSettings,
    SolverTimeLimit,
    optimise,
)
from optimiser.persistent_highs import PersistentHighs
from optimiser.status import classify, worst
from tests.optimiser.helpers import burner_battery, prices_for

FIRST, LAST = date(2023, 1, 10), date(2023, 1, 11)


@pytest.mark.parametrize(
    ("model_status", "has_solution", "status"),
    [
        (S.kOptimal, True, RunStatus.OPTIMAL),
        (S.kInfeasible, False, RunStatus.INFEASIBLE),
        (S.kUnboundedOrInfeasible, False, RunStatus.INFEASIBLE),
        (S.kTimeLimit, True, RunStatus.SUBOPTIMAL),
        (S.kTimeLimit, False, RunStatus.TIME_LIMIT_NO_SOLUTION),
        (S.kSolutionLimit, True, RunStatus.SUBOPTIMAL),
        (S.kIterationLimit, False, RunStatus.SOLVER_ERROR),
        (S.kUnbounded, False, RunStatus.SOLVER_ERROR),
        (S.kSolveError, False, RunStatus.SOLVER_ERROR),
        (S.kMemoryLimit, True, RunStatus.SOLVER_ERROR),
        (S.kUnknown, True, RunStatus.SOLVER_ERROR),
        (S.kOptimal, False, RunStatus.SOLVER_ERROR),
    ],
)
def test_each_highs_status_maps_to_one_outcome(model_status, has_solution, status):
    assert classify(model_status, has_solution, 100.0, 110.0).status is status


def test_gap_is_relative_to_the_schedule_found():
    outcome = classify(S.kTimeLimit, True, objective=1000.0, bound=1050.0)
    assert outcome.gap == pytest.approx(0.05)


def test_a_run_reports_its_worst_day():
    assert worst([RunStatus.OPTIMAL, RunStatus.SUBOPTIMAL, RunStatus.OPTIMAL]) is RunStatus.SUBOPTIMAL
    assert worst([]) is RunStatus.OPTIMAL


def test_returning_to_the_initial_soc_without_discharging_is_infeasible_and_says_why():
    # Paid to charge on day 1, the battery fills up; day 2 must end back at 50 MWh but may not discharge.
    prices = prices_for(FIRST, LAST, day_ahead=np.r_[np.full(48, -20.0), np.full(48, 50.0)])
    params = BatteryParams(terminal_soc="eq-initial", max_cycles_per_day=0)
    result = optimise(prices, FIRST, LAST, params, markets="da")
    assert result.status == "infeasible"
    assert result.message == (
        "No feasible schedule on 2023-01-11 (da stage): the battery starts the day at 100.0 MWh and must end it "
        "at 50.0 MWh or less (terminal SoC policy eq-initial), but the cycle limit of 0 cycles/day lets it "
        "discharge at most 0.0 MWh in the day."
    )
    assert result.failed_date == LAST
    assert result.intervals.empty and result.totals is None and result.baselines is None
    with pytest.raises(InfeasibleProblem) as error:
        result.raise_for_status()
    assert error.value.settlement_date == LAST


def test_getting_back_to_the_initial_soc_without_imports_is_infeasible_and_says_why():
    prices = prices_for(FIRST, LAST, day_ahead=np.r_[np.full(46, 50.0), 900.0, 900.0, np.full(48, 50.0)])
    params = BatteryParams(terminal_soc="geq-initial", import_limit_mw=0)
    result = optimise(prices, FIRST, LAST, params, markets="da")
    assert result.status == "infeasible"
    assert "must end it at 50.0 MWh or more (terminal SoC policy geq-initial)" in result.message
    assert "at 0 MW (import limit) it can store at most 0.0 MWh in the day" in result.message


def test_no_schedule_within_the_time_limit_is_its_own_outcome(seed_prices):
    result = optimise(
        seed_prices, date(2023, 2, 1), date(2023, 2, 1), BatteryParams(), solver=SolverSettings(time_limit_s=1e-9)
    )
    assert result.status == "time_limit_no_solution"
    assert "time limit on 2023-02-01 (da stage) before finding any schedule" in result.message
    assert result.intervals.empty
    with pytest.raises(SolverTimeLimit):
        result.raise_for_status()


def test_time_limit_with_a_schedule_is_suboptimal_and_reports_the_gap():
    # Paid to take energy all day in both markets: a hard MILP still open after 3 s here, but a
    # schedule (at worst, doing nothing) is found at once. 1 s leaves room for a loaded CI machine.
    day = FIRST
    params = burner_battery()
    prices = prices_for(day, day, day_ahead=-50.0, intraday=-50.0)
    settings = SolverSettings(time_limit_s=1.0, always_binary=True)
    result = optimise(prices, day, day, params, markets="joint", solver=settings)
    assert result.status == "suboptimal"
    assert result.ok and not result.intervals.empty
    assert result.solver.suboptimal_days == ["2023-01-10"]
    assert result.solver.max_mip_gap > 0
    assert "stopped at the time limit" in result.message
    assert result.solver.settings == {"time_limit_s": 1.0, "mip_gap": 1e-4, "always_binary": True}
    assert result.raise_for_status() is result


def test_the_time_limit_applies_to_each_daily_solve_not_to_the_whole_run():
    # HiGHS measures its time limit against its clock summed over all runs of one instance, so each run must
    # be given the limit on top of the time already on that clock (else, after a minute of daily solves,
    # every later solve would stop at once). Read from HiGHS itself: no wall-clock race with a busy machine.
    import pyomo.environ as pyo

    from optimiser.persistent_highs import PersistentHighs

    model = pyo.ConcreteModel()
    model.cap = pyo.Param(initialize=1.0, mutable=True)
    model.x = pyo.Var(bounds=(0, None))
    model.limit = pyo.Constraint(expr=model.x <= model.cap)
    model.objective = pyo.Objective(expr=model.x, sense=pyo.maximize)
    solver = PersistentHighs(SolverSettings(time_limit_s=1.0))
    solver.set_instance(model)
    highs = solver._solver_model
    clocks = []
    for cap in (1.0, 2.0, 3.0):
        model.cap = cap
        on_the_clock = highs.getRunTime()
        run = solver.resolve()
        assert run.objective == cap
        _status, limit = highs.getOptionValue("time_limit")
        assert limit == pytest.approx(on_the_clock + 1.0, abs=1e-9)
        clocks.append(on_the_clock)
    assert clocks[0] < clocks[1] < clocks[2]  # the clock does sum over runs: the limit really had to move


def test_a_solver_crash_is_a_solver_error_not_an_exception(seed_prices, monkeypatch):
    def crash(self):
        raise RuntimeError("HiGHS crashed")

    monkeypatch.setattr(PersistentHighs, "run", crash)
    result = optimise(seed_prices, date(2023, 2, 1), date(2023, 2, 1), BatteryParams())
    assert result.status == "solver_error"
    assert result.message == "The solver failed on 2023-02-01 (da stage): RuntimeError: HiGHS crashed."
    with pytest.raises(SolverFailed):
        result.raise_for_status()


def test_a_carbon_price_without_intensities_is_refused_before_solving(seed_prices):
    with pytest.raises(InvalidParameters, match="a carbon price needs a carbon-intensity series"):
        optimise(seed_prices, date(2023, 2, 1), date(2023, 2, 1), BatteryParams(carbon_price_gbp_per_tco2=50))
