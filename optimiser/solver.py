"""Solve one day's model with a persistent HiGHS instance, and read the schedule back.

A ``DayProblem`` owns one Pyomo model (one day shape, one stage) attached to
one persistent HiGHS instance for the whole run. Each day only what its
mutable Params stand for changes: the day's values are written in bulk into
the HiGHS coefficients and bounds those Params were loaded as, and HiGHS
re-solves from its last basis. Nothing is rebuilt between days.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo

from optimiser.model import DT, Stage, create_day_model
from optimiser.params import BatteryParams, SolverSettings
from optimiser.persistent_highs import PersistentHighs
from optimiser.status import RunStatus, SolveOutcome, classify

HELD_VARIABLES = ("id_buy_mw", "id_sell_mw", "charge_mw", "discharge_mw")
"""What ``DayProblem.hold_periods`` fixes in the periods already traded."""
ZERO_TOLERANCE_MW = 1e-9
"""Flows and positions smaller than this are solver noise and reported as 0 [MW]."""


@dataclass
class StageSchedule:
    """One stage's schedule for one day, per period (hourly day-ahead volumes repeated on both half-hours)."""

    outcome: SolveOutcome
    binary: bool
    """True when this schedule came from the MILP (charge/discharge binaries)."""
    seconds: float
    da_buy_mw: np.ndarray | None = None
    da_sell_mw: np.ndarray | None = None
    id_buy_mw: np.ndarray | None = None
    id_sell_mw: np.ndarray | None = None
    charge_mw: np.ndarray | None = None
    discharge_mw: np.ndarray | None = None
    soc_mwh: np.ndarray | None = None

    def charges_and_discharges_at_once(self, tolerance_mw: float) -> bool:
        """True when some period both charges and discharges above ``tolerance_mw`` [MW]."""
        return bool(np.any(np.minimum(self.charge_mw, self.discharge_mw) > tolerance_mw))


_SIGNS = np.array([1.0, -1.0])


def _netted(buy_and_sell_mw: np.ndarray) -> np.ndarray:
    """Net a market's buy and sell (rows 0 and 1) in the same period into one position [MW]: rows buy, sell.

    Buying and selling one market in one period trade at one price, so the objective is indifferent to any
    wash between them and the simplex often returns one (buy 100 MW and sell 52.5 MW). Netting it away
    changes neither cash nor flows, and keeps every position within [0, P].
    """
    net = buy_and_sell_mw[0] - buy_and_sell_mw[1]
    return np.maximum(np.multiply.outer(_SIGNS, net), 0.0)


