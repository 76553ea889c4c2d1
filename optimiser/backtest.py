"""Forecast-driven backtest: decide on forecasts known at the time, settle at the prices that happened.

For each settlement date D of the range:

1. at the day-ahead gate closure (default 09:20 UK local time on D−1) the day-ahead leg's prices for D are
   forecast from data known then (``domain.forecast_inputs``), made hourly (the auction clears by the hour),
   and the day-ahead stage is optimised on them;
2. at the intraday decision (default 15:00 UK on D−1) the intraday leg's prices for all of D are forecast
   the same way and the intraday stage is re-optimised with the day-ahead positions fixed;
3. with ``intraday_reoptimise="hourly"``, before each clock hour of D (at the intraday gate closure, one hour
   before it starts) the intraday prices of the periods still to come are forecast again from what is known
   then, and those periods are re-optimised with the day-ahead positions and the intraday trades already done
   held (``_reoptimise_hourly``); each plan's first hour is what is done;
4. both legs are settled at the actual prices, and D+1 starts from the SoC the schedule actually reached.

Both decision times are settings (``FORECAST_DA_GATE_TIME``, ``FORECAST_ID_DECISION_TIME``) that a run takes
when it is submitted and passes here.

The decisions are taken by exactly the code a perfect-foresight run uses (``optimiser.rolling``), with the
forecasts in place of the prices: a forecaster returning the actuals reproduces the perfect-foresight run
to the penny. The schedule is physical (flows and SoC follow from the positions), so settling at other
prices never changes what was done. Because every intraday decision for D is taken on D−1 before D's
day-ahead gate of D+1, the SoC D+1's day-ahead stage starts from was already decided when it is taken.
The hourly re-optimisations of D come after that gate, so they hold D's end-of-day SoC at what the 15:00 plan
reached (the state D+1's day-ahead positions were chosen for): they move energy within D, never across it.

The perfect-foresight run of the same battery over the same range is solved alongside, for each day's
capture ratio (realised ÷ perfect-foresight net revenue).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock_time

import numpy as np
import pandas as pd

from domain.forecast_inputs import forecast_inputs
from domain.forecasters import Forecaster
from domain.settlement_time import LONDON
from domain.settlement_time import PERIOD_HOURS as DT  # optimiser.model.DT, without importing Pyomo
from optimiser.errors import InvalidParameters, InvalidPrices, StopRequested
from optimiser.model import Stage
from optimiser.params import BatteryParams, Markets, SolverSettings
from optimiser.prices import range_inputs
from optimiser.results import OptimisationResult, compute_totals, empty_intervals, intervals_frame
from optimiser.rolling import ProblemCache, RollingRun, _solver_stats, optimise

DA_GATE_LOCAL = clock_time(9, 20)
"""Day-ahead gate closure on D−1, UK local time (the default of the ``FORECAST_DA_GATE_TIME`` setting)."""
ID_DECISION_LOCAL = clock_time(15, 0)
"""The intraday decision for all of D, on D−1, UK local time (the default of ``FORECAST_ID_DECISION_TIME``)."""
ID_GATE_LEAD = pd.Timedelta(hours=1)
"""Hourly re-optimisation: the periods of a clock hour are decided this long before the hour starts (GB
intraday gate closure)."""
REOPTIMISE_MODES = ("once", "hourly")
FORECAST_COLUMNS = ("interval_start_utc", "da_forecast", "id_forecast", "perfect_cash_gbp")
DAY_COLUMNS = ("settlement_date", "realised_gbp", "perfect_gbp", "capture_ratio")


@dataclass(frozen=True)
class Decision:
    """One decision of the backtest: what it decided, when, and for which settlement date."""

    stage: str
    """``da``, ``id`` (the intraday plan for all of D on D−1) or ``id-hourly`` (a re-optimisation of the
    periods from ``first_period`` on)."""
    settlement_date: date
    decided_at_utc: pd.Timestamp
    first_period: int = 0
    """0-based index in D of the first period the decision planned."""
    plan: np.ndarray | None = field(default=None, compare=False, repr=False)
    """What it planned for periods ``first_period``.. of D, one row per period: the day-ahead buy and sell
    [MW] (``da``), or the intraday buy and sell, charge, discharge [MW] and SoC [MWh] (``id``, ``id-hourly``),
    then the forecast it used [£/MWh]."""


@dataclass
class BacktestResult:
    result: OptimisationResult
    """The realised run: schedule and totals settled at the actual prices (``da_price``, ``id_price``)."""
    forecasts: pd.DataFrame
    """Per interval (``FORECAST_COLUMNS``): the forecasts the decisions used [£/MWh] and the perfect-foresight
    run's cash [£]. NaN for a leg the markets mode does not trade."""
    days: pd.DataFrame
    """Per settlement date (``DAY_COLUMNS``): realised and perfect-foresight net revenue [£], capture ratio."""
    perfect_net_revenue_gbp: float | None
    decisions: list[Decision]
    forecaster: str
    intraday_reoptimise: str = "once"
    decision_times: tuple[str, str] = ("09:20", "15:00")
    """(day-ahead gate closure, intraday decision) the run used, UK local ``HH:MM`` on D−1."""

    @property
    def capture_ratio(self) -> float | None:
        perfect = self.perfect_net_revenue_gbp
        if not self.result.ok or perfect is None or abs(perfect) < 1e-9:
            return None
        return self.result.totals.net_revenue_gbp / perfect


