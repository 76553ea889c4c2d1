"""``PersistentHighs`` loads variables in one pass into the same HiGHS columns and appsi bookkeeping as the stock
loader, falls back to the stock loader for anything else, and an instance given a second model holds only it."""

import numpy as np
import pyomo.environ as pyo
import pytest
from pyomo.contrib.appsi.base import PersistentBase
from pyomo.contrib.appsi.solvers.highs import Highs

from optimiser.model import Stage, create_day_model
from optimiser.params import BatteryParams, SolverSettings
from optimiser.persistent_highs import PersistentHighs


class StockVariables(PersistentHighs):
    """``PersistentHighs`` loading its variables the stock way (``_process_domain_and_bounds`` per variable)."""

    def add_variables(self, variables):
        PersistentBase.add_variables(self, variables)


class StockLoading(StockVariables):
    """The whole model loaded the stock way: the block walked, variables, constraints and objective."""

    def add_block(self, block):
        Highs.add_block(self, block)

    def add_constraints(self, cons):
        Highs.add_constraints(self, cons)

    def set_objective(self, obj):
        Highs.set_objective(self, obj)


def _loaded(model, loader=PersistentHighs) -> PersistentHighs:
    solver = loader(SolverSettings())
    solver.set_instance(model)
    return solver


def _columns(solver: PersistentHighs) -> dict:
    lp = solver._solver_model.getLp()
    return {"lower": list(lp.col_lower_), "upper": list(lp.col_upper_), "integrality": [int(kind) for kind in lp.integrality_],
            "cost": list(lp.col_cost_), "rows": list(lp.row_lower_) + list(lp.row_upper_),
            "matrix": list(lp.a_matrix_.index_) + list(lp.a_matrix_.value_)}


def _bookkeeping(solver: PersistentHighs) -> dict:
    def name(obj):
        return None if obj is None else obj.name

    return {
        "columns": {solver._vars[v][0].name: col for v, col in solver._pyomo_var_to_solver_var_map.items()},
        "vars": [(v.name, str(lb), str(ub), fixed, tuple(interval), value)
                 for v, lb, ub, fixed, interval, value in solver._vars.values()],
        "referenced": [(solver._vars[v][0].name, [c.name for c in cons], list(sos), name(obj))
                       for v, (cons, sos, obj) in solver._referenced_variables.items()],
        "mutable_bounds": sorted(solver._vars[v][0].name for v in solver._mutable_bounds),
    }


@pytest.mark.parametrize("n", [46, 50])
@pytest.mark.parametrize("stage", list(Stage))
@pytest.mark.parametrize("carbon", [False, True])
def test_one_pass_variables_load_as_the_stock_loader_loads_them(n, stage, carbon):
    battery = BatteryParams(import_limit_mw=70.0, soc_min_frac=0.1, soc_max_frac=0.9,
                            carbon_price_gbp_per_tco2=60.0 if carbon else None)
    fast = _loaded(create_day_model(n, stage, battery, carbon))
    stock = _loaded(create_day_model(n, stage, battery, carbon), StockVariables)
    assert _columns(fast) == _columns(stock)
    assert _bookkeeping(fast) == _bookkeeping(stock)
    assert set(_columns(fast)["integrality"]) <= {0}  # continuous until a day is solved as a MILP

    # Made binary and back, the switches' columns change the same way on both.
    for solver in (fast, stock):
        switches = list(solver._model.is_charging.values())
        for u in switches:
            u.domain = pyo.Binary
        solver.update_variables(switches)
    assert _columns(fast) == _columns(stock)
    assert set(_columns(fast)["integrality"]) == {0, 1}


def _objective(solver: PersistentHighs) -> dict:
    return {
        "sense": solver._objective_sense, "named": solver._obj_named_expressions,
        "referenced": sorted(v.name for v in solver._vars_referenced_by_obj),
        "helpers": [(type(h).__name__, solver._vars[h.pyomo_var_id][0].name, h.expr.name)
                    for h in solver._objective_helpers],
        "highs": (solver._solver_model.getLp().sense_, solver._solver_model.getLp().offset_),
    }


