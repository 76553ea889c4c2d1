"""Forecast-driven backtest: decide on forecasts known at the time, settle at the prices that happened.

For each settlement date D of the range:

1. at the day-ahead gate closure (default 09:20 UK local time on D−1) the day-ahead leg's prices for D are
   forecast from data known then (``domain.forecast_inputs``), made hourly (the auction clears by the hour),
   and the day-ahead stage is optimised on them;
2. at the intraday decision (default 15:00 UK on D−1) the intraday leg's prices for all of D are forecast
   the same way and the intraday stage is re-optimised with the day-ahead positions fixed;
3. both legs are settled at the actual prices, and D+1 starts from the SoC the schedule actually reached.

The decisions are taken by exactly the code a perfect-foresight run uses (``optimiser.rolling``), with the
forecasts in place of the prices: a forecaster returning the actuals reproduces the perfect-foresight run
to the penny. The schedule is physical (flows and SoC follow from the positions), so settling at other
prices never changes what was done. Because every intraday decision for D is taken on D−1 before D's
day-ahead gate of D+1, the SoC D+1's day-ahead stage starts from was already decided when it is taken.

The perfect-foresight run of the same battery over the same range is solved alongside, for each day's
capture ratio (realised ÷ perfect-foresight net revenue).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock_time

import numpy as np
import pandas as pd

from domain.forecast_inputs import forecast_inputs
from domain.forecasters import Forecaster
from domain.settlement_time import LONDON
from optimiser.errors import InvalidParameters, InvalidPrices, StopRequested
from optimiser.model import DT
from optimiser.params import BatteryParams, Markets, SolverSettings
from optimiser.prices import range_inputs
from optimiser.results import OptimisationResult, compute_totals, empty_intervals, intervals_frame
from optimiser.rolling import ProblemCache, RollingRun, _solver_stats, optimise

DA_GATE_LOCAL = clock_time(9, 20)
"""Day-ahead gate closure on D−1, UK local time."""
ID_DECISION_LOCAL = clock_time(15, 0)
"""The intraday decision for all of D, on D−1, UK local time."""
FORECAST_COLUMNS = ("interval_start_utc", "da_forecast", "id_forecast", "perfect_cash_gbp")
DAY_COLUMNS = ("settlement_date", "realised_gbp", "perfect_gbp", "capture_ratio")


@dataclass(frozen=True)
class Decision:
    """One decision of the backtest: what it decided, when, and for which settlement date."""

    stage: str
    """``da`` or ``id``."""
    settlement_date: date
    decided_at_utc: pd.Timestamp


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
) -> BacktestResult:
    """Backtest ``forecaster`` over settlement dates ``first``..``last``.

    ``history``: every stored series the forecaster may use [£/MWh], indexed by aware UTC interval start,
    from as far back as it needs to the end of the range; ``da_column`` and ``id_column`` name the series
    that are the day-ahead and intraday legs (their actual prices settle the schedule).
    """
    tick = time.perf_counter()
    markets = Markets.parse(markets)
    if markets is Markets.JOINT:
        raise InvalidParameters("joint trading is a perfect-foresight bound, not a strategy; choose da+id, da or "
                                "id for a forecast-driven run")
    if battery.carbon_price_gbp_per_tco2 is not None:
        raise InvalidParameters("a forecast-driven run does not price carbon yet; clear the carbon price")
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
    actual = range_inputs(pd.DataFrame({"day_ahead": actual_da, "intraday": actual_id}), first, last)
    starts = pd.DatetimeIndex(actual.index["interval_start_utc"])
    total = 2 * len(actual.days)

    da_forecast = np.full(len(starts), np.nan)
    id_forecast = np.full(len(starts), np.nan)
    decisions: list[Decision] = []
    for day in actual.days:
        targets = starts[day.rows]
        if trades_da:
            at = decision_time_utc(day.settlement_date, da_gate_local)
            values = forecaster.forecast(forecast_inputs(history, at, targets, da_column))
            da_forecast[day.rows] = _hourly(np.asarray(values, dtype=float))
            decisions.append(Decision("da", day.settlement_date, at))
        if trades_id:
            at = decision_time_utc(day.settlement_date, id_decision_local)
            id_forecast[day.rows] = forecaster.forecast(forecast_inputs(history, at, targets, id_column))
            decisions.append(Decision("id", day.settlement_date, at))
    decided_da = da_forecast if trades_da else _hourly(id_forecast)
    decided_id = id_forecast if trades_id else da_forecast
    frame = pd.DataFrame({"day_ahead": decided_da, "intraday": decided_id}, index=starts)
    try:
        inputs = range_inputs(frame, first, last)
    except InvalidPrices as error:
        raise InvalidPrices(f"forecaster {forecaster.name!r} gave unusable prices: {error}") from None

    problems = ProblemCache(battery, settings, carbon_priced=False)
    run = RollingRun(markets, inputs, battery, settings, problems, None)
    for i in range(len(inputs.days)):
        run.solve_day(i)
        if run.failure:
            break
        if progress is not None:
            progress(i + 1, total)
    common = dict(markets=markets, first=actual.first, last=actual.last, params=battery)
    if run.failure:
        failed = OptimisationResult(status=run.status, message=run.failure.message, intervals=empty_intervals(),
                                    totals=None, baselines=None, solver=_solver_stats(run, None, problems, tick),
                                    failed_date=run.failure.settlement_date, **common)
        return BacktestResult(failed, pd.DataFrame(columns=list(FORECAST_COLUMNS)),
                              pd.DataFrame(columns=list(DAY_COLUMNS)), None, decisions, forecaster.name)

    def shift(done: int, _total: int) -> None:
        if progress is not None:
            progress(len(inputs.days) + done, total)

    try:
        perfect = optimise(pd.DataFrame({"day_ahead": actual.day_ahead, "intraday": actual.intraday}, index=starts),
                           first, last, battery, markets=markets, solver=settings, baselines=False, progress=shift)
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
    text = f"{markets.value} on {forecaster.name} forecasts: net revenue £{totals.net_revenue_gbp:,.2f} over " \
           f"{days_count} day{'s' if days_count != 1 else ''}"
    if capture is not None:
        text += f", {capture:.1%} of the perfect-foresight £{perfect_net:,.2f}"
    result = OptimisationResult(status=run.status, message=text, intervals=intervals, totals=totals,
                                baselines=None, solver=_solver_stats(run, None, problems, tick), **common)
    return BacktestResult(result, forecasts, days[list(DAY_COLUMNS)], perfect_net, decisions, forecaster.name)