def decision_time_utc(settlement_date: date, local: clock_time) -> pd.Timestamp:
    """``local`` UK time on the day before ``settlement_date``, in UTC."""
    day_before = settlement_date - timedelta(days=1)
    return pd.Timestamp(datetime.combine(day_before, local, tzinfo=LONDON)).tz_convert("UTC")


def _hourly(values: np.ndarray) -> np.ndarray:
    """Both half-hours of each clock hour carry the hour's mean (the day-ahead auction clears hourly)."""
    return np.repeat(values.reshape(-1, 2).mean(axis=1), 2)


ID_PLAN_COLUMNS = ("id_buy_mw", "id_sell_mw", "charge_mw", "discharge_mw", "soc_mwh")


def _plan(schedule, rows: slice, stage: str, forecast: np.ndarray, start: int = 0) -> np.ndarray:
    """What a decision planned for periods ``start``.. of the day in ``rows`` (see ``Decision.plan``)."""
    columns = ("da_buy_mw", "da_sell_mw") if stage == "da" else ID_PLAN_COLUMNS
    return np.column_stack([getattr(schedule, c)[rows][start:] for c in columns] + [forecast[rows][start:]])


def _reoptimise_hourly(run: RollingRun, i: int, soc_start: float, problems: ProblemCache, history: pd.DataFrame,
                       starts: pd.DatetimeIndex, forecaster: Forecaster, id_column: str,
                       id_forecast: np.ndarray) -> list[Decision]:
    """Re-plan day ``i``'s intraday trades before each of its clock hours; returns the decisions taken.

    ``run`` has just planned the day (its schedule rows hold the plan); ``soc_start``: the SoC the day started
    from. Before hour k (at ``ID_GATE_LEAD`` before it starts) the intraday prices of periods 2k.. are forecast
    from what is known then and the day is re-solved with the day-ahead positions and periods ..2k−1 held at
    what was done, and the end-of-day SoC at the plan's (``run.soc_mwh``, which D+1 starts from). The plan's
    periods 2k, 2k+1 are then done. The forecast stored for a period is the one its trades were decided on.

    Always feasible in exact arithmetic: the previous plan's remainder is a schedule that meets every constraint.
    """
    day = run.inputs.days[i]
    if day.skipped:
        return []
    rows, n = day.rows, day.n_periods
    schedule = run.schedule
    problem = problems.get(n, Stage.ID)
    da_net = schedule.da_buy_mw[rows] - schedule.da_sell_mw[rows]
    window = (run.soc_mwh, run.soc_mwh)
    day_starts = starts[rows]
    prices = np.array(id_forecast[rows], dtype=float)
    done = {name: np.zeros(n) for name in ("id_buy_mw", "id_sell_mw", "charge_mw", "discharge_mw")}
    decisions = []
    for first in range(0, n, 2):
        at = day_starts[first] - ID_GATE_LEAD
        values = np.asarray(forecaster.forecast(forecast_inputs(history, at, day_starts[first:], id_column)),
                            dtype=float)
        if values.shape != (n - first,) or not np.isfinite(values).all():
            raise InvalidPrices(f"forecaster {forecaster.name!r} gave unusable intraday prices for "
                                f"{day.settlement_date.isoformat()} at {at.isoformat()}")
        prices[first:] = values
        problem.load_day(day.day_ahead, prices, soc_start, window, da_net, None)
        problem.hold_periods(first, {name: held[:first] for name, held in done.items()})
        plan = run._solve_stage(problem, day)
        if run.failure:
            run.failure = run._explain(run.failure, day, Stage.ID, window)
            return decisions
        hour = slice(first, first + 2)
        for name in done:
            done[name][hour] = getattr(plan, name)[hour]
        planned = np.column_stack([getattr(plan, c)[first:] for c in ID_PLAN_COLUMNS] + [values])
        decisions.append(Decision("id-hourly", day.settlement_date, at, first, planned))
        day_rows = np.arange(rows.start, rows.stop)[hour]
        schedule.id_buy_mw[day_rows] = plan.id_buy_mw[hour]
        schedule.id_sell_mw[day_rows] = plan.id_sell_mw[hour]
        schedule.charge_mw[day_rows] = plan.charge_mw[hour]
        schedule.discharge_mw[day_rows] = plan.discharge_mw[hour]
        schedule.soc_mwh[day_rows] = plan.soc_mwh[hour]
        id_forecast[day_rows] = values[:2]
    return decisions


