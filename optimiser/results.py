"""What a run returns: the schedule per interval, its totals, the baselines and the solver's statistics.

Cash is always recomputed from the schedule and the prices (never taken from
the solver's objective), with the same formula for the optimised schedule and
for the baselines, so they compare like with like.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from domain.settlement_time import PERIOD_HOURS as DT  # optimiser.model.DT, without importing Pyomo
from optimiser.errors import InfeasibleProblem, SolverFailed, SolverTimeLimit
from optimiser.params import BatteryParams, Markets
from optimiser.status import RunStatus

INTERVAL_COLUMNS = (
    "interval_start_utc",
    "settlement_date",
    "settlement_period",
    "da_buy_mw",
    "da_sell_mw",
    "id_buy_mw",
    "id_sell_mw",
    "charge_mw",
    "discharge_mw",
    "soc_mwh",
    "da_price",
    "id_price",
    "da_cash_gbp",
    "id_cash_gbp",
)
"""Columns of ``OptimisationResult.intervals``, in order (``soc_mwh`` is the SoC at the interval's end)."""

HOURS_PER_YEAR = 8760.0
"""Hours in the year used to annualise revenue (365 days) [h]."""


@dataclass
class Schedule:
    """Per-period arrays over a whole range [MW, MWh]; zeros where a market is not traded."""

    da_buy_mw: np.ndarray
    da_sell_mw: np.ndarray
    id_buy_mw: np.ndarray
    id_sell_mw: np.ndarray
    charge_mw: np.ndarray
    discharge_mw: np.ndarray
    soc_mwh: np.ndarray

    @classmethod
    def zeros(cls, n_periods: int) -> Schedule:
        return cls(*(np.zeros(n_periods) for _ in range(7)))

    def head(self, n_periods: int) -> Schedule:
        """The schedule's first ``n_periods`` periods."""
        return Schedule(*(values[:n_periods] for values in (
            self.da_buy_mw, self.da_sell_mw, self.id_buy_mw, self.id_sell_mw, self.charge_mw, self.discharge_mw,
            self.soc_mwh)))


@dataclass(frozen=True)
class Totals:
    """Totals over the range [£, MWh, cycles]. Net revenue = DA + ID − degradation − carbon cost."""

    da_revenue_gbp: float
    id_revenue_gbp: float
    degradation_cost_gbp: float
    carbon_cost_gbp: float
    """Carbon price × carbon of net imports [£]; 0 when carbon is not priced."""
    net_revenue_gbp: float
    cycles: float
    """Equivalent full cycles over the range: discharged MWh / capacity [-]."""
    discharged_mwh: float
    charged_mwh: float
    net_revenue_gbp_per_mw_year: float
    """Net revenue per MW of power, scaled to a 365-day year [£/MW/year]."""
    carbon_tco2: float | None
    """Carbon of the net grid imports (negative when exports displace more than imports add) [tCO2];
    None when no carbon intensity was given."""
    days: int
    """Days traded (the range less any skipped day)."""
    skipped_days: list[str] = field(default_factory=list)
    """Settlement dates (ISO) skipped for missing prices: the battery idled, its SoC carried."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def cash_gbp(prices: np.ndarray, buy_mw: np.ndarray, sell_mw: np.ndarray) -> np.ndarray:
    """Cash per period [£]: Δ p_t (sell_t − buy_t)."""
    return DT * prices * (sell_mw - buy_mw)


def compute_totals(
    schedule: Schedule,
    day_ahead: np.ndarray,
    intraday: np.ndarray,
    battery: BatteryParams,
    intensity: np.ndarray | None,
    days: int,
    hours: float | None = None,
    skipped_days: list[str] | None = None,
) -> Totals:
    """Totals of ``schedule`` at the given prices [£/MWh] and carbon intensity [gCO2/kWh]; ``hours``: the
    traded hours the £/MW/year figure is annualised over (default: every period of the prices)."""
    da = float(cash_gbp(day_ahead, schedule.da_buy_mw, schedule.da_sell_mw).sum())
    intra = float(cash_gbp(intraday, schedule.id_buy_mw, schedule.id_sell_mw).sum())
    discharged = float(DT * schedule.discharge_mw.sum())
    charged = float(DT * schedule.charge_mw.sum())
    degradation = battery.degradation_cost_gbp_per_mwh * discharged
    carbon_t = None
    carbon_cost = 0.0
    if intensity is not None:
        # gCO2/kWh = kgCO2/MWh, so /1000 gives tCO2 per MWh of net import.
        carbon_t = float((DT * (schedule.charge_mw - schedule.discharge_mw) * intensity).sum() / 1000.0)
        if battery.carbon_price_gbp_per_tco2 is not None:
            carbon_cost = battery.carbon_price_gbp_per_tco2 * carbon_t
    net = da + intra - degradation - carbon_cost
    hours = DT * len(day_ahead) if hours is None else hours
    return Totals(
        da_revenue_gbp=da,
        id_revenue_gbp=intra,
        degradation_cost_gbp=degradation,
        carbon_cost_gbp=carbon_cost,
        net_revenue_gbp=net,
        cycles=discharged / battery.energy_mwh,
        discharged_mwh=discharged,
        charged_mwh=charged,
        net_revenue_gbp_per_mw_year=net / battery.power_mw * HOURS_PER_YEAR / hours,
        carbon_tco2=carbon_t,
        days=days,
        skipped_days=list(skipped_days or []),
    )


def intervals_frame(
    index: pd.DataFrame, schedule: Schedule, day_ahead: np.ndarray, intraday: np.ndarray
) -> pd.DataFrame:
    """The per-interval table (``INTERVAL_COLUMNS``) for a solved range.

    Built from one dict of columns in a single ``DataFrame`` call (which copies them), rather than column by
    column: each pandas column insert costs about as much as a day's solve bookkeeping.
    """
    columns = {name: index[name].array for name in ("interval_start_utc", "settlement_date", "settlement_period")}
    columns.update(
        da_buy_mw=schedule.da_buy_mw,
        da_sell_mw=schedule.da_sell_mw,
        id_buy_mw=schedule.id_buy_mw,
        id_sell_mw=schedule.id_sell_mw,
        charge_mw=schedule.charge_mw,
        discharge_mw=schedule.discharge_mw,
        soc_mwh=schedule.soc_mwh,
        da_price=day_ahead,
        id_price=intraday,
        da_cash_gbp=cash_gbp(day_ahead, schedule.da_buy_mw, schedule.da_sell_mw),
        id_cash_gbp=cash_gbp(intraday, schedule.id_buy_mw, schedule.id_sell_mw),
    )
    return pd.DataFrame(columns, columns=list(INTERVAL_COLUMNS))


def empty_intervals() -> pd.DataFrame:
    return pd.DataFrame({column: [] for column in INTERVAL_COLUMNS})


@dataclass(frozen=True)
class Baselines:
    """Reference revenues over the same range, for capture ratios [£]."""

    naive_net_revenue_gbp: float | None
    """Charge in the cheapest day-ahead hours, discharge in the dearest (``optimiser.baselines``)."""
    joint_net_revenue_gbp: float | None
    """Both markets at once with perfect foresight, rolled day by day like the run: the upper bound."""
    note: str = ""
    """Why a baseline is missing, when one is."""
    joint_daily_net_gbp: list[list] = field(default_factory=list)
    """The bound per settlement date: [ISO date, net £] (for capture per month); empty when unavailable."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class SolverStats:
    """How the run was solved."""

    solver: str
    settings: dict[str, Any]
    solve_seconds: float
    """Time spent solving (pushing updates to HiGHS, HiGHS itself, reading schedules back), the joint
    baseline's solves included [s]."""
    build_seconds: float
    """Time spent building Pyomo models and loading them into HiGHS (once per day shape and stage) [s]."""
    total_seconds: float
    """Wall-clock time of the whole ``optimise`` call, validation and baselines included [s]."""
    solves: int
    """HiGHS runs, the joint baseline's included (an LP re-solved as a MILP counts twice)."""
    max_mip_gap: float | None
    """Largest relative gap left by a day stopped at the time limit; None when every day was optimal."""
    binary_days: list[str] = field(default_factory=list)
    """Settlement dates (ISO) solved with charge/discharge binaries."""
    suboptimal_days: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class OptimisationResult:
    """A run's outcome. When ``status`` has no schedule, ``intervals`` is empty and ``totals`` is None."""

    status: RunStatus
    message: str
    markets: Markets
    first: date
    last: date
    params: BatteryParams
    intervals: pd.DataFrame
    totals: Totals | None
    baselines: Baselines | None
    solver: SolverStats
    failed_date: date | None = None
    requested_days: int | None = None
    """When the result covers only the first days of the range asked for (the run was stopped): how many days
    that range had. None for a whole range."""

    @property
    def ok(self) -> bool:
        """True when the run produced a schedule (optimal, or sub-optimal within a reported gap)."""
        return self.status.has_schedule

    def summary(self) -> dict[str, Any]:
        """A JSON-serialisable summary: status, message, every total, solver statistics and baselines."""
        totals = self.totals.as_dict() if self.totals else dict.fromkeys(Totals.__dataclass_fields__)
        return {
            "status": self.status.value,
            "message": self.message,
            "markets": self.markets.value,
            "start": self.first.isoformat(),
            "end": self.last.isoformat(),
            **totals,
            "solve_seconds": self.solver.solve_seconds,
            "build_seconds": self.solver.build_seconds,
            "total_seconds": self.solver.total_seconds,
            "mip_gap": self.solver.max_mip_gap,
            "binary_days": self.solver.binary_days,
            "failed_date": self.failed_date.isoformat() if self.failed_date else None,
            "baselines": self.baselines.as_dict() if self.baselines else None,
            "params": self.params.model_dump(),
            "solver": self.solver.as_dict(),
        }

    def raise_for_status(self) -> OptimisationResult:
        """Return self when there is a schedule; otherwise raise the matching ``OptimiserError``."""
        if self.status is RunStatus.INFEASIBLE:
            raise InfeasibleProblem(self.message, self.failed_date)
        if self.status is RunStatus.TIME_LIMIT_NO_SOLUTION:
            raise SolverTimeLimit(self.message, self.failed_date)
        if self.status is RunStatus.SOLVER_ERROR:
            raise SolverFailed(self.message, self.failed_date)
        return self
