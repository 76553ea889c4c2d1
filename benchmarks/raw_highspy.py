"""The optimiser's formulation written directly against highspy: the benchmark's yardstick.

Same variables, constraints, objective, stages, LP-then-MILP fallback and SoC
carry-over as ``optimiser`` (see ``optimiser/model.py`` and
``optimiser/rolling.py``), with none of Pyomo: one HiGHS model per (day shape,
stage) built once from numpy arrays, and each day's prices and SoC written
with bulk ``changeColsCost`` / ``changeRowsBounds`` calls. Input checks and
totals reuse the optimiser's own functions, so a timing difference is the
modelling layer alone. Used by ``benchmarks/optimiser.py``; not part of the
product.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date

import highspy
import numpy as np
import pandas as pd

from optimiser.model import DT, Stage
from optimiser.params import BatteryParams, Markets, SolverSettings
from optimiser.prices import range_inputs
from optimiser.results import Schedule, Totals, compute_totals
from optimiser.rolling import SIMULTANEOUS_TOLERANCE_MW, STAGES

INF = highspy.kHighsInf


class RawDayModel:
    """One day shape and stage as a HiGHS model; columns and rows laid out like the Pyomo model."""

    def __init__(self, n: int, stage: Stage, battery: BatteryParams, settings: SolverSettings) -> None:
        self.n, self.stage = n, stage
        hours = n // 2
        p, eta_c, eta_d = battery.power_mw, battery.charge_efficiency, battery.discharge_efficiency
        columns: dict[str, np.ndarray] = {}
        lower, upper = [], []

        def add(name: str, count: int, lo: float, hi: float) -> None:
            start = sum(len(c) for c in columns.values())
            columns[name] = np.arange(start, start + count)
            lower.extend([lo] * count)
            upper.extend([hi] * count)

        add("charge_mw", n, 0.0, p)
        add("discharge_mw", n, 0.0, p)
        if stage.trades_da:
            add("da_buy_mw", hours, 0.0, p)
            add("da_sell_mw", hours, 0.0, p)
        if stage.trades_id:
            add("id_buy_mw", n, 0.0, p)
            add("id_sell_mw", n, 0.0, p)
        add("is_charging", n, 0.0, 1.0)
        add("soc_mwh", n, battery.soc_min_mwh, battery.soc_max_mwh)
        self.columns = columns
        c, d, u, s = (columns[k] for k in ("charge_mw", "discharge_mw", "is_charging", "soc_mwh"))

        rows: list[tuple[list[int], list[float], float, float]] = []
        for t in range(n):  # power balance: c − d − net position = 0 (or the fixed DA position)
            idx, val = [c[t], d[t]], [1.0, -1.0]
            if stage.trades_da:
                idx += [columns["da_buy_mw"][t // 2], columns["da_sell_mw"][t // 2]]
                val += [-1.0, 1.0]
            if stage.trades_id:
                idx += [columns["id_buy_mw"][t], columns["id_sell_mw"][t]]
                val += [-1.0, 1.0]
            rows.append((idx, val, 0.0, 0.0))
        for t in range(n):  # c ≤ P u
            rows.append(([c[t], u[t]], [1.0, -p], -INF, 0.0))
        for t in range(n):  # d + P u ≤ P
            rows.append(([d[t], u[t]], [1.0, p], -INF, p))
        if battery.import_mw < p or battery.export_mw < p:
            for t in range(n):
                rows.append(([c[t], d[t]], [1.0, -1.0], -battery.export_mw, battery.import_mw))
        self.soc_row = len(rows)
        for t in range(n):  # s_t − s_{t−1} − Δ(ηc c − d/ηd) = 0, or = s_start at t = 0
            idx, val = [s[t], c[t], d[t]], [1.0, -DT * eta_c, DT / eta_d]
            if t:
                idx.append(s[t - 1])
                val.append(-1.0)
            rows.append((idx, val, 0.0, 0.0))
        self.terminal_row = len(rows)
        rows.append(([s[n - 1]], [1.0], battery.soc_min_mwh, battery.soc_max_mwh))
        rows.append((list(d), [DT] * n, -INF, battery.daily_discharge_limit_mwh))

        starts = np.cumsum([0] + [len(r[0]) for r in rows])
        lp = highspy.HighsLp()
        lp.num_col_ = len(lower)
        lp.num_row_ = len(rows)
        lp.col_cost_ = np.zeros(len(lower))
        lp.col_lower_ = np.array(lower)
        lp.col_upper_ = np.array(upper)
        lp.row_lower_ = np.array([r[2] for r in rows])
        lp.row_upper_ = np.array([r[3] for r in rows])
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.start_ = starts.astype(np.int32)
        lp.a_matrix_.index_ = np.concatenate([np.asarray(r[0], dtype=np.int32) for r in rows])
        lp.a_matrix_.value_ = np.concatenate([np.asarray(r[1], dtype=float) for r in rows])
        lp.sense_ = highspy.ObjSense.kMaximize
        self.highs = h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        self.time_limit_s = settings.time_limit_s
        h.setOptionValue("mip_rel_gap", settings.mip_gap)
        h.passModel(lp)
        self.degradation = battery.degradation_cost_gbp_per_mwh
        self._binary = False
        self._cost_cols = np.concatenate(
            [columns[k] for k in ("da_sell_mw", "da_buy_mw", "id_sell_mw", "id_buy_mw", "discharge_mw") if k in columns]
        ).astype(np.int32)
        self._balance_rows = np.arange(n, dtype=np.int32)

    def load_day(self, day_ahead, intraday, soc_start, window, da_net=None) -> None:
        costs = []
        if self.stage.trades_da:
            hourly = DT * day_ahead.reshape(-1, 2).sum(axis=1)
            costs += [hourly, -hourly]
        if self.stage.trades_id:
            costs += [DT * intraday, -DT * intraday]
        costs.append(np.full(self.n, -DT * self.degradation))
        values = np.concatenate(costs)
        h = self.highs
        h.changeColsCost(len(values), self._cost_cols, values)
        h.changeRowBounds(self.soc_row, soc_start, soc_start)
        h.changeRowBounds(self.terminal_row, window[0], window[1])
        if self.stage is Stage.ID:
            net = np.zeros(self.n) if da_net is None else da_net
            h.changeRowsBounds(self.n, self._balance_rows, net, net)

    def solve(self, binary: bool) -> dict[str, np.ndarray] | None:
        if binary != self._binary:
            u = self.columns["is_charging"].astype(np.int32)
            kind = highspy.HighsVarType.kInteger if binary else highspy.HighsVarType.kContinuous
            self.highs.changeColsIntegrality(len(u), u, np.full(len(u), kind))
            self._binary = binary
        # HiGHS checks time_limit against its clock summed over all runs, so each run gets it afresh.
        self.highs.setOptionValue("time_limit", self.highs.getRunTime() + self.time_limit_s)
        self.highs.run()
        if self.highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        x = np.asarray(self.highs.getSolution().col_value)
        return {name: x[cols] for name, cols in self.columns.items()}


@dataclass
class RawRun:
    totals: Totals
    seconds: float
    binary_days: int


def run_raw(
    prices: pd.DataFrame,
    first: date,
    last: date,
    battery: BatteryParams,
    markets: str = "da+id",
    settings: SolverSettings | None = None,
) -> RawRun:
    """Roll the formulation over ``first``..``last`` with raw highspy; same outputs as ``optimise``'s totals."""
    tick = time.perf_counter()
    settings = settings or SolverSettings()
    inputs = range_inputs(prices, first, last)
    models: dict[tuple[int, Stage], RawDayModel] = {}
    schedule = Schedule.zeros(len(inputs.day_ahead))
    soc = battery.initial_soc_mwh
    binary_days = 0
    for i, day in enumerate(inputs.days):
        last_day = i == len(inputs.days) - 1
        window = (battery.soc_min_mwh, battery.soc_max_mwh)
        if last_day and battery.terminal_soc == "geq-initial":
            window = (battery.initial_soc_mwh, battery.soc_max_mwh)
        elif last_day and battery.terminal_soc == "eq-initial":
            window = (battery.initial_soc_mwh, battery.initial_soc_mwh)
        da_net = None
        used_binary = False
        for stage in STAGES[Markets(markets)]:
            key = (day.n_periods, stage)
            if key not in models:
                models[key] = RawDayModel(day.n_periods, stage, battery, settings)
            model = models[key]
            model.load_day(day.day_ahead, day.intraday, soc, window, da_net)
            x = model.solve(settings.always_binary)
            if x is None:
                raise RuntimeError(f"raw highspy: no optimal solution on {day.settlement_date}")
            if not settings.always_binary and np.any(
                np.minimum(x["charge_mw"], x["discharge_mw"]) > SIMULTANEOUS_TOLERANCE_MW
            ):
                x = model.solve(True)
                used_binary = True
                if x is None:
                    raise RuntimeError(f"raw highspy: no optimal MILP solution on {day.settlement_date}")
            if stage.trades_da:
                schedule.da_buy_mw[day.rows] = np.repeat(x["da_buy_mw"], 2)
                schedule.da_sell_mw[day.rows] = np.repeat(x["da_sell_mw"], 2)
                da_net = schedule.da_buy_mw[day.rows] - schedule.da_sell_mw[day.rows]
            if stage.trades_id:
                schedule.id_buy_mw[day.rows] = x["id_buy_mw"]
                schedule.id_sell_mw[day.rows] = x["id_sell_mw"]
        schedule.charge_mw[day.rows] = x["charge_mw"]
        schedule.discharge_mw[day.rows] = x["discharge_mw"]
        schedule.soc_mwh[day.rows] = x["soc_mwh"]
        soc = float(np.clip(x["soc_mwh"][-1], battery.soc_min_mwh, battery.soc_max_mwh))
        binary_days += used_binary
    totals = compute_totals(schedule, inputs.day_ahead, inputs.intraday, battery, None, len(inputs.days))
    return RawRun(totals, time.perf_counter() - tick, binary_days)