class DayProblem:
    """One stage's model for one day shape, kept on a persistent HiGHS instance for the whole run."""

    def __init__(
        self,
        n_periods: int,
        stage: Stage,
        battery: BatteryParams,
        settings: SolverSettings,
        carbon_priced: bool,
    ) -> None:
        self.n_periods = n_periods
        self.stage = stage
        self.battery = battery
        self.carbon_priced = carbon_priced
        m = self.model = create_day_model(n_periods, stage, battery, carbon_priced)
        self.solver = PersistentHighs(settings)
        self.solver.set_instance(m)
        self._binary = False
        self._held_columns: dict[str, np.ndarray] | None = None
        self._switches = m.data_lists["is_charging"]
        self._write_day = self.solver.param_writer(self._day_params())
        read = {"charge_mw": m.charge_mw, "discharge_mw": m.discharge_mw, "soc_mwh": m.soc_mwh}
        if stage.trades_da:
            read.update(da_buy_mw=m.da_buy_mw, da_sell_mw=m.da_sell_mw)
        if stage.trades_id:
            read.update(id_buy_mw=m.id_buy_mw, id_sell_mw=m.id_sell_mw)
        # Every column the schedule reads, in one index array (each market's buys just before its sells), and
        # where each variable's values sit in it.
        columns = {name: self.solver.columns_of(m.data_lists.get(name) or list(var.values()))
                   for name, var in read.items()}
        self._columns = np.concatenate(list(columns.values()))
        ends = np.cumsum([len(c) for c in columns.values()])
        self._slices = {name: slice(end - len(c), end) for (name, c), end in zip(columns.items(), ends, strict=True)}
        self._markets = [(slice(self._slices[buy].start, self._slices[sell].stop), market)
                         for buy, sell, market in (("da_buy_mw", "da_sell_mw", "da"), ("id_buy_mw", "id_sell_mw", "id"))
                         if buy in self._slices]

    def _day_params(self) -> list:
        """The ParamData ``load_day`` writes, in the order it writes them (see ``load_day``)."""
        names = ["soc_start_mwh", "soc_end_min_mwh", "soc_end_max_mwh"]
        if self.stage.trades_da:
            names += ["da_sell_cash_gbp_per_mw", "da_buy_cash_gbp_per_mw"]
        if self.stage.trades_id:
            names += ["id_sell_cash_gbp_per_mw", "id_buy_cash_gbp_per_mw"]
        if self.stage is Stage.ID:
            names.append("da_net_import_mw")
        if self.carbon_priced:
            names += ["charge_cash_gbp_per_mw", "discharge_cash_gbp_per_mw"]
        return [data for name in names for data in self.model.component(name)._data.values()]

    def load_day(
        self,
        day_ahead: np.ndarray,
        intraday: np.ndarray,
        soc_start_mwh: float,
        soc_end_window_mwh: tuple[float, float],
        da_net_import_mw: np.ndarray | None = None,
        carbon_cost_gbp_per_mwh: np.ndarray | None = None,
    ) -> None:
        """Write one day's data into HiGHS, where the model's Params stand.

        ``day_ahead``, ``intraday``: prices per period [£/MWh]; ``soc_start_mwh``: SoC at the start [MWh];
        ``soc_end_window_mwh``: (min, max) SoC at the end [MWh]; ``da_net_import_mw``: fixed day-ahead net
        position per period for the intraday stage [MW]; ``carbon_cost_gbp_per_mwh``: carbon price × intensity
        per period [£/MWh], when carbon is priced.

        The values go straight to the HiGHS costs and row bounds that the Params became when the model was
        loaded (``PersistentHighs.param_writer``), the LP that storing them in the Params and pushing those would
        give, without the round trip through a Python object per value; the Params keep their initial 0.
        """
        values = [np.array([soc_start_mwh, *soc_end_window_mwh], dtype=float)]
        if self.stage.trades_da:
            hourly_cash = DT * day_ahead.reshape(-1, 2).sum(axis=1)
            values += [hourly_cash, -hourly_cash]
        if self.stage.trades_id:
            values += [DT * intraday, -DT * intraday]
        if self.stage is Stage.ID:
            values.append(np.zeros(self.n_periods) if da_net_import_mw is None else da_net_import_mw)
        if self.carbon_priced:
            carbon = np.zeros(self.n_periods) if carbon_cost_gbp_per_mwh is None else carbon_cost_gbp_per_mwh
            values += [-DT * carbon, DT * (carbon - self.battery.degradation_cost_gbp_per_mwh)]
        self._write_day(np.concatenate(values, dtype=float))

    def hold_periods(self, count: int, held: dict[str, np.ndarray]) -> None:
        """Hold the first ``count`` periods' intraday positions and flows at ``held`` (arrays of ``count``
        values for ``id_buy_mw``, ``id_sell_mw``, ``charge_mw``, ``discharge_mw``) and free the rest within
        their bounds [0, P] again: what was already done in a day is fixed, the remaining periods are open.

        Written straight to HiGHS's column bounds in one call (the Pyomo variables keep their declared
        bounds; nothing on the Pyomo side ever pushes these columns' bounds again). Intraday stage only.
        """
        if self.stage is not Stage.ID:
            raise ValueError("only the intraday stage holds periods already traded")
        if self._held_columns is None:
            m = self.model
            self._held_columns = {name: self.solver.columns_of(list(getattr(m, name).values()))
                                  for name in HELD_VARIABLES}
        power = self.battery.power_mw
        columns, lower, upper = [], [], []
        for name in HELD_VARIABLES:
            values = np.asarray(held[name], dtype=float)[:count] if count else np.zeros(0)
            if len(values) != count:
                raise ValueError(f"{name}: {len(values)} held values for {count} periods")
            low = np.r_[values, np.zeros(self.n_periods - count)]
            high = np.r_[values, np.full(self.n_periods - count, power)]
            columns.append(self._held_columns[name])
            lower.append(low)
            upper.append(high)
        index = np.concatenate(columns).astype(np.int32)
        self.solver._solver_model.changeColsBounds(len(index), index, np.concatenate(lower), np.concatenate(upper))

    def _use_binaries(self, binary: bool) -> None:
        if binary == self._binary:
            return
        domain = pyo.Binary if binary else pyo.UnitInterval
        for switch in self._switches:
            switch.domain = domain
        self.solver.update_variables(self._switches)
        self._binary = binary

    def solve(self, binary: bool) -> StageSchedule:
        """Solve the loaded day as an LP (``binary`` False) or a MILP, and read the schedule back."""
        self._use_binaries(binary)
        tick = time.perf_counter()
        try:
            run = self.solver.run()
            outcome = classify(run.model_status, run.has_solution, run.objective, run.bound)
        except Exception as exc:  # any failure inside HiGHS or Pyomo is a solver error the caller must see
            outcome = SolveOutcome(RunStatus.SOLVER_ERROR, f"{type(exc).__name__}: {exc}")
            return StageSchedule(outcome, binary, time.perf_counter() - tick)
        schedule = StageSchedule(outcome, binary, 0.0)
        if outcome.status.has_schedule:
            self._read_schedule(schedule)
        schedule.seconds = time.perf_counter() - tick
        return schedule

    def _read_schedule(self, schedule: StageSchedule) -> None:
        solution = self.solver.column_values()[self._columns]
        cleaned = np.where(np.abs(solution) < ZERO_TOLERANCE_MW, 0.0, solution)
        slices = self._slices
        schedule.charge_mw = cleaned[slices["charge_mw"]]
        schedule.discharge_mw = cleaned[slices["discharge_mw"]]
        schedule.soc_mwh = solution[slices["soc_mwh"]]
        for rows, market in self._markets:
            positions = _netted(cleaned[rows].reshape(2, -1))
            if market == "da":
                schedule.da_buy_mw, schedule.da_sell_mw = np.repeat(positions, 2, axis=1)
            else:
                schedule.id_buy_mw, schedule.id_sell_mw = positions
