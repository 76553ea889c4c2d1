"""Optimise a date range day by day: DA then ID, SoC carried over, baselines alongside.

``optimise`` is the package's entry point. For each settlement date in turn:

1. the day-ahead stage chooses hourly DA positions with perfect foresight of the day's DA prices (``da+id``,
   ``da``), or the joint stage trades both markets at once (``joint``);
2. the intraday stage (``da+id``, ``id``) trades ID half-hours with the DA net position fixed: it may add to
   or unwind DA positions within the battery's physical limits;
3. the day's last SoC becomes the next day's starting SoC.

Each stage is solved as an LP first; if the LP charges and discharges in the same period (it only gains by
that when burning energy pays, at negative prices), that stage of that day is re-solved as a MILP with
charge/discharge binaries. ``SolverSettings.always_binary`` solves every stage as a MILP.

The terminal SoC policy applies to the end of the last settlement date: earlier days may end at any SoC
within the bounds, and the next day starts from it. A day with no feasible schedule (for example, a last day
that cannot get back to the initial SoC) stops the run with ``infeasible`` and a message naming the date and
the likely cause; nothing half-solved is returned.

A run stopped from outside (its ``progress`` callback raises ``StopRequested``: the run was cancelled) hands
back the days solved until then, as a run over just those days would have returned them.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from optimiser.baselines import naive_schedule
from optimiser.errors import InvalidParameters, StopRequested
from optimiser.infeasibility import likely_cause
from optimiser.model import Stage
from optimiser.params import BatteryParams, Markets, SolverSettings
from optimiser.persistent_highs import solver_description
from optimiser.prices import DayInputs, RangeInputs, range_inputs
from optimiser.results import (
    Baselines,
    OptimisationResult,
    Schedule,
    SolverStats,
    Totals,
    compute_totals,
    empty_intervals,
    intervals_frame,
)
from optimiser.solver import DayProblem, StageSchedule
from optimiser.status import RunStatus, worst

SIMULTANEOUS_TOLERANCE_MW = 1e-6
"""An LP schedule that charges and discharges more than this in the same period is re-solved with binaries [MW]."""

STAGES = {
    Markets.DA_ID: (Stage.DA, Stage.ID),
    Markets.DA: (Stage.DA,),
    Markets.ID: (Stage.ID,),
    Markets.JOINT: (Stage.JOINT,),
}


@contextmanager
def collections_deferred():
    """No cyclic garbage collection while the block runs (it runs after, as soon as allocations ask for it).

    Building a day's model allocates about 15,000 objects, none of them garbage yet, which set off two
    generation-1 collections per build: 1.5-5 ms of walking live objects, a tenth of the build."""
    if not gc.isenabled():  # already deferred (another thread is building): leave it to that thread
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class ProblemCache:
    """One ``DayProblem`` per (day shape, stage), built on first use and reused for the rest of the run."""

    def __init__(self, battery: BatteryParams, settings: SolverSettings, carbon_priced: bool) -> None:
        self.battery = battery
        self.settings = settings
        self.carbon_priced = carbon_priced
        self.build_seconds = 0.0
        self._problems: dict[tuple[int, Stage], DayProblem] = {}

    def get(self, n_periods: int, stage: Stage) -> DayProblem:
        key = (n_periods, stage)
        if key not in self._problems:
            tick = time.perf_counter()
            with collections_deferred():
                self._problems[key] = DayProblem(n_periods, stage, self.battery, self.settings, self.carbon_priced)
            self.build_seconds += time.perf_counter() - tick
        return self._problems[key]


@dataclass
class Failure:
    status: RunStatus
    message: str
    settlement_date: date


@dataclass
class RollingRun:
    """The state of one markets mode rolled over the range: SoC, schedule so far, statistics."""

    markets: Markets
    inputs: RangeInputs
    battery: BatteryParams
    settings: SolverSettings
    problems: ProblemCache
    carbon_cost_gbp_per_mwh: np.ndarray | None
    schedule: Schedule = field(init=False)
    soc_mwh: float = field(init=False)
    failure: Failure | None = None
    statuses: list[RunStatus] = field(default_factory=list)
    solve_seconds: float = 0.0
    solves: int = 0
    max_gap: float | None = None
    binary_days: list[date] = field(default_factory=list)
    suboptimal_days: list[date] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.schedule = Schedule.zeros(len(self.inputs.day_ahead))
        self.soc_mwh = self.battery.initial_soc_mwh
        self._last_traded = self.last_traded

    def end_window_mwh(self, is_last_day: bool) -> tuple[float, float]:
        """Allowed SoC at the end of a day [MWh]: the terminal policy on the last day, the SoC bounds before."""
        b = self.battery
        if not is_last_day or b.terminal_soc == "free":
            return b.soc_min_mwh, b.soc_max_mwh
        if b.terminal_soc == "geq-initial":
            return b.initial_soc_mwh, b.soc_max_mwh
        return b.initial_soc_mwh, b.initial_soc_mwh

    @property
    def last_traded(self) -> int:
        """Index of the last day that is not skipped: the terminal SoC policy applies at its end."""
        return max(i for i, day in enumerate(self.inputs.days) if not day.skipped)

    def solve_day(self, i: int) -> None:
        day = self.inputs.days[i]
        if day.skipped:
            # No prices: the battery idles (every position and flow stays 0) and holds its SoC.
            self.schedule.soc_mwh[day.rows] = self.soc_mwh
            return
        window = self.end_window_mwh(i == self._last_traded)
        carbon = None if self.carbon_cost_gbp_per_mwh is None else self.carbon_cost_gbp_per_mwh[day.rows]
        da_net = None
        final: StageSchedule | None = None
        for stage in STAGES[self.markets]:
            problem = self.problems.get(day.n_periods, stage)
            problem.load_day(day.day_ahead, day.intraday, self.soc_mwh, window, da_net, carbon)
            final = self._solve_stage(problem, day)
            if self.failure:
                self.failure = self._explain(self.failure, day, stage, window)
                return
            if stage.trades_da:
                self.schedule.da_buy_mw[day.rows] = final.da_buy_mw
                self.schedule.da_sell_mw[day.rows] = final.da_sell_mw
                da_net = final.da_buy_mw - final.da_sell_mw
            if stage.trades_id:
                self.schedule.id_buy_mw[day.rows] = final.id_buy_mw
                self.schedule.id_sell_mw[day.rows] = final.id_sell_mw
        self.schedule.charge_mw[day.rows] = final.charge_mw
        self.schedule.discharge_mw[day.rows] = final.discharge_mw
        self.schedule.soc_mwh[day.rows] = final.soc_mwh
        # Clip away solver tolerance so the next day never starts a hair outside the SoC bounds.
        self.soc_mwh = float(np.clip(final.soc_mwh[-1], self.battery.soc_min_mwh, self.battery.soc_max_mwh))

    def _solve_stage(self, problem: DayProblem, day: DayInputs) -> StageSchedule:
        schedule = problem.solve(binary=self.settings.always_binary)
        self._record(schedule)
        if (
            schedule.outcome.status.has_schedule
            and not schedule.binary
            and schedule.charges_and_discharges_at_once(SIMULTANEOUS_TOLERANCE_MW)
        ):
            schedule = problem.solve(binary=True)
            self._record(schedule)
        if schedule.binary and day.settlement_date not in self.binary_days:
            self.binary_days.append(day.settlement_date)
        status = schedule.outcome.status
        self.statuses.append(status)
        if status is RunStatus.SUBOPTIMAL:
            self.suboptimal_days.append(day.settlement_date)
            gap = schedule.outcome.gap
            if gap is not None:
                self.max_gap = gap if self.max_gap is None else max(self.max_gap, gap)
        elif not status.has_schedule:
            self.failure = Failure(status, schedule.outcome.detail, day.settlement_date)
        return schedule

    def _record(self, schedule: StageSchedule) -> None:
        self.solves += 1
        self.solve_seconds += schedule.seconds

    def _explain(self, failure: Failure, day: DayInputs, stage: Stage, window: tuple[float, float]) -> Failure:
        where = f"on {day.settlement_date.isoformat()} ({stage.value} stage)"
        if failure.status is RunStatus.INFEASIBLE:
            cause = likely_cause(self.battery, day.n_periods, self.soc_mwh, window)
            message = f"No feasible schedule {where}: {cause}."
        elif failure.status is RunStatus.TIME_LIMIT_NO_SOLUTION:
            message = (
                f"The solver reached its {self.settings.time_limit_s:g} s time limit {where} before finding any "
                "schedule; raise the time limit or loosen the MIP gap."
            )
        else:
            message = f"The solver failed {where}: {failure.message}."
        return Failure(failure.status, message, failure.settlement_date)

    @property
    def status(self) -> RunStatus:
        return self.failure.status if self.failure else worst(self.statuses)


def _check_battery(params: BatteryParams) -> BatteryParams:
    if not isinstance(params, BatteryParams):
        raise InvalidParameters(f"battery parameters must be a BatteryParams, not {type(params).__name__}")
    return params


def optimise(
    prices: pd.DataFrame,
    first: date | str,
    last: date | str,
    params: BatteryParams,
    markets: str | Markets = "da+id",
    solver: SolverSettings | None = None,
    intensity: pd.Series | None = None,
    progress: Callable[[int, int], None] | None = None,
    baselines: bool = True,
    skip_missing_days: bool = False,
    da_hourly: bool = True,
) -> OptimisationResult:
    """Optimise the battery over settlement dates ``first``..``last`` (inclusive, Europe/London).

    ``prices``: indexed by aware UTC interval start, columns ``day_ahead`` and ``intraday`` [£/MWh].
    ``markets``: ``da+id`` (default), ``da``, ``id`` or ``joint``. ``solver``: time limit and MIP gap per daily
    solve. ``intensity``: grid carbon intensity [gCO2/kWh] on the same index; it is needed when the battery
    has a carbon price, and reported as carbon totals otherwise. ``progress(done_days, total_days)`` is called
    after each day. ``baselines``: also compute the naive strategy and the joint bound.
    ``skip_missing_days``: a day without every price is skipped (the battery idles, its SoC carried; the
    totals list it and annualise over the traded days) instead of refusing the range. ``da_hourly``: see
    ``range_inputs`` (False lets a half-hourly series play the day-ahead leg).

    Raises ``InvalidParameters`` / ``InvalidPrices`` on bad input before anything is solved. Solver outcomes
    (infeasible, time limit, solver error) come back as the result's ``status`` and ``message``; call
    ``result.raise_for_status()`` to turn them into exceptions.
    """
    tick = time.perf_counter()
    battery = _check_battery(params)
    markets = Markets.parse(markets)
    settings = solver if solver is not None else SolverSettings()
    if not isinstance(settings, SolverSettings):
        raise InvalidParameters(f"solver settings must be a SolverSettings, not {type(settings).__name__}")
    inputs = range_inputs(prices, first, last, intensity, skip_missing=skip_missing_days, da_hourly=da_hourly)
    carbon_priced = battery.carbon_price_gbp_per_tco2 is not None
    if carbon_priced and inputs.intensity is None:
        raise InvalidParameters(
            "a carbon price needs a carbon-intensity series (gCO2/kWh) covering the range; "
            "provide one or clear the carbon price"
        )
    carbon_cost = inputs.intensity * battery.carbon_price_gbp_per_tco2 / 1000.0 if carbon_priced else None

    problems = ProblemCache(battery, settings, carbon_priced)
    main = RollingRun(markets, inputs, battery, settings, problems, carbon_cost)
    joint = None
    if baselines and markets is not Markets.JOINT:
        joint = RollingRun(Markets.JOINT, inputs, battery, settings, problems, carbon_cost)
    total_days = len(inputs.days)
    for i in range(total_days):
        main.solve_day(i)
        if main.failure:
            break
        if joint is not None and joint.failure is None:
            joint.solve_day(i)
        if progress is not None:
            try:
                progress(i + 1, total_days)
            except StopRequested as stop:
                # The days solved so far are a run over just those days: the same intervals, totals and
                # baselines, so a cancelled run keeps them.
                stop.partial = _solved(inputs.head(i + 1), main, joint, battery, baselines, problems, tick,
                                       requested_days=total_days)
                raise

    if main.failure:
        return OptimisationResult(
            status=main.status,
            message=main.failure.message,
            intervals=empty_intervals(),
            totals=None,
            baselines=None,
            solver=_solver_stats(main, joint, problems, tick),
            failed_date=main.failure.settlement_date,
            markets=markets, first=inputs.first, last=inputs.last, params=battery,
        )
    return _solved(inputs, main, joint, battery, baselines, problems, tick)


def _solved(inputs: RangeInputs, main: RollingRun, joint: RollingRun | None, battery: BatteryParams,
            baselines: bool, problems: ProblemCache, tick: float, requested_days: int | None = None,
            ) -> OptimisationResult:
    """The result over ``inputs``' days (all of the run's, or the first ones when it was stopped)."""
    n = len(inputs.index)
    schedule = main.schedule.head(n)
    totals = _totals(inputs, schedule, battery)
    intervals = intervals_frame(inputs.index, schedule, inputs.day_ahead, inputs.intraday)
    if inputs.counted is not None:
        # A skipped day has no price: say so (NaN), rather than the 0 the idle battery was valued at.
        intervals.loc[~inputs.counted, ["da_price", "id_price"]] = np.nan
    message = _success_message(main, totals.net_revenue_gbp, len(inputs.days))
    if requested_days is not None:
        message += f" (stopped after {len(inputs.days)} of {requested_days} days)"
    if inputs.skipped:
        message += f"; {len(inputs.skipped)} day(s) without prices skipped (battery idle, SoC carried)"
    return OptimisationResult(
        status=main.status,
        message=message,
        intervals=intervals,
        totals=totals,
        baselines=_baselines(inputs, battery, totals, joint, n) if baselines else None,
        solver=_solver_stats(main, joint, problems, tick),
        markets=main.markets, first=inputs.first, last=inputs.last, params=battery,
        requested_days=requested_days,
    )


def _totals(inputs: RangeInputs, schedule: Schedule, battery: BatteryParams) -> Totals:
    return compute_totals(schedule, inputs.day_ahead, inputs.intraday, battery, inputs.intensity,
                          len(inputs.days) - len(inputs.skipped), hours=inputs.counted_hours,
                          skipped_days=[d.isoformat() for d in inputs.skipped])


def _baselines(inputs: RangeInputs, battery: BatteryParams, totals: Totals, joint: RollingRun | None,
               n_periods: int) -> Baselines:
    """The naive strategy and the joint bound over ``inputs``' days (the first ``n_periods`` of the run's)."""
    def net_revenue(schedule: Schedule) -> float:
        return _totals(inputs, schedule, battery).net_revenue_gbp

    naive = net_revenue(naive_schedule(inputs, battery))
    if joint is None:  # the run itself was the joint optimisation
        return Baselines(naive, totals.net_revenue_gbp)
    if joint.failure:
        return Baselines(naive, None, f"joint bound unavailable: {joint.failure.message}")
    note = ""
    if joint.status is RunStatus.SUBOPTIMAL:
        note = "joint bound comes from days stopped at the time limit; the true bound may be higher"
    bound = joint.schedule.head(n_periods)
    return Baselines(naive, net_revenue(bound), note, _daily_net(inputs, bound, battery))


def _daily_net(inputs: RangeInputs, schedule: Schedule, battery: BatteryParams) -> list[list]:
    """[ISO date, net £] per settlement date of ``schedule`` (DA + ID cash − degradation − carbon cost)."""
    dt = 0.5
    net = (dt * inputs.day_ahead * (schedule.da_sell_mw - schedule.da_buy_mw)
           + dt * inputs.intraday * (schedule.id_sell_mw - schedule.id_buy_mw)
           - battery.degradation_cost_gbp_per_mwh * dt * schedule.discharge_mw)
    if inputs.intensity is not None and battery.carbon_price_gbp_per_tco2 is not None:
        net = net - battery.carbon_price_gbp_per_tco2 * dt * (schedule.charge_mw - schedule.discharge_mw) \
            * inputs.intensity / 1000.0
    daily = pd.Series(net).groupby(inputs.index["settlement_date"].to_numpy()).sum()
    return [[day.isoformat(), round(float(value), 6)] for day, value in daily.items()]


def _solver_stats(main: RollingRun, joint: RollingRun | None, problems: ProblemCache, tick: float,
                  more_problems: ProblemCache | None = None) -> SolverStats:
    runs = [main] if joint is None else [main, joint]
    build_seconds = problems.build_seconds + (more_problems.build_seconds if more_problems is not None else 0.0)
    return SolverStats(
        solver=solver_description(),
        settings=main.settings.model_dump(),
        solve_seconds=sum(run.solve_seconds for run in runs),
        build_seconds=build_seconds,
        total_seconds=time.perf_counter() - tick,
        solves=sum(run.solves for run in runs),
        max_mip_gap=main.max_gap,
        binary_days=[d.isoformat() for d in main.binary_days],
        suboptimal_days=[d.isoformat() for d in main.suboptimal_days],
    )


def _success_message(run: RollingRun, net: float, days: int) -> str:
    text = f"{run.markets.value}: net revenue £{net:,.2f} over {days} day{'s' if days != 1 else ''}"
    if run.status is RunStatus.SUBOPTIMAL:
        gap = f"{run.max_gap:.2%}" if run.max_gap is not None else "unknown"
        text += (
            f"; {len(run.suboptimal_days)} day(s) stopped at the time limit with a schedule that may be up to "
            f"{gap} short of optimal"
        )
    return text
