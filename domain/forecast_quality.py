"""How good a backtest's forecasts were, per month: MAE, RMSE, and the error where a battery's money is.

``extremes_mae`` is the mean absolute error over the 4 dearest and the 4 cheapest half-hours (by actual
price) of each settlement date, where a battery discharges and charges.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

EXTREME_PERIODS = 4


def monthly_quality(settlement_date: pd.Series, actual: pd.Series, forecast: pd.Series) -> pd.DataFrame:
    """One row per month (``month`` as YYYY-MM): ``mae``, ``rmse``, ``extremes_mae`` [£/MWh], ``periods``."""
    frame = pd.DataFrame({"date": pd.to_datetime(pd.Series(settlement_date).astype(str)).to_numpy(),
                          "actual": np.asarray(actual, dtype=float), "forecast": np.asarray(forecast, dtype=float)})
    frame = frame.dropna(subset=["actual", "forecast"])
    if frame.empty:
        return pd.DataFrame(columns=["month", "mae", "rmse", "extremes_mae", "periods"])
    frame["error"] = frame["forecast"] - frame["actual"]
    frame["abs_error"] = frame["error"].abs()
    frame["squared_error"] = frame["error"] ** 2
    by_day = frame.groupby("date")["actual"]
    high = by_day.rank(method="first", ascending=False) <= EXTREME_PERIODS
    low = by_day.rank(method="first", ascending=True) <= EXTREME_PERIODS
    frame["extreme_abs_error"] = frame["abs_error"].where(high | low)
    frame["month"] = frame["date"].dt.strftime("%Y-%m")
    grouped = frame.groupby("month")
    result = pd.DataFrame({
        "mae": grouped["abs_error"].mean(),
        "rmse": np.sqrt(grouped["squared_error"].mean()),
        "extremes_mae": grouped["extreme_abs_error"].mean(),
        "periods": grouped.size(),
    }).reset_index()
    return result