@pytest.mark.parametrize("n", [46, 48, 50])
@pytest.mark.parametrize("stage", list(Stage))
@pytest.mark.parametrize("carbon", [False, True])
@pytest.mark.parametrize("degradation", [0.0, 4.0])
def test_the_block_and_objective_load_as_the_stock_loader_loads_them(n, stage, carbon, degradation):
    battery = BatteryParams(export_limit_mw=60.0, degradation_cost_gbp_per_mwh=degradation,
                            carbon_price_gbp_per_tco2=60.0 if carbon else None)
    fast = _loaded(create_day_model(n, stage, battery, carbon))
    stock = _loaded(create_day_model(n, stage, battery, carbon), StockLoading)
    assert _columns(fast) == _columns(stock)
    assert _bookkeeping(fast) == _bookkeeping(stock)
    assert _objective(fast) == _objective(stock)
    assert len(_objective(fast)["helpers"]) > 0
    assert [p.name for p in fast._params.values()] == [p.name for p in stock._params.values()]
    assert [c.name for c in fast._active_constraints] == [c.name for c in stock._active_constraints]


def test_a_model_with_a_sub_block_or_a_sparse_component_loads_as_the_stock_loader_loads_it():
    def model():
        m = pyo.ConcreteModel()
        m.T = pyo.RangeSet(0, 3)
        m.x = pyo.Var(m.T, bounds=(0, 5))
        m.some = pyo.Constraint(m.T, rule=lambda m, t: m.x[t] <= t + 1 if t % 2 else pyo.Constraint.Skip)
        m.inner = pyo.Block()
        m.inner.y = pyo.Var(bounds=(0, 2))
        m.inner.c = pyo.Constraint(expr=m.inner.y + m.x[0] <= 3)
        m.o = pyo.Objective(expr=m.x[1] + 2 * m.x[3] + m.inner.y, sense=pyo.maximize)
        return m

    fast, stock = _loaded(model()), _loaded(model(), StockLoading)
    assert _columns(fast) == _columns(stock)
    assert _bookkeeping(fast) == _bookkeeping(stock)
    assert fast.resolve().objective == stock.resolve().objective == 2 + 8 + 2
    flat, flat_stock = model(), model()
    for m in (flat, flat_stock):
        m.del_component(m.inner)
        m.del_component(m.o)
        m.o = pyo.Objective(expr=m.x[1] + 2 * m.x[3])
    fast, stock = _loaded(flat), _loaded(flat_stock, StockLoading)
    assert _columns(fast) == _columns(stock)
    assert _bookkeeping(fast) == _bookkeeping(stock)
    assert [c.name for c in fast._active_constraints] == ["some[1]", "some[3]"]


def _odd_model() -> pyo.ConcreteModel:
    """A variable fixed, one bounded by a mutable Param, one integer with no bounds, a row with the fixed variable:
    not for the one-pass loaders."""
    m = pyo.ConcreteModel()
    m.cap = pyo.Param(mutable=True, initialize=4.0)
    m.x = pyo.Var(bounds=(0, m.cap))
    m.y = pyo.Var(domain=pyo.Integers)
    m.z = pyo.Var(bounds=(1.0, 2.0))
    m.z.fix(1.5)
    m.c = pyo.Constraint(expr=m.x + m.y >= 1)
    m.d = pyo.Constraint(expr=m.x + 3 * m.z <= 6)
    m.o = pyo.Objective(expr=m.x + 2 * m.y)
    return m


def test_variables_it_cannot_read_in_one_pass_go_the_stock_way():
    fast, stock = _loaded(_odd_model()), _loaded(_odd_model(), StockLoading)
    assert _columns(fast) == _columns(stock)
    assert _columns(fast)["rows"] == [1.0, -np.inf, np.inf, 1.5]  # x + y >= 1; x + 3 z <= 6 with z fixed at 1.5
    assert _bookkeeping(fast) == _bookkeeping(stock)
    assert _bookkeeping(fast)["mutable_bounds"] == ["x"]
    fast._model.cap.value = 3.0
    fast.update_params()
    assert _columns(fast)["upper"][0] == 3.0


def test_an_instance_given_a_second_model_holds_that_model_alone():
    battery = BatteryParams()
    solver = _loaded(create_day_model(48, Stage.DA, battery, False))
    second = create_day_model(46, Stage.ID, battery, False)
    solver.set_instance(second)
    fresh = _loaded(create_day_model(46, Stage.ID, battery, False))
    assert _columns(solver) == _columns(fresh)
    assert len(solver._vars) == len(fresh._vars) == len(list(second.component_data_objects(pyo.Var)))
    assert all(solver._vars[id(v)][0] is v for v in second.component_data_objects(pyo.Var))
    assert solver.config.time_limit == SolverSettings().time_limit_s
    assert np.isfinite(solver.resolve().objective)
