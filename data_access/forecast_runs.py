"""A forecast-driven run's per-interval forecasts and perfect-foresight cash (table ``run_forecast_intervals``)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from data_access.schema import RunForecastInterval

FORECAST_FIELDS = ("interval_start_utc", "da_forecast", "id_forecast", "perfect_cash_gbp")


def store_forecasts(session: Session, run_id: int, forecasts: pd.DataFrame) -> None:
    """Replace the run's forecast rows with ``forecasts`` (columns ``FORECAST_FIELDS``), in the caller's
    transaction (stored together with the run's result, or not at all)."""
    session.execute(delete(RunForecastInterval).where(RunForecastInterval.run_id == run_id))
    if forecasts.empty:
        return
    frame = forecasts[list(FORECAST_FIELDS)].copy()
    frame["interval_start_utc"] = pd.DatetimeIndex(frame["interval_start_utc"]).tz_convert("UTC").to_pydatetime()
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    for row in rows:
        row["run_id"] = run_id
    session.execute(insert(RunForecastInterval.__table__), rows)


def run_forecasts(session: Session, run_id: int) -> pd.DataFrame:
    """The run's forecast rows in time order (empty for a perfect-foresight run)."""
    rows = session.execute(
        select(*(getattr(RunForecastInterval, name) for name in FORECAST_FIELDS))
        .where(RunForecastInterval.run_id == run_id).order_by(RunForecastInterval.interval_start_utc)
    ).all()
    frame = pd.DataFrame(rows, columns=list(FORECAST_FIELDS))
    if not frame.empty:
        frame["interval_start_utc"] = pd.to_datetime(frame["interval_start_utc"], utc=True)
    for column in FORECAST_FIELDS[1:]:
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
    return frame
