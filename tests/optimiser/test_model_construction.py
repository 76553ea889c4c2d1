"""The day model's rows and objective, made directly from the variables' data (``optimiser.model``), are the very
expressions Pyomo's operators build from the formulation written out below: same node types, same terms in the
same order, same coefficients (and their types), same bounds."""

import pyomo.environ as pyo
import pytest
from pyomo.core.base.param import ParamData
from pyomo.core.base.var import VarData
from pyomo.core.expr.relational_expr import RelationalExpression

from optimiser.model import DT, Stage, create_day_model, hour_of
from optimiser.params import BatteryParams


def _operator_rows(m: pyo.ConcreteModel, battery: BatteryParams) -> dict:
    """Every row of ``m`` written with Pyomo's operators, by constraint name and index."""
    p = battery.power_mw
    charge_in, discharge_out = DT * battery.charge_efficiency, DT / battery.discharge_efficiency

    def flow_less_position(t):
        balance = m.charge_mw[t] - m.discharge_mw[t]
        if m.stage.trades_da:
            balance = balance - m.da_buy_mw[hour_of(t)] + m.da_sell_mw[hour_of(t)]
        if m.stage.trades_id:
            balance = balance - m.id_buy_mw[t] + m.id_sell_mw[t]
        return balance

    def soc(t):
        if t == 0:
            return m.soc_mwh[t] - charge_in * m.charge_mw[t] + discharge_out * m.discharge_mw[t] == m.soc_start_mwh
        return m.soc_mwh[t] - m.soc_mwh[t - 1] - charge_in * m.charge_mw[t] + discharge_out * m.discharge_mw[t] == 0

    rows = {}
    for t in m.T:
        right = m.da_net_import_mw[t] if m.stage is Stage.ID else 0
        rows["power_balance", t] = flow_less_position(t) == right
        rows["charge_only_when_charging", t] = m.charge_mw[t] - p * m.is_charging[t] <= 0
        rows["discharge_only_when_discharging", t] = m.discharge_mw[t] + p * m.is_charging[t] <= p
        if hasattr(m, "grid_limit"):
            rows["grid_limit", t] = pyo.inequality(-battery.export_mw, m.charge_mw[t] - m.discharge_mw[t],
                                                   battery.import_mw)
        rows["soc_balance", t] = soc(t)
    rows["terminal_soc", None] = pyo.inequality(m.soc_end_min_mwh, m.soc_mwh[m.T.last()], m.soc_end_max_mwh)
    rows["cycle_limit", None] = sum(DT * m.discharge_mw[t] for t in m.T) <= battery.daily_discharge_limit_mwh
    return rows


def _operator_objective(m: pyo.ConcreteModel, battery: BatteryParams, carbon_priced: bool):
    terms = []
    if m.stage.trades_da:
        terms += [m.da_sell_cash_gbp_per_mw[h] * m.da_sell_mw[h] for h in m.H]
        terms += [m.da_buy_cash_gbp_per_mw[h] * m.da_buy_mw[h] for h in m.H]
    if m.stage.trades_id:
        terms += [m.id_sell_cash_gbp_per_mw[t] * m.id_sell_mw[t] for t in m.T]
        terms += [m.id_buy_cash_gbp_per_mw[t] * m.id_buy_mw[t] for t in m.T]
    if carbon_priced:
        terms += [m.charge_cash_gbp_per_mw[t] * m.charge_mw[t] for t in m.T]
        terms += [m.discharge_cash_gbp_per_mw[t] * m.discharge_mw[t] for t in m.T]
    elif battery.degradation_cost_gbp_per_mwh:
        terms += [-DT * battery.degradation_cost_gbp_per_mwh * m.discharge_mw[t] for t in m.T]
    return sum(terms)


def _tree(expr):
    """An expression as nested tuples: node type and children; variables and Params by identity, numbers by type
    and value (an int -1 and a float -1.0 differ), relations with their strictness."""
    if isinstance(expr, VarData | ParamData):
        return ("data", id(expr))
    if isinstance(expr, int | float):
        return (type(expr).__name__, expr)
    node = (type(expr).__name__, tuple(_tree(arg) for arg in expr.args))
    if isinstance(expr, RelationalExpression):
        node += (getattr(expr, "_strict", None),)
    return node


BATTERIES = [
    BatteryParams(),
    BatteryParams(import_limit_mw=70.0, export_limit_mw=80.0, degradation_cost_gbp_per_mwh=3.0),
    # Coefficients of exactly 1 (Δ/ηd with ηd = 0.5, P = 1 MW), which Pyomo's ``*`` turns into the bare variable.
    BatteryParams(power_mw=1.0, energy_mwh=2.0, discharge_efficiency=0.5, export_limit_mw=0.5),
    BatteryParams(carbon_price_gbp_per_tco2=60.0, degradation_cost_gbp_per_mwh=2.0),
]


@pytest.mark.parametrize("n", [46, 48, 50])
@pytest.mark.parametrize("stage", list(Stage))
@pytest.mark.parametrize("battery", BATTERIES, ids=["default", "limits", "unit-coefficients", "carbon"])
def test_rows_and_objective_are_the_operator_built_expressions(n, stage, battery):
    carbon = battery.carbon_price_gbp_per_tco2 is not None
    m = create_day_model(n, stage, battery, carbon)
    expected = _operator_rows(m, battery)
    built = {(con.parent_component().local_name, con.index()): con.expr
             for con in m.component_data_objects(pyo.Constraint)}
    assert list(built) == sorted(expected, key=list(built).index)
    assert set(built) == set(expected)
    for key, expr in expected.items():
        assert _tree(built[key]) == _tree(expr), key
    assert _tree(m.net_cash_gbp.expr) == _tree(_operator_objective(m, battery, carbon))
    assert m.net_cash_gbp.sense == pyo.maximize


def test_a_unit_coefficient_is_the_bare_variable_as_pyomo_writes_it():
    battery = BATTERIES[2]
    m = create_day_model(48, Stage.DA, battery, False)
    assert m.soc_balance[3].body.args[-1] is m.discharge_mw[3]  # Δ/ηd = 1
    assert m.discharge_only_when_discharging[0].body.args[1] is m.is_charging[0]  # P = 1 MW
