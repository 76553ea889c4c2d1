"""Forecast inputs, the naive forecasters and the UK calendar."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from domain.forecast_inputs import forecast_inputs
from domain.forecasters import make_forecaster
from domain.settlement_time import settlement_index
from domain.uk_calendar import bank_holidays, is_clock_change_day


def _history(first: date, last: date) -> pd.DataFrame:
    starts = pd.DatetimeIndex(settlement_index(first, last)["interval_start_utc"])
    return pd.DataFrame({"price": np.arange(len(starts), dtype=float)}, index=starts)


def _targets(day: date) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(settlement_index(day, day)["interval_start_utc"])


def test_inputs_hold_only_half_hours_that_ended_before_the_decision():
    history = _history(date(2024, 3, 1), date(2024, 3, 10))
    decision = pd.Timestamp("2024-03-09 09:20", tz="UTC")
    inputs = forecast_inputs(history, decision, _targets(date(2024, 3, 10)), "price")
    assert inputs.known.index.max() == pd.Timestamp("2024-03-09 08:30", tz="UTC")  # ended 09:00, before 09:20
    with pytest.raises(ValueError, match="before the decision"):
        forecast_inputs(history, decision, _targets(date(2024, 3, 9)), "price")


def test_naive_week_takes_the_same_settlement_period_across_the_spring_clock_change():
    history = _history(date(2024, 3, 20), date(2024, 4, 2))
    day = date(2024, 4, 1)  # a week after 25 March; 31 March (46 periods) lies between
    inputs = forecast_inputs(history, pd.Timestamp("2024-03-31 08:20", tz="UTC"), _targets(day), "price")
    forecast = make_forecaster("naive-week").forecast(inputs)
    week_before = history.loc[_targets(date(2024, 3, 25)), "price"].to_numpy()
    np.testing.assert_array_equal(forecast, week_before)


def test_naive_day_uses_the_latest_day_known_at_the_decision():
    history = _history(date(2024, 5, 1), date(2024, 5, 10))
    targets = _targets(date(2024, 5, 10))
    inputs = forecast_inputs(history, pd.Timestamp("2024-05-09 14:00", tz="UTC"), targets, "price")
    forecast = make_forecaster("naive-day").forecast(inputs)
    yesterday = history.loc[_targets(date(2024, 5, 9)), "price"].to_numpy()
    two_days = history.loc[_targets(date(2024, 5, 8)), "price"].to_numpy()
    known = _targets(date(2024, 5, 9)) + pd.Timedelta(minutes=30) <= pd.Timestamp("2024-05-09 14:00", tz="UTC")
    np.testing.assert_array_equal(forecast, np.where(known, yesterday, two_days))
    assert known.sum() == 30  # 00:00 to 15:00 BST (23:00 to 14:00 UTC) had ended: periods 1..30
    with pytest.raises(ValueError, match="not one of"):
        make_forecaster("oracle")


def test_bank_holidays_and_clock_change_days():
    assert sorted(bank_holidays(2024)) == [date(2024, 1, 1), date(2024, 3, 29), date(2024, 4, 1), date(2024, 5, 6),
                                          date(2024, 5, 27), date(2024, 8, 26), date(2024, 12, 25), date(2024, 12, 26)]
    assert date(2023, 5, 8) in bank_holidays(2023)  # the Coronation
    assert date(2022, 12, 27) in bank_holidays(2022)  # Christmas on a Sunday moves to Tuesday
    assert is_clock_change_day(date(2024, 3, 31)) and is_clock_change_day(date(2024, 10, 27))
    assert not is_clock_change_day(date(2024, 10, 28))


def test_gbm_features_of_any_part_of_a_day_are_those_of_the_whole_day_around_the_clock_changes():
    from domain.forecast_gbm import _compute_static, features

    rng = np.random.default_rng(3)
    for day in (date(2024, 3, 31), date(2024, 10, 27), date(2024, 6, 12)):
        history = _history(day.replace(day=1) - pd.Timedelta(days=20), day)
        history = history.assign(price=rng.uniform(-50, 300, len(history)), other=rng.uniform(0, 99, len(history)))
        known = history.loc[history.index < pd.Timestamp(day, tz="UTC") - pd.Timedelta(hours=6)]
        targets = _targets(day)
        whole = features(known, "price", targets)
        # The calendar part, cut from the cached day, is what a fresh computation gives.
        fresh = _compute_static(targets)
        for name, values in fresh.columns.items():
            np.testing.assert_array_equal(whole[name].to_numpy(), values)
        for first in (0, 2, 3, len(targets) - 2):
            part = features(known, "price", targets[first:])
            pd.testing.assert_frame_equal(part, whole.iloc[first:], check_exact=True)
        assert whole["settlement_period"].tolist() == list(range(1, len(targets) + 1))
        off_grid = targets[:3] + pd.Timedelta(minutes=7)
        assert features(known, "price", off_grid)["settlement_period"].notna().all()


def _noisy_history(first: date, last: date, seed: int = 5) -> pd.DataFrame:
    history = _history(first, last)
    rng = np.random.default_rng(seed)
    return history.assign(price=rng.uniform(-50, 300, len(history)), other=rng.uniform(0, 99, len(history)))


def test_gbm_reads_back_a_kept_prediction_only_once_every_input_is_known_and_it_equals_a_fresh_one():
    from domain.forecast_gbm import GbmForecaster, ready_times

    history = _noisy_history(date(2024, 1, 1), date(2024, 3, 31))
    day = date(2024, 3, 31)  # the spring change: 46 periods
    targets = _targets(day)
    ready = pd.DatetimeIndex(ready_times(targets), tz="UTC")
    assert (ready == pd.Timestamp("2024-03-30", tz="Europe/London").tz_convert("UTC")).all()
    at_1500 = pd.Timestamp("2024-03-30 15:00", tz="UTC")
    later = [pd.Timestamp("2024-03-31 05:00", tz="UTC"), pd.Timestamp("2024-03-31 17:00", tz="UTC")]
    kept = GbmForecaster(window_days=30, max_iter=10)
    fresh = GbmForecaster(window_days=30, max_iter=10)
    kept.forecast(forecast_inputs(history, at_1500, targets, "price"))
    fresh.forecast(forecast_inputs(history, at_1500, targets, "price"))
    assert kept.predicted_rows == len(targets)
    for moment in later:
        remaining = targets[targets >= moment]
        fresh._predicted.clear()  # the same model, every row predicted again
        np.testing.assert_array_equal(kept.forecast(forecast_inputs(history, moment, remaining, "price")),
                                      fresh.forecast(forecast_inputs(history, moment, remaining, "price")))
    assert kept.predicted_rows == len(targets)  # both later decisions read the 15:00 predictions back
    assert kept.trainings == fresh.trainings == 1
    # A decision before the targets' inputs are all known predicts from what it knows, and keeps nothing.
    early = pd.Timestamp("2024-03-29 23:00", tz="UTC")
    next_day = _targets(date(2024, 4, 1))[:4]
    before = kept.predicted_rows
    kept.forecast(forecast_inputs(history, early, next_day, "price"))
    kept.forecast(forecast_inputs(history, early, next_day, "price"))
    assert kept.predicted_rows == before + 8


def test_gbm_decisions_take_the_latest_model_trained_at_or_before_them_in_any_order():
    from domain.forecast_gbm import GbmForecaster

    history = _noisy_history(date(2024, 1, 1), date(2024, 3, 20))
    forecaster = GbmForecaster(window_days=30, retrain_days=7, max_iter=5)
    daily = [pd.Timestamp(f"2024-03-{d:02d} 15:00", tz="UTC") for d in range(1, 16)]
    for moment in daily:
        forecaster.forecast(forecast_inputs(history, moment, _targets((moment + pd.Timedelta(days=1)).date()),
                                            "price"))
    assert forecaster.trainings == 3  # 1, 8 and 15 March
    # Re-forecasting 3 March's remaining periods after the whole pass uses the 1 March model: no new training.
    for hour in range(0, 23, 4):
        moment = pd.Timestamp(f"2024-03-02 {hour:02d}:00", tz="UTC") + pd.Timedelta(hours=23)
        targets = _targets(date(2024, 3, 3))
        forecaster.forecast(forecast_inputs(history, moment, targets[targets >= moment], "price"))
    assert forecaster.trainings == 3
    assert sorted(forecaster._trained_at["price"]) == [daily[0], daily[7], daily[14]]
