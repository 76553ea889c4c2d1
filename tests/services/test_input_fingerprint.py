"""The run's input fingerprint keeps its exact text, so runs stored before are still found and reopened."""

import hashlib
import json

import numpy as np
import pandas as pd
import pytest

from services.optimisation_runs import input_fingerprint


def per_row_fingerprint(prices: pd.DataFrame, series=("day_ahead", "intraday")) -> str:
    """The digest as it was first written: every row's start and prices, one row at a time."""
    columns = [c for c in ("day_ahead", "intraday") if c in prices.columns]
    canonical = prices[columns].astype(object).where(prices[columns].notna(), None)
    payload = json.dumps([[t.isoformat(), *row] for t, row in zip(prices.index, canonical.to_numpy().tolist(),
                                                                   strict=True)])
    tag = "" if series == ("day_ahead", "intraday") else "|".join(series) + "|"
    return hashlib.sha256((tag + ",".join(columns) + payload).encode()).hexdigest()


def _prices(index: pd.DatetimeIndex, columns=("day_ahead", "intraday")) -> pd.DataFrame:
    rng = np.random.default_rng(len(index))
    frame = pd.DataFrame({c: rng.normal(60, 80, len(index)) for c in columns}, index=index)
    frame.iloc[3, 0] = np.nan
    frame.iloc[5, -1] = -0.0
    frame.iloc[7, 0] = 1e-17
    return frame


UTC_DAYS = pd.date_range("2023-03-25 00:00", "2023-10-30 23:30", freq="30min", tz="UTC")


@pytest.mark.parametrize("prices", [
    _prices(UTC_DAYS),  # spans both clock changes
    _prices(UTC_DAYS, columns=("intraday",)),
    _prices(UTC_DAYS.as_unit("us")),
    _prices(UTC_DAYS + pd.Timedelta(milliseconds=250)),  # not whole seconds: the per-row form
    _prices(UTC_DAYS.tz_convert("Europe/London")),  # not UTC: the per-row form
], ids=["utc", "one-column", "microsecond-unit", "sub-second", "london"])
def test_fingerprint_text_is_unchanged(prices):
    assert input_fingerprint(prices) == per_row_fingerprint(prices)
    assert input_fingerprint(prices, ("market_index", "system_price")) == per_row_fingerprint(
        prices, ("market_index", "system_price"))


def test_a_changed_price_changes_the_fingerprint():
    prices = _prices(UTC_DAYS)
    changed = prices.copy()
    changed.iloc[100, 1] += 0.01
    assert input_fingerprint(prices) != input_fingerprint(changed)
