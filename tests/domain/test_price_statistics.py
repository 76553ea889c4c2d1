from datetime import date

import numpy as np
import pandas as pd
import pytest

from domain.price_statistics import best_window_spreads, daily_statistics
from domain.settlement_time import settlement_index


def price_frame(first: date, last: date, values) -> pd.DataFrame:
    index = settlement_index(first, last)
    frame = pd.DataFrame({"day_ahead": np.asarray(values, dtype=float)}, index=pd.DatetimeIndex(
        index["interval_start_utc"]))
    return frame.assign(settlement_date=index["settlement_date"].to_numpy(),
                        settlement_period=index["settlement_period"].to_numpy())


def brute_force(row: np.ndarray, w: int) -> float:
    best = -np.inf
    for i in range(len(row) - w + 1):
        for j in range(i + w, len(row) - w + 1):
            charge, discharge = row[i:i + w], row[j:j + w]
            if np.isnan(charge).any() or np.isnan(discharge).any():
                continue
            best = max(best, discharge.mean() - charge.mean())
    return best if np.isfinite(best) else np.nan


def test_best_window_spread_matches_a_brute_force_search():
    rng = np.random.default_rng(7)
    matrix = rng.normal(60, 40, size=(6, 50))
    matrix[1, 46:] = np.nan  # a 46-period day
    matrix[2, 10] = np.nan  # a missing period
    for w in (2, 4):
        spread, charge, discharge = best_window_spreads(matrix, w)
        for day in range(6):
            assert spread[day] == pytest.approx(brute_force(matrix[day], w))
            row = matrix[day]
            assert row[discharge[day] - 1:discharge[day] - 1 + w].mean() - row[charge[day] - 1:charge[day] - 1 + w].mean() \
                == pytest.approx(spread[day])
            assert discharge[day] >= charge[day] + w


def test_falling_prices_give_a_negative_best_spread_and_no_window_gives_nan():
    falling = np.linspace(100, 0, 48)[None, :]
    spread, _, _ = best_window_spreads(falling, 2)
    assert spread[0] < 0
    spread, charge, _ = best_window_spreads(np.full((1, 50), np.nan), 2)
    assert np.isnan(spread[0]) and charge[0] == 0


def test_daily_statistics_on_a_46_period_day_use_local_peak_hours():
    day = date(2023, 3, 26)  # 46 periods; 07:00 BST is period 13 (after the lost hour)
    values = np.arange(46, dtype=float) - 5
    stats = daily_statistics(price_frame(day, day, values), ["day_ahead", "intraday"]).iloc[0]
    assert stats["periods"] == 46 and stats["min"] == -5 and stats["min_period"] == 1
    assert stats["max"] == 40 and stats["max_period"] == 46
    assert stats["negative_periods"] == 5
    peak = values[12:36]  # periods 13..36: 07:00..18:30 BST
    assert stats["peak_mean"] == pytest.approx(peak.mean())
    assert stats["offpeak_mean"] == pytest.approx(np.r_[values[:12], values[36:]].mean())
    # rising prices: charge first, discharge last
    assert stats["best_1h_charge_period"] == 1 and stats["best_1h_discharge_period"] == 45
    assert stats["best_1h_spread"] == pytest.approx(44.0)


def test_daily_statistics_one_row_per_day_and_market():
    frame = price_frame(date(2023, 1, 1), date(2023, 1, 3), np.tile(np.arange(48.0), 3))
    frame["intraday"] = frame["day_ahead"] + 1
    stats = daily_statistics(frame, ("day_ahead", "intraday"))
    assert len(stats) == 6 and set(stats["market"]) == {"day_ahead", "intraday"}
    assert (stats.loc[stats["market"] == "intraday", "mean"] - 24.5).abs().max() < 1e-9
