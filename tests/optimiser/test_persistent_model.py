"""The persistent model: loaded into HiGHS by the one-pass loader exactly as Pyomo's stock loader loads it, and
reused day after day (46-, 48- and 50-period days in turn) with the same schedules as a model built afresh."""

from datetime import date

import numpy as np
import pyomo.environ as pyo
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
    problem.load_day(*_day(problem, seed))


def _day(problem: DayProblem, seed: int) -> tuple:
    rng = np.random.default_rng(seed)
    n = problem.n_periods
    return (np.repeat(rng.normal(60, 30, n // 2), 2), rng.normal(60, 40, n), 31.0, (12.0, 87.0),
            rng.normal(0, 20, n), rng.normal(5, 2, n))


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


def _store_in_params(problem: DayProblem, day_ahead, intraday, soc_start, window, da_net, carbon) -> None:
    """The day written into the model's Params by hand, from the formulas of ``define_parameters``."""
    m, dt = problem.model, 0.5
    m.soc_start_mwh = soc_start
    m.soc_end_min_mwh, m.soc_end_max_mwh = window
    if problem.stage.trades_da:
        for h, cash in enumerate(dt * day_ahead.reshape(-1, 2).sum(axis=1)):
            m.da_sell_cash_gbp_per_mw[h], m.da_buy_cash_gbp_per_mw[h] = cash, -cash
    for t in range(problem.n_periods):
        if problem.stage.trades_id:
            m.id_sell_cash_gbp_per_mw[t], m.id_buy_cash_gbp_per_mw[t] = dt * intraday[t], -dt * intraday[t]
        if problem.stage is Stage.ID:
            m.da_net_import_mw[t] = da_net[t]
        if problem.carbon_priced:
            m.charge_cash_gbp_per_mw[t] = -dt * carbon[t]
            m.discharge_cash_gbp_per_mw[t] = dt * (carbon[t] - problem.battery.degradation_cost_gbp_per_mwh)


@pytest.mark.parametrize("n", [46, 48, 50])
@pytest.mark.parametrize("stage", list(Stage))
@pytest.mark.parametrize("carbon", [False, True])
def test_a_day_written_straight_into_highs_is_the_lp_its_params_would_push(n, stage, carbon):
    battery = BatteryParams(import_limit_mw=70.0, degradation_cost_gbp_per_mwh=3.0,
                            carbon_price_gbp_per_tco2=60.0 if carbon else None)
    direct, through_params = _problem(n, stage, battery, carbon), _problem(n, stage, battery, carbon)
    for seed in (n, n + 1):  # a second day over the first, as a run reuses its model
        day = _day(direct, seed)
        direct.load_day(*day)
        _store_in_params(through_params, *day)
        through_params.solver.update_params()
        assert _lp(direct) == _lp(through_params)
        assert _lp(direct)["row_lower"].count(31.0) == 1
        schedules = [problem.solve(binary=False) for problem in (direct, through_params)]
        assert schedules[0].outcome == schedules[1].outcome
        np.testing.assert_array_equal(schedules[0].soc_mwh, schedules[1].soc_mwh)


def test_a_day_is_written_only_where_its_params_stand():
    m = pyo.ConcreteModel()
    m.p = pyo.Param(mutable=True, initialize=0.0)
    m.q = pyo.Param(mutable=True, initialize=0.0)
    m.x = pyo.Var(bounds=(0, 10))
    m.c = pyo.Constraint(expr=m.x <= m.q)
    m.o = pyo.Objective(expr=m.p * m.x, sense=pyo.maximize)
    solver = PersistentHighs(SolverSettings())
    solver.set_instance(m)
    with pytest.raises(ValueError, match="not one of the Params written"):
        solver.param_writer([m.p])
    solver.param_writer([m.q, m.p])(np.array([4.0, 2.0]))
    lp = solver._solver_model.getLp()
    assert list(lp.col_cost_) == [2.0] and list(lp.row_upper_) == [4.0]
    assert solver.run().objective == 8.0
