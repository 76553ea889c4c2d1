"""The battery's one-day linear model in Pyomo: sets → parameters → variables → constraints → objective.

One model is built per day shape (46, 48 or 50 half-hour periods) and per
stage, and then reused day after day: everything that changes between days
(prices, the starting SoC, the terminal SoC window, the fixed day-ahead
position in the intraday stage) is a mutable ``Param`` that the persistent
solver pushes to HiGHS in bulk (``optimiser.solver``).

Symbols (units in brackets):

====================  ==========================================================
Δ = 0.5               length of a settlement period [h]
t ∈ T, h ∈ H          periods of the day, clock hours of the day (h(t) = ⌊t/2⌋)
P, C                  battery power [MW], energy capacity [MWh]
ηc, ηd                charge, discharge efficiency [-]
I, E                  grid import, export limit [MW] (default P)
s_min, s_max          SoC bounds [MWh]
N_cyc                 cycle limit [cycles/day]
k_deg                 degradation cost [£/MWh discharged]
k_co2,t               carbon cost of net import [£/MWh] = carbon price × intensity / 1000
====================  ==========================================================

Stages (``Stage``): ``da`` trades day-ahead hourly positions; ``id`` trades
intraday half-hourly positions against a fixed day-ahead net position (zero
when the run trades intraday only); ``joint`` trades both markets at once.

Objective coefficients are Params holding the cash one MW earns in a period
(negative for buys), precomputed in numpy: the persistent interface reads a
bare Param directly, whereas an expression such as ``-0.5 * price[t]`` goes
through Pyomo's expression walker on every update, which costs more than the
LP solve itself on a one-day problem.
"""

from __future__ import annotations

from enum import StrEnum

import pyomo.environ as pyo
from pyomo.core.base.param import ParamData
from pyomo.core.base.var import VarData
from pyomo.core.expr.numeric_expr import LinearExpression, MonomialTermExpression
from pyomo.core.expr.relational_expr import EqualityExpression, InequalityExpression, RangedExpression

from domain.settlement_time import PERIOD_HOURS
from optimiser.params import BatteryParams

DT = PERIOD_HOURS
"""Δ: length of one settlement period [h]."""


class Stage(StrEnum):
    DA = "da"
    ID = "id"
    JOINT = "joint"

    @property
    def trades_da(self) -> bool:
        return self in (Stage.DA, Stage.JOINT)

    @property
    def trades_id(self) -> bool:
        return self in (Stage.ID, Stage.JOINT)


def hour_of(t: int) -> int:
    """Clock hour of period ``t``: a settlement day starts at a whole UTC hour and pairs its periods."""
    return t // 2


def create_day_model(n_periods: int, stage: Stage, battery: BatteryParams, carbon_priced: bool) -> pyo.ConcreteModel:
    """The one-day model for ``n_periods`` (46, 48 or 50) periods, trading as ``stage`` says."""
    if n_periods % 2:
        raise ValueError(f"a settlement day has an even number of periods, not {n_periods}")
    m = pyo.ConcreteModel(name=f"battery_{stage.value}_{n_periods}")
    m.stage = stage
    m.data_lists = {}
    define_sets(m, n_periods)
    define_parameters(m, stage, carbon_priced)
    define_flow_variables(m, battery)
    define_position_variables(m, stage, battery)
    define_switch_variables(m)
    define_soc_variables(m, battery)
    define_power_balance_constraints(m, stage)
    define_exclusive_flow_constraints(m, battery)
    define_grid_limit_constraints(m, battery)
    define_soc_balance_constraints(m, battery)
    define_terminal_soc_constraint(m)
    define_cycle_limit_constraint(m, battery)
    define_objective(m, stage, battery, carbon_priced)
    return m


# --- sets and parameters -------------------------------------------------------------------------------------------


