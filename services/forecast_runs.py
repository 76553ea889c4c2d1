"""Forecast-driven runs as a use case: the price history a backtest reads, its fingerprint, the backtest itself,
and what is stored and shown of it (``optimiser.backtest``; table ``run_forecast_intervals``).

A run with ``foresight`` other than ``perfect`` reads every stored series from ``HISTORY_DAYS`` before its first
settlement date to its last, so its reuse fingerprint covers that history too: a correction to any series a
forecaster may read solves it again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import time as clock_time
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from data_access import prices as price_store
from data_access.engine import Database
from data_access.forecast_runs import run_forecasts
from domain.forecast_quality import monthly_quality
from domain.forecasters import make_forecaster
from domain.settlement_time import day_start_utc
from services.run_requests import RunRequest

if TYPE_CHECKING:
    from optimiser.backtest import BacktestResult

HISTORY_DAYS = 120
"""Days of every stored series read before a forecast-driven run's first date (the gbm's 90-day window plus its
lags) [days]."""


def is_forecast_run(request: RunRequest) -> bool:
    return request.foresight != "perfect"


def load_history(db: Database, request: RunRequest) -> pd.DataFrame:
    """Every stored series [£/MWh] from ``HISTORY_DAYS`` before the first date to the end of the last."""
    start = day_start_utc(request.first - timedelta(days=HISTORY_DAYS))
    end = day_start_utc(request.last + timedelta(days=1))
    with db.session() as session:
        wide = price_store.prices_between(session, start, end)
    return wide.sort_index()


def history_fingerprint(history: pd.DataFrame) -> str:
    """SHA-256 over every interval start, series name and price of the history (row order fixed)."""
    frame = history.reindex(sorted(history.columns), axis=1)
    digest = hashlib.sha256("|".join(map(str, frame.columns)).encode())
    digest.update(np.asarray(frame.index.asi8).tobytes())
    digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()


def run_backtest(history: pd.DataFrame, request: RunRequest,
                 progress: Callable[[int, int], None] | None = None) -> BacktestResult:
    """Backtest the request's forecaster with the decision times and re-optimisation it was submitted with."""
    from optimiser.backtest import backtest  # Pyomo and HiGHS: imported by a solve, not by every command

    da_gate, id_decision = (clock_time.fromisoformat(t) for t in request.decision_times)
    return backtest(history, request.first, request.last, request.battery, make_forecaster(request.foresight),
                    markets=request.markets, da_column=request.da_series, id_column=request.id_series,
                    solver=request.solver, progress=progress, da_gate_local=da_gate, id_decision_local=id_decision,
                    intraday_reoptimise=request.intraday_reoptimise, da_hourly=request.da_hourly)


def _none_if_nan(value: Any) -> Any:
    return None if value is None or (isinstance(value, float) and not np.isfinite(value)) else value


def forecast_quality(intervals: pd.DataFrame, forecasts: pd.DataFrame) -> list[dict[str, Any]]:
    """Per month and leg: MAE, RMSE and extremes MAE [£/MWh] of the forecasts against the actual prices."""
    rows: list[dict[str, Any]] = []
    for leg, price, forecast in (("da", "da_price", "da_forecast"), ("id", "id_price", "id_forecast")):
        if forecasts[forecast].isna().all():
            continue
        quality = monthly_quality(intervals["settlement_date"], intervals[price], forecasts[forecast])
        for record in quality.to_dict("records"):
            rows.append({"leg": leg, **{k: _none_if_nan(v) for k, v in record.items()}})
    return rows


def foresight_summary(run: BacktestResult) -> dict[str, Any]:
    """What a forecast-driven run stores with its totals (JSON): the forecaster, the perfect-foresight revenue,
    the capture ratio, each day's realised and perfect revenue, and the forecast quality per month."""
    days = run.days.assign(settlement_date=run.days["settlement_date"].map(lambda d: d.isoformat()))
    return {
        "forecaster": run.forecaster,
        "intraday_reoptimise": run.intraday_reoptimise,
        "decision_times": list(run.decision_times),
        "perfect_net_revenue_gbp": run.perfect_net_revenue_gbp,
        "capture_ratio": run.capture_ratio,
        "days": [{k: _none_if_nan(v) for k, v in row.items()} for row in days.to_dict("records")],
        "quality": forecast_quality(run.result.intervals, run.forecasts) if run.result.ok else [],
    }


def forecast_view(db: Database, run_id: int, intervals: pd.DataFrame) -> pd.DataFrame:
    """The run's intervals joined with its forecasts and perfect-foresight cash (empty when it has none)."""
    with db.session() as session:
        forecasts = run_forecasts(session, run_id)
    if forecasts.empty or intervals.empty:
        return pd.DataFrame()
    return intervals.merge(forecasts, on="interval_start_utc", how="left")