def _utc_history(history: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(history.index, pd.DatetimeIndex) or history.index.tz is None:
        raise InvalidPrices("the price history must be indexed by aware UTC interval start")
    frame = history.copy()
    frame.index = frame.index.tz_convert("UTC")
    return frame.sort_index()


def backtest(
    history: pd.DataFrame,
    first: date,
    last: date,
    battery: BatteryParams,
    forecaster: Forecaster,
    markets: str | Markets = "da+id",
    da_column: str = "day_ahead",
    id_column: str = "intraday",
    solver: SolverSettings | None = None,
    da_gate_local: clock_time = DA_GATE_LOCAL,
    id_decision_local: clock_time = ID_DECISION_LOCAL,
    progress: Callable[[int, int], None] | None = None,
    intraday_reoptimise: str = "once",
    da_hourly: bool = True,
) -> BacktestResult:
    """Backtest ``forecaster`` over settlement dates ``first``..``last``.

    ``history``: every stored series the forecaster may use [£/MWh], indexed by aware UTC interval start,
    from as far back as it needs to the end of the range; ``da_column`` and ``id_column`` name the series
    that are the day-ahead and intraday legs (their actual prices settle the schedule). ``da_gate_local``,
    ``id_decision_local``: the decision times on D−1, UK local time (the intraday decision at or after the
    gate: it holds the day-ahead positions decided there). ``intraday_reoptimise``: ``once`` (the intraday
    decision plans all of D) or ``hourly`` (re-plan the rest of D before each of its hours). ``da_hourly``:
    the day-ahead leg is an hourly auction, so its forecast is made hourly too; False for a half-hourly series
    playing that leg (``optimiser.prices.range_inputs``).
    """
    tick = time.perf_counter()
    markets = Markets.parse(markets)
    if markets is Markets.JOINT:
        raise InvalidParameters("joint trading is a perfect-foresight bound, not a strategy; choose da+id, da or "
                                "id for a forecast-driven run")
    if battery.carbon_price_gbp_per_tco2 is not None:
        raise InvalidParameters("a forecast-driven run does not price carbon yet; clear the carbon price")
    if intraday_reoptimise not in REOPTIMISE_MODES:
        raise InvalidParameters(f"intraday re-optimisation must be one of {', '.join(REOPTIMISE_MODES)}, not "
                                f"{intraday_reoptimise!r}")
    hourly = intraday_reoptimise == "hourly"
    if hourly and markets is Markets.DA:
        raise InvalidParameters("hourly intraday re-optimisation needs the intraday market; choose da+id or id")
    if not (isinstance(da_gate_local, clock_time) and isinstance(id_decision_local, clock_time)):
        raise InvalidParameters("the decision times must be clock times (UK local)")
    if id_decision_local < da_gate_local:
        raise InvalidParameters(f"the intraday decision ({id_decision_local:%H:%M}) must not come before the "
                                f"day-ahead gate closure ({da_gate_local:%H:%M}) whose positions it holds")
    times = (f"{da_gate_local:%H:%M}", f"{id_decision_local:%H:%M}")
    settings = solver if solver is not None else SolverSettings()
    history = _utc_history(history)
    trades_da = markets in (Markets.DA_ID, Markets.DA)
    trades_id = markets in (Markets.DA_ID, Markets.ID)
    for needed, column in ((trades_da, da_column), (trades_id, id_column)):
        if needed and column not in history.columns:
            raise InvalidPrices(f"the price history has no {column!r} series")
    actual_da = history[da_column] if trades_da else None
    actual_id = history[id_column] if trades_id else None
    if actual_da is None:
        actual_da = actual_id.groupby(actual_id.index.floor("h")).transform("mean")
    if actual_id is None:
        actual_id = actual_da
    actual = range_inputs(pd.DataFrame({"day_ahead": actual_da, "intraday": actual_id}), first, last,
                          da_hourly=da_hourly)
    starts = pd.DatetimeIndex(actual.index["interval_start_utc"])
    total = 2 * len(actual.days)

    da_forecast = np.full(len(starts), np.nan)
    id_forecast = np.full(len(starts), np.nan)
    taken: list[tuple[str, date, pd.Timestamp]] = []
    for day in actual.days:
        targets = starts[day.rows]
        if trades_da:
            at = decision_time_utc(day.settlement_date, da_gate_local)
            values = forecaster.forecast(forecast_inputs(history, at, targets, da_column))
            values = np.asarray(values, dtype=float)
            da_forecast[day.rows] = _hourly(values) if da_hourly else values
            taken.append(("da", day.settlement_date, at))
        if trades_id:
            at = decision_time_utc(day.settlement_date, id_decision_local)
            id_forecast[day.rows] = forecaster.forecast(forecast_inputs(history, at, targets, id_column))
            taken.append(("id", day.settlement_date, at))
    decided_da = da_forecast if trades_da else _hourly(id_forecast)
    decided_id = id_forecast if trades_id else da_forecast
    frame = pd.DataFrame({"day_ahead": decided_da, "intraday": decided_id}, index=starts)
    try:
        inputs = range_inputs(frame, first, last, da_hourly=da_hourly)
    except InvalidPrices as error:
        raise InvalidPrices(f"forecaster {forecaster.name!r} gave unusable prices: {error}") from None

    problems = ProblemCache(battery, settings, carbon_priced=False)
    # The hourly re-optimisations hold periods on their own problems, so the daily plans' stay untouched.
    held_problems = ProblemCache(battery, settings, carbon_priced=False) if hourly else None
    run = RollingRun(markets, inputs, battery, settings, problems, None)
    decisions: list[Decision] = []
    by_day = {}
    for stage, settlement_date, at in taken:
        by_day.setdefault(settlement_date, []).append((stage, at))
    for i, day in enumerate(inputs.days):
        soc_start = run.soc_mwh
        run.solve_day(i)
        if run.failure:
            break
        for stage, at in by_day.get(day.settlement_date, []):
            decisions.append(Decision(stage, day.settlement_date, at, 0, _plan(run.schedule, day.rows, stage,
                                      da_forecast if stage == "da" else id_forecast)))
        if hourly:
            decisions += _reoptimise_hourly(run, i, soc_start, held_problems, history, starts, forecaster,
                                            id_column, id_forecast)
            if run.failure:
                break
        if progress is not None:
            progress(i + 1, total)
    common = dict(markets=markets, first=actual.first, last=actual.last, params=battery)
    if run.failure:
        failed = OptimisationResult(status=run.status, message=run.failure.message, intervals=empty_intervals(),
                                    totals=None, baselines=None, solver=_solver_stats(run, None, problems, tick, held_problems),
                                    failed_date=run.failure.settlement_date, **common)
        return BacktestResult(failed, pd.DataFrame(columns=list(FORECAST_COLUMNS)),
                              pd.DataFrame(columns=list(DAY_COLUMNS)), None, decisions, forecaster.name,
                              intraday_reoptimise, times)

    def shift(done: int, _total: int) -> None:
        if progress is not None:
            progress(len(inputs.days) + done, total)

    try:
        perfect = optimise(pd.DataFrame({"day_ahead": actual.day_ahead, "intraday": actual.intraday}, index=starts),
                           first, last, battery, markets=markets, solver=settings, progress=shift,
                           baselines=markets is Markets.DA_ID, da_hourly=da_hourly)
    except StopRequested as stop:
        stop.partial = None  # what was solved is the perfect-foresight bound, not this forecast's schedule
        raise
    days_count = len(actual.days)
    totals = compute_totals(run.schedule, actual.day_ahead, actual.intraday, battery, None, days_count)
    intervals = intervals_frame(actual.index, run.schedule, actual.day_ahead, actual.intraday)
    perfect_cash = np.full(len(starts), np.nan)
    perfect_net = None
    if perfect.ok:
        perfect_cash = (perfect.intervals["da_cash_gbp"] + perfect.intervals["id_cash_gbp"]).to_numpy(dtype=float)
        perfect_net = perfect.totals.net_revenue_gbp
    forecasts = pd.DataFrame({"interval_start_utc": starts, "da_forecast": da_forecast if trades_da else np.nan,
                              "id_forecast": id_forecast if trades_id else np.nan,
                              "perfect_cash_gbp": perfect_cash}, columns=list(FORECAST_COLUMNS))
    degradation = battery.degradation_cost_gbp_per_mwh * DT
    realised_cash = (intervals["da_cash_gbp"] + intervals["id_cash_gbp"]
                     - degradation * intervals["discharge_mw"]).to_numpy(dtype=float)
    perfect_discharge = perfect.intervals["discharge_mw"].to_numpy(dtype=float) if perfect.ok else 0.0
    by_day = pd.DataFrame({"settlement_date": intervals["settlement_date"], "realised_gbp": realised_cash,
                           "perfect_gbp": perfect_cash - degradation * perfect_discharge})
    days = by_day.groupby("settlement_date", sort=True).sum(min_count=1).reset_index()
    days["capture_ratio"] = days["realised_gbp"] / days["perfect_gbp"].where(days["perfect_gbp"].abs() > 1e-9)
    capture = totals.net_revenue_gbp / perfect_net if perfect_net else None
    text = f"{markets.value} on {forecaster.name} forecasts{' (intraday re-optimised hourly)' if hourly else ''}: net revenue £{totals.net_revenue_gbp:,.2f} over " \
           f"{days_count} day{'s' if days_count != 1 else ''}"
    if capture is not None:
        text += f", {capture:.1%} of the perfect-foresight £{perfect_net:,.2f}"
    # The perfect-foresight run's baselines are on the actual prices: the same bound and naive rule as a
    # perfect-foresight run of this battery shows, so every run's capture is of one bound.
    result = OptimisationResult(status=run.status, message=text, intervals=intervals, totals=totals,
                                baselines=perfect.baselines if perfect.ok else None, solver=_solver_stats(run, None, problems, tick, held_problems),
                                **common)
    return BacktestResult(result, forecasts, days[list(DAY_COLUMNS)], perfect_net, decisions, forecaster.name,
                          intraday_reoptimise, times)