def define_sets(m: pyo.ConcreteModel, n_periods: int) -> None:
    """T: the day's settlement periods (0-based); H: its clock hours (n_periods / 2 of them)."""
    m.T = pyo.RangeSet(0, n_periods - 1)
    m.H = pyo.RangeSet(0, n_periods // 2 - 1)


def _day_param(*index) -> pyo.Param:
    """A mutable Param over ``index`` (none: a scalar), 0 until a day is loaded.

    Its domain is ``Any``, as Pyomo's implicit default, but declared: the implicit one is a set built for each
    Param that checks every value against the reals (to warn of a future default), twice the cost of the Param.
    """
    return pyo.Param(*index, mutable=True, initialize=0.0, domain=pyo.Any)


def define_parameters(m: pyo.ConcreteModel, stage: Stage, carbon_priced: bool) -> None:
    """Everything that changes from day to day, as mutable Params (set by ``optimiser.solver``).

    - ``soc_start_mwh``: SoC at the start of the day [MWh].
    - ``soc_end_min_mwh``, ``soc_end_max_mwh``: window for the SoC at the end of the day [MWh].
    - ``da_buy_cash_gbp_per_mw[h]`` = −Δ Σ_{t∈h} p^DA_t, ``da_sell_cash_gbp_per_mw[h]`` = +Δ Σ_{t∈h} p^DA_t
      [£/MW]: cash for holding one MW of a day-ahead position through clock hour h.
    - ``id_buy_cash_gbp_per_mw[t]`` = −Δ p^ID_t, ``id_sell_cash_gbp_per_mw[t]`` = +Δ p^ID_t [£/MW].
    - ``da_net_import_mw[t]`` (intraday stage): the day-ahead net position fixed by the first stage [MW].
    - ``charge_cash_gbp_per_mw[t]`` = −Δ k_co2,t, ``discharge_cash_gbp_per_mw[t]`` = Δ (k_co2,t − k_deg)
      [£/MW], only when carbon is priced.
    """
    m.soc_start_mwh = _day_param()
    m.soc_end_min_mwh = _day_param()
    m.soc_end_max_mwh = _day_param()
    if stage.trades_da:
        m.da_buy_cash_gbp_per_mw = _day_param(m.H)
        m.da_sell_cash_gbp_per_mw = _day_param(m.H)
    if stage.trades_id:
        m.id_buy_cash_gbp_per_mw = _day_param(m.T)
        m.id_sell_cash_gbp_per_mw = _day_param(m.T)
    if stage is Stage.ID:
        m.da_net_import_mw = _day_param(m.T)
    if carbon_priced:
        m.charge_cash_gbp_per_mw = _day_param(m.T)
        m.discharge_cash_gbp_per_mw = _day_param(m.T)


# --- variables -----------------------------------------------------------------------------------------------------


def define_position_variables(m: pyo.ConcreteModel, stage: Stage, battery: BatteryParams) -> None:
    """Market positions [MW], each in [0, P].

    Day-ahead positions are hourly variables ``da_buy_mw[h]``, ``da_sell_mw[h]``, so both half-hours of a
    clock hour carry the same volume by construction. Intraday positions ``id_buy_mw[t]``, ``id_sell_mw[t]``
    are half-hourly.
    """
    bounds = (0.0, battery.power_mw)
    if stage.trades_da:
        m.da_buy_mw = pyo.Var(m.H, bounds=bounds)
        m.da_sell_mw = pyo.Var(m.H, bounds=bounds)
    if stage.trades_id:
        m.id_buy_mw = pyo.Var(m.T, bounds=bounds)
        m.id_sell_mw = pyo.Var(m.T, bounds=bounds)


def define_flow_variables(m: pyo.ConcreteModel, battery: BatteryParams) -> None:
    """Physical flows at the grid connection: 0 ≤ c_t ≤ P (charge), 0 ≤ d_t ≤ P (discharge) [MW]."""
    bounds = (0.0, battery.power_mw)
    m.charge_mw = pyo.Var(m.T, bounds=bounds)
    m.discharge_mw = pyo.Var(m.T, bounds=bounds)


def define_switch_variables(m: pyo.ConcreteModel) -> None:
    """The charge/discharge switch u_t ∈ [0, 1] [-]: made binary (``Binary`` domain) when a day is solved as a
    MILP, left continuous for the LP."""
    m.is_charging = pyo.Var(m.T, domain=pyo.UnitInterval)


def define_soc_variables(m: pyo.ConcreteModel, battery: BatteryParams) -> None:
    """State of charge at the end of each period: s_min ≤ s_t ≤ s_max [MWh]."""
    m.soc_mwh = pyo.Var(m.T, bounds=(battery.soc_min_mwh, battery.soc_max_mwh))


# --- constraints ---------------------------------------------------------------------------------------------------
#
# Every row is made as the expression Pyomo's operators would build for it (``c_t - d_t == 0`` is
# ``EqualityExpression((LinearExpression([c_t, MonomialTermExpression((-1, d_t))]), 0))``), directly from lists of
# the variables' data: one object per term instead of an operator call, a new sum and an index lookup per term.
# ``tests/optimiser/test_model_construction.py`` checks each row against the operator-written one.


def _sum(terms: list[tuple[float, VarData]]):
    """Σ coef·var as Pyomo's operators build it: a coefficient of 1 is the bare variable, 0 drops the term, a single
    term stands alone and several make one flat ``LinearExpression``."""
    args = [var if coef == 1 else MonomialTermExpression((coef, var)) for coef, var in terms if coef != 0]
    if len(args) > 1:
        return LinearExpression(args)
    return args[0] if args else 0


def _product(coef: float, var: VarData):
    """coef·var as Pyomo's ``*`` builds it (see ``_sum``)."""
    return _sum([(coef, var)])


def _data(component) -> list:
    """A component's data objects in index order, listed once per component and kept in the model's
    ``data_lists`` by name.

    Every component here is built over its whole index set in order, so its data dict is already in index
    order: listing it is what ``values()`` gives without walking the index set one member at a time.
    """
    lists = component.model().data_lists
    name = component.local_name
    if name not in lists:
        lists[name] = list(component._data.values())
    return lists[name]


def _indexed_constraint(m: pyo.ConcreteModel, rows: list):
    """A constraint over T holding ``rows[t]`` for every period t."""
    return pyo.Constraint(m.T, rule=lambda m, t: rows[t])


def _flow_less_position_terms(m: pyo.ConcreteModel) -> list[list[tuple[float, VarData]]]:
    """Per period, the terms of c_t − d_t − Σ buys + Σ sells across the markets the stage trades [MW].

    One flat sum of terms (never ``x − (b − a)``), so that it is a single ``LinearExpression`` and loading it into
    HiGHS needs no walk through nested sums.
    """
    charge, discharge = _data(m.charge_mw), _data(m.discharge_mw)
    rows = [[(1, c), (-1, d)] for c, d in zip(charge, discharge, strict=True)]
    if m.stage.trades_da:
        da_buy, da_sell = _data(m.da_buy_mw), _data(m.da_sell_mw)
        for t, row in enumerate(rows):
            row += [(-1, da_buy[hour_of(t)]), (1, da_sell[hour_of(t)])]
    if m.stage.trades_id:
        for row, buy, sell in zip(rows, _data(m.id_buy_mw), _data(m.id_sell_mw), strict=True):
            row += [(-1, buy), (1, sell)]
    return rows


def define_power_balance_constraints(m: pyo.ConcreteModel, stage: Stage) -> None:
    """Physical flow equals the traded position in every period [MW].

        c_t − d_t = (b^DA_h(t) − a^DA_h(t)) + (b^ID_t − a^ID_t)        (da, joint, and id with no DA)
        c_t − d_t − (b^ID_t − a^ID_t) = n^DA_t                          (id stage, n^DA fixed by the DA stage)

    where b are buys and a sells. The fixed day-ahead position sits on the right-hand side so that only a
    constraint bound changes from day to day.
    """
    terms = _flow_less_position_terms(m)
    rhs = _data(m.da_net_import_mw) if stage is Stage.ID else [0] * len(terms)
    m.power_balance = _indexed_constraint(
        m, [EqualityExpression((_sum(row), right)) for row, right in zip(terms, rhs, strict=True)])


def define_exclusive_flow_constraints(m: pyo.ConcreteModel, battery: BatteryParams) -> None:
    """Never charge and discharge at once [MW].

        c_t − P u_t ≤ 0,    d_t + P u_t ≤ P,    u_t ∈ {0, 1} (MILP) or [0, 1] (LP)

    (each written with its variables on the left, as HiGHS takes the row, so loading it builds no new sum)

    With u_t continuous these only say c_t + d_t ≤ P, and the LP may still charge and discharge together
    when that burns energy profitably (negative prices); the rolling loop detects that and re-solves the
    day with u_t binary. Together with the bounds they also give |c_t − d_t| ≤ P.
    """
    p = battery.power_mw
    charge, discharge, switch = _data(m.charge_mw), _data(m.discharge_mw), _data(m.is_charging)
    minus_p = -1 if p == 1 else -p  # c − 1·u is c − u, which the operators write with the integer −1
    m.charge_only_when_charging = _indexed_constraint(
        m, [InequalityExpression((_sum([(1, c), (minus_p, u)]), 0), False) for c, u in zip(charge, switch, strict=True)])
    m.discharge_only_when_discharging = _indexed_constraint(
        m, [InequalityExpression((_sum([(1, d), (p, u)]), p), False) for d, u in zip(discharge, switch, strict=True)])


def define_grid_limit_constraints(m: pyo.ConcreteModel, battery: BatteryParams) -> None:
    """Grid connection limits on the net flow [MW], added only when a limit is below the power P.

    −E ≤ c_t − d_t ≤ I
    """
    if battery.import_mw >= battery.power_mw and battery.export_mw >= battery.power_mw:
        return
    lower, upper = -battery.export_mw, battery.import_mw
    m.grid_limit = _indexed_constraint(m, [
        RangedExpression((lower, _sum([(1, c), (-1, d)]), upper), (False, False))
        for c, d in zip(_data(m.charge_mw), _data(m.discharge_mw), strict=True)])


def define_soc_balance_constraints(m: pyo.ConcreteModel, battery: BatteryParams) -> None:
    """Energy stored [MWh], with losses on the way in and on the way out.

    s_t − s_{t−1} − Δ (ηc c_t − d_t / ηd) = 0      for t > 0
    s_0 − Δ (ηc c_0 − d_0 / ηd) = s_start          (s_start carried from the previous day)
    """
    eta_c, eta_d = battery.charge_efficiency, battery.discharge_efficiency
    # Coefficients of c_t and d_t, so that each row is one flat linear sum (see ``_flow_less_position_terms``).
    charge_in, discharge_out = DT * eta_c, DT / eta_d
    soc, charge, discharge = _data(m.soc_mwh), _data(m.charge_mw), _data(m.discharge_mw)
    rows = []
    for t, (s, c, d) in enumerate(zip(soc, charge, discharge, strict=True)):
        previous = [(-1, soc[t - 1])] if t else []
        terms = [(1, s), *previous, (-charge_in, c), (discharge_out, d)]
        rows.append(EqualityExpression((_sum(terms), 0 if t else m.soc_start_mwh)))
    m.soc_balance = _indexed_constraint(m, rows)


def define_terminal_soc_constraint(m: pyo.ConcreteModel) -> None:
    """Window for the SoC at the end of the day [MWh].

        s_end_min ≤ s_{N−1} ≤ s_end_max

    The window is [s_min, s_max] on every day but the last of the range, where the terminal policy narrows
    it to [s_init, s_max] (geq-initial) or [s_init, s_init] (eq-initial).
    """
    m.terminal_soc = pyo.Constraint(expr=pyo.inequality(m.soc_end_min_mwh, m.soc_mwh[m.T.last()], m.soc_end_max_mwh))


def define_cycle_limit_constraint(m: pyo.ConcreteModel, battery: BatteryParams) -> None:
    """Energy discharged in the settlement day, at most the cycle limit [MWh].

    Σ_t Δ d_t ≤ N_cyc C
    """
    m.cycle_limit = pyo.Constraint(expr=InequalityExpression(
        (_sum([(DT, d) for d in _data(m.discharge_mw)]), battery.daily_discharge_limit_mwh), False))


# --- objective -----------------------------------------------------------------------------------------------------


def define_objective(m: pyo.ConcreteModel, stage: Stage, battery: BatteryParams, carbon_priced: bool) -> None:
    """Maximise the day's net cash [£].

        Σ_h Δ Σ_{t∈h} p^DA_t (a^DA_h − b^DA_h) + Σ_t Δ p^ID_t (a^ID_t − b^ID_t)
          − Σ_t Δ k_deg d_t − Σ_t Δ k_co2,t (c_t − d_t)

    written with the precomputed cash coefficients of ``define_parameters``. In the intraday stage the
    day-ahead cash is a constant and left out, so the objective value there is the intraday cash less costs.
    """
    terms = []
    if stage.trades_da:
        terms += zip(_data(m.da_sell_cash_gbp_per_mw), _data(m.da_sell_mw), strict=True)
        terms += zip(_data(m.da_buy_cash_gbp_per_mw), _data(m.da_buy_mw), strict=True)
    if stage.trades_id:
        terms += zip(_data(m.id_sell_cash_gbp_per_mw), _data(m.id_sell_mw), strict=True)
        terms += zip(_data(m.id_buy_cash_gbp_per_mw), _data(m.id_buy_mw), strict=True)
    if carbon_priced:
        terms += zip(_data(m.charge_cash_gbp_per_mw), _data(m.charge_mw), strict=True)
        terms += zip(_data(m.discharge_cash_gbp_per_mw), _data(m.discharge_mw), strict=True)
    elif battery.degradation_cost_gbp_per_mwh:
        terms += [(-DT * battery.degradation_cost_gbp_per_mwh, d) for d in _data(m.discharge_mw)]
    # A Param coefficient is always a monomial (Pyomo does not fold a mutable Param's value into the product).
    args = [MonomialTermExpression(term) if isinstance(term[0], ParamData) else _product(*term) for term in terms]
    m.net_cash_gbp = pyo.Objective(expr=LinearExpression(args) if len(args) > 1 else sum(args), sense=pyo.maximize)
