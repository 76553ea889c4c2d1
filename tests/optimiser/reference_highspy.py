"""An independent one-day formulation of the battery problem in highspy's own modelling API.

Written from DESIGN.md, not from ``optimiser.model``, and deliberately shaped
differently: half-hourly DA variables tied by an equality per clock hour (not
hourly variables), the objective as prices × positions (not precomputed cash
coefficients), explicit |net| ≤ P rows. Used only to check the optimiser's
objective on real days.
"""

from __future__ import annotations

import highspy
import numpy as np

from optimiser import BatteryParams

DT = 0.5


def solve_reference_day(
    battery: BatteryParams,
    day_ahead: np.ndarray,
    intraday: np.ndarray,
    soc_start_mwh: float,
    trade_da: bool,
    trade_id: bool,
    binary: bool,
    fixed_da_net_mw: np.ndarray | None = None,
) -> float:
    """Optimal net cash of one day [£] (DA cash counted only when DA is traded here, not when it is fixed)."""
    n = len(day_ahead)
    p = battery.power_mw
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 1e-9)

    def column(lb: float, ub: float, kind=highspy.HighsVarType.kContinuous):
        return [h.addVariable(lb=lb, ub=ub, type=kind) for _ in range(n)]

    charge, discharge = column(0, p), column(0, p)
    soc = column(battery.soc_min_mwh, battery.soc_max_mwh)
    da_buy = column(0, p if trade_da else 0)
    da_sell = column(0, p if trade_da else 0)
    id_buy = column(0, p if trade_id else 0)
    id_sell = column(0, p if trade_id else 0)
    fixed = np.zeros(n) if fixed_da_net_mw is None else fixed_da_net_mw
    for t in range(n):
        net = da_buy[t] - da_sell[t] + id_buy[t] - id_sell[t] + float(fixed[t])
        h.addConstr(charge[t] - discharge[t] == net)
        h.addConstr(net <= battery.import_mw)
        h.addConstr(net >= -battery.export_mw)
        previous = soc[t - 1] if t else soc_start_mwh
        h.addConstr(
            soc[t]
            == previous
            + DT * battery.charge_efficiency * charge[t]
            - DT * (1 / battery.discharge_efficiency) * discharge[t]
        )
    for t in range(0, n, 2):
        h.addConstr(da_buy[t] == da_buy[t + 1])
        h.addConstr(da_sell[t] == da_sell[t + 1])
    if binary:
        on = column(0, 1, highspy.HighsVarType.kInteger)
        for t in range(n):
            h.addConstr(charge[t] <= p * on[t])
            h.addConstr(discharge[t] <= p - p * on[t])
    else:
        for t in range(n):
            h.addConstr(charge[t] + discharge[t] <= p)
    h.addConstr(h.qsum(DT * discharge[t] for t in range(n)) <= battery.max_cycles_per_day * battery.energy_mwh)
    cash = h.qsum(
        DT * float(day_ahead[t]) * (da_sell[t] - da_buy[t])
        + DT * float(intraday[t]) * (id_sell[t] - id_buy[t])
        - DT * battery.degradation_cost_gbp_per_mwh * discharge[t]
        for t in range(n)
    )
    h.maximize(cash)
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal, h.getModelStatus()
    return h.getInfo().objective_function_value
