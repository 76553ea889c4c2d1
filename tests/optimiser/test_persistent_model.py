"""The persistent model: loaded into HiGHS by the one-pass loader exactly as Pyomo's stock loader loads it, and
reused day after day (46-, 48- and 50-period days in turn) with the same schedules as a model built afresh."""

from datetime import date

import numpy as np
import pytest
from pyomo.contrib.appsi.solvers.highs import Highs
from pyomo.environ import Constraint

from optimiser.model import Stage
from optimiser.params import BatteryParams, SolverSettings
from optimiser.persistent_highs import PersistentHighs, _linear_row
from optimiser.prices import range_inputs
from optimiser.solver import DayProblem
from tests.optimiser.test_clock_change_days import wavy_prices


class StockLoader(PersistentHighs):
    """``PersistentHighs`` loading its constraints the stock way (``prep_for_repn`` + ``generate_standard_repn``)."""

    def add_constraints(self, cons):
        Highs.add_constraints(self, cons)


def _problem(n: int, stage: Stage, battery: BatteryParams, carbon: bool, loader=PersistentHighs) -> DayProblem:
    import optimiser.solver as solver_module

    original = solver_module.PersistentHighs
    solver_module.PersistentHighs = loader
    try:
        return DayProblem(n, stage, battery, SolverSettings(), carbon)
    finally:
        solver_module.PersistentHighs = original


def _load(problem: DayProblem, seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = problem.n_periods
    problem.load_day(np.repeat(rng.normal(60, 30, n // 2), 2), rng.normal(60, 40, n), 31.0, (12.0, 87.0),
                     rng.normal(0, 20, n), rng.normal(5, 2, n))
    problem.solver.update_params()


def _lp(problem: DayProblem) -> dict:
    lp = problem.solver._solver_model.getLp()
    return {"start": list(lp.a_matrix_.start_), "index": list(lp.a_matrix_.index_),
            "value": list(lp.a_matrix_.value_), "row_lower": list(lp.row_lower_), "row_upper": list(lp.row_upper_),
            "col_lower": list(lp.col_lower_), "col_upper": list(lp.col_upper_), "cost": list(lp.col_cost_),
            "offset": lp.offset_, "sense": lp.sense_}


@pytest.mark.parametrize("n", [46, 48, 50])
@pytest.mark.parametrize("stage", list(Stage))
@pytest.mark.parametrize("carbon", [False, True])
def test_one_pass_loader_loads_the_same_highs_model_as_the_stock_loader(n, stage, carbon):
    battery = BatteryParams(import_limit_mw=70.0, export_limit_mw=80.0, degradation_cost_gbp_per_mwh=3.0,
                            carbon_price_gbp_per_tco2=60.0 if carbon else None)
    fast, stock = _problem(n, stage, battery, carbon), _problem(n, stage, battery, carbon, StockLoader)
    constraints = list(fast.model.component_data_objects(Constraint))
    assert all(_linear_row(con.body) is not None for con in constraints)  # every row goes the one-pass way
    _load(fast, n)
    _load(stock, n)
    assert _lp(fast) == _lp(stock)
    assert _lp(fast)["row_lower"].count(31.0) == 1  # the mutable SoC start reached HiGHS through its helper
    assert len(fast.solver._mutable_helpers) == len(stock.solver._mutable_helpers) > 0
    rows = {name: [(c.name, row) for c, row in problem.solver._pyomo_con_to_solver_con_map.items()]
            for name, problem in (("fast", fast), ("stock", stock))}
    assert rows["fast"] == rows["stock"]
    referenced = {name: [(c.name, [v.name for v in variables])
                         for c, variables in problem.solver._vars_referenced_by_con.items()]
                  for name, problem in (("fast", fast), ("stock", stock))}
    assert referenced["fast"] == referenced["stock"]


def test_a_model_reused_over_days_of_46_48_and_50_periods_solves_as_a_fresh_one():
    # 2023-03-25..27 and 2023-10-28..30: 48, 46, 48 and 48, 50, 48 periods, each shape's model reused.
    battery = BatteryParams(max_cycles_per_day=1.5)
    days = []
    for first, last in ((date(2023, 3, 25), date(2023, 3, 27)), (date(2023, 10, 28), date(2023, 10, 30))):
        days += range_inputs(wavy_prices(first, last, seed=first.month), first, last).days
    assert [d.n_periods for d in days] == [48, 46, 48, 48, 50, 48]
    reused: dict[tuple[int, Stage], DayProblem] = {}
    soc = battery.initial_soc_mwh
    for day in days:
        da_net = None
        for stage in (Stage.DA, Stage.ID):
            kept = reused.setdefault((day.n_periods, stage), _problem(day.n_periods, stage, battery, False))
            fresh = _problem(day.n_periods, stage, battery, False)
            schedules = []
            for problem in (kept, fresh):
                problem.load_day(day.day_ahead, day.intraday, soc, (battery.soc_min_mwh, battery.soc_max_mwh), da_net)
                schedules.append(problem.solve(binary=False))
            again, new = schedules
            assert again.outcome.status == new.outcome.status and again.outcome.status.has_schedule
            for name in ("charge_mw", "discharge_mw", "soc_mwh", "da_buy_mw", "da_sell_mw", "id_buy_mw", "id_sell_mw"):
                if getattr(new, name) is not None:
                    np.testing.assert_allclose(getattr(again, name), getattr(new, name), atol=1e-9, err_msg=name)
            if stage is Stage.DA:
                da_net = new.da_buy_mw - new.da_sell_mw
        soc = float(np.clip(new.soc_mwh[-1], battery.soc_min_mwh, battery.soc_max_mwh))
    assert len(reused) == 6
