"""Forecast-driven backtests: nothing seen before its time, settled at the actual prices."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from domain.forecast_gbm import GbmForecaster
from domain.forecast_inputs import KNOWN_AFTER, ForecastInputs
from domain.forecasters import Constant, make_forecaster
from optimiser.backtest import backtest
from optimiser.errors import InvalidParameters, InvalidPrices
from optimiser.model import DT
from optimiser.params import BatteryParams
from optimiser.rolling import optimise
from tests.optimiser.helpers import SEED_PRICE_FILE as _SEED

MID_FILE = _SEED.parent / "prices" / "elexon_mid_apxmidp_2022-10_2024-12.csv.gz"
BATTERY = BatteryParams(power_mw=10, energy_mwh=20, charge_efficiency=0.95, discharge_efficiency=0.95,
                        degradation_cost_gbp_per_mwh=2.0)
FIRST, LAST = date(2023, 3, 24), date(2023, 3, 27)
"""Four days around the spring clock change (2023-03-26 has 46 periods)."""


@pytest.fixture(scope="module")
def history(seed_prices) -> pd.DataFrame:
    """The seed DA/ID prices and the Elexon market index, every series a forecaster may use [£/MWh]."""
    mid = pd.read_csv(MID_FILE)
    index = pd.Series(mid["Price"].to_numpy(float), index=pd.DatetimeIndex(pd.to_datetime(mid["StartTime"], utc=True)))
    frame = seed_prices.join(index.sort_index().rename("market_index"), how="left")
    return frame.loc[: pd.Timestamp("2023-03-28", tz="UTC")]


class Actuals:
    """A cheat that returns the true prices: it must reproduce the perfect-foresight run exactly."""

    name = "actuals"

    def __init__(self, truth: pd.DataFrame):
        self.truth = truth

    def forecast(self, inputs: ForecastInputs) -> np.ndarray:
        return self.truth[inputs.column].reindex(inputs.targets).to_numpy(float)


def test_a_forecaster_returning_the_actuals_earns_exactly_the_perfect_foresight_revenue(history):
    run = backtest(history, FIRST, LAST, BATTERY, Actuals(history))
    assert run.result.ok
    assert run.result.totals.net_revenue_gbp == pytest.approx(run.perfect_net_revenue_gbp, abs=1e-6)
    assert run.perfect_net_revenue_gbp > 100
    assert run.capture_ratio == pytest.approx(1.0, abs=1e-9)
    assert np.allclose(run.days["realised_gbp"], run.days["perfect_gbp"], atol=1e-6)
    assert list(run.days["settlement_date"]) == [date(2023, 3, d) for d in (24, 25, 26, 27)]


def test_a_constant_forecast_gives_a_valid_schedule_settled_at_the_actual_prices(history):
    run = backtest(history, FIRST, LAST, BATTERY, Constant(60.0))
    assert run.result.ok
    intervals = run.result.intervals
    assert len(intervals) == 48 + 48 + 46 + 48
    assert (intervals["soc_mwh"].between(-1e-6, 20 + 1e-6)).all()
    assert (intervals[["charge_mw", "discharge_mw"]] <= 10 + 1e-6).all().all()
    actual = history.reindex(pd.DatetimeIndex(intervals["interval_start_utc"]))
    assert np.allclose(intervals["da_price"], actual["day_ahead"])
    assert np.allclose(intervals["id_price"], actual["intraday"])
    assert np.allclose(intervals["da_cash_gbp"],
                       DT * actual["day_ahead"].to_numpy() * (intervals["da_sell_mw"] - intervals["da_buy_mw"]))
    realised = (intervals["da_cash_gbp"].sum() + intervals["id_cash_gbp"].sum()
                - 2.0 * DT * intervals["discharge_mw"].sum())
    assert run.result.totals.net_revenue_gbp == pytest.approx(realised)
    assert run.days["realised_gbp"].sum() == pytest.approx(realised)
    assert (run.forecasts["da_forecast"] == 60.0).all()
    # SoC carried from what was done: each period's SoC follows from the flows, across day boundaries.
    soc = np.r_[BATTERY.initial_soc_mwh, intervals["soc_mwh"].to_numpy()]
    flows = DT * (0.95 * intervals["charge_mw"] - intervals["discharge_mw"] / 0.95)
    assert np.allclose(np.diff(soc), flows, atol=1e-6)


def test_a_forecast_run_is_measured_against_the_same_bound_as_a_perfect_foresight_run(history):
    """Its baselines are the perfect-foresight run's, on actual prices: capture of one bound for every run."""
    perfect = optimise(history[["day_ahead", "intraday"]], FIRST, LAST, BATTERY)
    run = backtest(history, FIRST, LAST, BATTERY, Constant(60.0))
    bound = run.result.baselines.joint_net_revenue_gbp
    assert bound == pytest.approx(perfect.baselines.joint_net_revenue_gbp, abs=1e-6)
    assert run.result.baselines.naive_net_revenue_gbp == pytest.approx(perfect.baselines.naive_net_revenue_gbp)
    assert [day for day, _ in run.result.baselines.joint_daily_net_gbp] == [d.isoformat() for d in
                                                                         (FIRST, date(2023, 3, 25), date(2023, 3, 26), LAST)]
    assert run.result.totals.net_revenue_gbp < perfect.totals.net_revenue_gbp <= bound + 1e-6


def test_a_half_hourly_series_plays_the_day_ahead_leg_of_a_forecast_run(history):
    """The market index as the day-ahead leg: paid each half-hour's price, as a perfect-foresight run is."""
    legs = {"da_column": "market_index", "id_column": "intraday"}
    perfect = optimise(history[["market_index", "intraday"]].set_axis(["day_ahead", "intraday"], axis=1), FIRST, LAST,
                       BATTERY, da_hourly=False)
    run = backtest(history, FIRST, LAST, BATTERY, Actuals(history), da_hourly=False, **legs)
    assert run.result.ok
    assert run.result.totals.net_revenue_gbp == pytest.approx(perfect.totals.net_revenue_gbp, abs=1e-6)
    assert np.allclose(run.result.intervals["da_price"], history["market_index"].reindex(
        pd.DatetimeIndex(run.result.intervals["interval_start_utc"])))
    # Its forecast is the half-hourly one the decision was taken on, not an hourly mean of it.
    assert not np.allclose(run.forecasts["da_forecast"].to_numpy().reshape(-1, 2)[:, 0],
                           run.forecasts["da_forecast"].to_numpy().reshape(-1, 2)[:, 1])
    with pytest.raises(InvalidPrices, match="differ within the clock hour"):
        backtest(history, FIRST, LAST, BATTERY, Actuals(history), **legs)


def _decided(run, decision) -> np.ndarray:
    intervals = run.result.intervals
    rows = intervals["settlement_date"] == decision.settlement_date
    columns = ["da_buy_mw", "da_sell_mw"] if decision.stage == "da" else \
        ["id_buy_mw", "id_sell_mw", "charge_mw", "discharge_mw", "soc_mwh"]
    forecast = "da_forecast" if decision.stage == "da" else "id_forecast"
    return np.c_[intervals.loc[rows, columns].to_numpy(), run.forecasts.loc[rows.to_numpy(), forecast].to_numpy()]


@pytest.mark.parametrize("name", ["naive-week", "naive-day", "gbm"])
def test_no_decision_changes_when_every_price_after_it_is_replaced_by_noise(history, name):
    def forecaster():
        return GbmForecaster(window_days=30, max_iter=20) if name == "gbm" else make_forecaster(name)

    base = backtest(history, FIRST, LAST, BATTERY, forecaster())
    assert len(base.decisions) == 8
    rng = np.random.default_rng(7)
    for decision in base.decisions:
        unknown = history.index + KNOWN_AFTER > decision.decided_at_utc
        shifted = history.copy()
        shifted.loc[unknown] = rng.uniform(-200, 900, size=(int(unknown.sum()), history.shape[1]))
        # The day-ahead leg must stay hourly for the settlement check; noise is drawn per clock hour.
        hours = shifted.index.floor("h")
        shifted["day_ahead"] = shifted["day_ahead"].groupby(hours).transform("first")
        other = backtest(shifted, FIRST, LAST, BATTERY, forecaster())
        for earlier in (d for d in base.decisions if d.decided_at_utc <= decision.decided_at_utc):
            np.testing.assert_array_equal(_decided(other, earlier), _decided(base, earlier),
                                          err_msg=f"{earlier} moved when prices after {decision} changed")
        # ...and the noise did reach the settlement: the test would see a leak.
        assert not np.allclose(other.result.intervals["id_price"], base.result.intervals["id_price"])


def test_joint_and_carbon_priced_backtests_are_refused(history):
    with pytest.raises(InvalidParameters, match="perfect-foresight bound"):
        backtest(history, FIRST, LAST, BATTERY, Constant(), markets="joint")
    carbon = BATTERY.model_copy(update={"carbon_price_gbp_per_tco2": 50.0})
    with pytest.raises(InvalidParameters, match="carbon"):
        backtest(history, FIRST, LAST, carbon, Constant())


# --- hourly intraday re-optimisation -----------------------------------------------------------------------------

def test_hourly_re_optimisation_with_the_actuals_earns_exactly_the_perfect_foresight_revenue(history):
    run = backtest(history, FIRST, LAST, BATTERY, Actuals(history), intraday_reoptimise="hourly")
    assert run.result.ok
    assert run.result.totals.net_revenue_gbp == pytest.approx(run.perfect_net_revenue_gbp, abs=1e-4)
    assert np.allclose(run.days["realised_gbp"], run.days["perfect_gbp"], atol=1e-4)
    hourly = [d for d in run.decisions if d.stage == "id-hourly"]
    # One re-optimisation before each clock hour: 24 + 24 + 23 (clock change) + 24.
    assert len(hourly) == 24 + 24 + 23 + 24
    spring = [d for d in hourly if d.settlement_date == date(2023, 3, 26)]
    assert [d.first_period for d in spring] == list(range(0, 46, 2))
    # Each is taken an hour before its clock hour starts, from 23:00 UTC on the day before.
    assert spring[0].decided_at_utc == pd.Timestamp("2023-03-25 23:00", tz="UTC")
    assert spring[-1].decided_at_utc == pd.Timestamp("2023-03-26 21:00", tz="UTC")


def test_hourly_re_optimisation_holds_what_was_done_and_carries_the_soc(history):
    once = backtest(history, FIRST, LAST, BATTERY, make_forecaster("naive-day"))
    run = backtest(history, FIRST, LAST, BATTERY, make_forecaster("naive-day"), intraday_reoptimise="hourly")
    assert run.result.ok
    intervals = run.result.intervals
    # The day-ahead positions are the once run's (decided at the gate, before any re-optimisation)...
    for column in ("da_buy_mw", "da_sell_mw"):
        np.testing.assert_allclose(intervals[column], once.result.intervals[column], atol=1e-9)
    # ...the intraday trades are not (later forecasts moved them), and each period was done as its own
    # hour's plan said.
    assert not np.allclose(intervals["id_buy_mw"] - intervals["id_sell_mw"],
                           once.result.intervals["id_buy_mw"] - once.result.intervals["id_sell_mw"])
    rows = {day: np.flatnonzero(intervals["settlement_date"] == day) for day in intervals["settlement_date"].unique()}
    for decision in (d for d in run.decisions if d.stage == "id-hourly"):
        done = intervals.iloc[rows[decision.settlement_date][decision.first_period:decision.first_period + 2]]
        np.testing.assert_allclose(done[list(("id_buy_mw", "id_sell_mw", "charge_mw", "discharge_mw"))].to_numpy(),
                                   decision.plan[:2, :4], atol=1e-9)
        forecast = run.forecasts["id_forecast"].to_numpy()[done.index]
        np.testing.assert_array_equal(forecast, decision.plan[:2, 5])
    # SoC follows from what was done, across hours and days; each day ends where its 15:00 plan ended.
    soc = np.r_[BATTERY.initial_soc_mwh, intervals["soc_mwh"].to_numpy()]
    flows = DT * (0.95 * intervals["charge_mw"] - intervals["discharge_mw"] / 0.95)
    assert np.allclose(np.diff(soc), flows, atol=1e-6)
    assert (intervals["soc_mwh"].between(-1e-6, 20 + 1e-6)).all()
    assert (intervals["charge_mw"] * intervals["discharge_mw"] <= 1e-9).all()
    ends = intervals.groupby("settlement_date")["soc_mwh"].last().to_numpy()
    planned = [d.plan[-1, 4] for d in run.decisions if d.stage == "id"]
    np.testing.assert_allclose(ends, planned, atol=1e-6)
    actual = history.reindex(pd.DatetimeIndex(intervals["interval_start_utc"]))
    realised = (DT * (actual["day_ahead"].to_numpy() * (intervals["da_sell_mw"] - intervals["da_buy_mw"])
                      + actual["intraday"].to_numpy() * (intervals["id_sell_mw"] - intervals["id_buy_mw"]))).sum() \
        - 2.0 * DT * intervals["discharge_mw"].sum()
    assert run.result.totals.net_revenue_gbp == pytest.approx(realised)


def test_hourly_re_optimisation_is_right_on_the_50_period_autumn_day():
    autumn = history_around_autumn()
    run = backtest(autumn, date(2023, 10, 28), date(2023, 10, 30), BATTERY, Actuals(autumn),
                   intraday_reoptimise="hourly")
    assert run.result.ok
    assert len(run.result.intervals) == 48 + 50 + 48
    hourly = [d for d in run.decisions if d.stage == "id-hourly" and d.settlement_date == date(2023, 10, 29)]
    assert [d.first_period for d in hourly] == list(range(0, 50, 2))
    # Each an hour before its clock hour; 01:00-02:00 local happens twice (BST, then GMT), an hour apart in UTC.
    hour_starts = pd.DatetimeIndex([d.decided_at_utc + pd.Timedelta(hours=1) for d in hourly])
    assert hour_starts[0] == pd.Timestamp("2023-10-28 23:00", tz="UTC")
    assert (hour_starts.to_series().diff().dropna() == pd.Timedelta(hours=1)).all()
    assert list(hour_starts.tz_convert("Europe/London").hour[:4]) == [0, 1, 1, 2]
    assert run.result.totals.net_revenue_gbp == pytest.approx(run.perfect_net_revenue_gbp, abs=1e-4)


def history_around_autumn() -> pd.DataFrame:
    """The Elexon market index around the 2023 autumn change as both legs (hourly means for the day-ahead)."""
    mid = pd.read_csv(MID_FILE)
    index = pd.Series(mid["Price"].to_numpy(float), index=pd.DatetimeIndex(pd.to_datetime(mid["StartTime"], utc=True)))
    index = index.sort_index()
    index = index[~index.index.duplicated()]
    # The stored index has a few gaps: fill them on the half-hour grid (the test is about the calendar).
    grid = pd.date_range("2023-09-01", "2023-11-01", freq="30min", inclusive="left", tz="UTC")
    index = index.reindex(grid).interpolate(limit_direction="both")
    return pd.DataFrame({"day_ahead": index.groupby(index.index.floor("h")).transform("mean"), "intraday": index})


def _shifted_after(history: pd.DataFrame, moment: pd.Timestamp, rng) -> pd.DataFrame:
    unknown = history.index + KNOWN_AFTER > moment
    shifted = history.copy()
    shifted.loc[unknown] = rng.uniform(-200, 900, size=(int(unknown.sum()), history.shape[1]))
    hours = shifted.index.floor("h")
    shifted["day_ahead"] = shifted["day_ahead"].groupby(hours).transform("first")
    return shifted


@pytest.mark.parametrize("name", ["naive-day", "gbm"])
def test_hourly_no_decision_changes_when_every_price_after_it_is_replaced_by_noise(history, name):
    def forecaster():
        return GbmForecaster(window_days=30, max_iter=20) if name == "gbm" else make_forecaster(name)

    first, last = date(2023, 3, 25), date(2023, 3, 26)
    base = backtest(history, first, last, BATTERY, forecaster(), intraday_reoptimise="hourly")
    assert len(base.decisions) == 2 + 2 + 24 + 23
    rng = np.random.default_rng(11)
    # Every decision time of the 46-period day and the day-ahead gates; each rerun checks every earlier plan.
    moments = sorted({d.decided_at_utc for d in base.decisions})
    checked = moments[::3] if name == "gbm" else moments
    for moment in checked:
        other = backtest(_shifted_after(history, moment, rng), first, last, BATTERY, forecaster(),
                         intraday_reoptimise="hourly")
        assert other.result.ok
        for mine, theirs in zip(base.decisions, other.decisions, strict=True):
            assert (mine.stage, mine.settlement_date, mine.decided_at_utc) == \
                (theirs.stage, theirs.settlement_date, theirs.decided_at_utc)
            if mine.decided_at_utc <= moment:
                np.testing.assert_array_equal(theirs.plan, mine.plan,
                                              err_msg=f"{mine} moved when prices after {moment} changed")
        assert not np.allclose(other.result.intervals["id_price"], base.result.intervals["id_price"])


class Recording:
    """naive-day, remembering the last known interval of every input it was given."""

    name = "recording"

    def __init__(self):
        self.inner = make_forecaster("naive-day")
        self.last_known: list[tuple[str, pd.Timestamp]] = []

    def forecast(self, inputs: ForecastInputs) -> np.ndarray:
        self.last_known.append((inputs.column, inputs.known.index.max()))
        return self.inner.forecast(inputs)


def test_the_decision_times_decide_what_the_forecaster_may_see(history):
    from datetime import time as clock_time

    early, late = Recording(), Recording()
    backtest(history, FIRST, FIRST, BATTERY, early)
    backtest(history, FIRST, FIRST, BATTERY, late, da_gate_local=clock_time(11, 0),
             id_decision_local=clock_time(17, 30))
    # 2023-03-24 is in GMT: the gate on the 23rd at 09:20 sees up to the half-hour ending 09:00, at 11:00 up
    # to the one ending 11:00; the intraday decision at 15:00 sees up to 14:30's, at 17:30 up to 17:00's.
    assert early.last_known == [("day_ahead", pd.Timestamp("2023-03-23 08:30", tz="UTC")),
                                ("intraday", pd.Timestamp("2023-03-23 14:30", tz="UTC"))]
    assert late.last_known == [("day_ahead", pd.Timestamp("2023-03-23 10:30", tz="UTC")),
                               ("intraday", pd.Timestamp("2023-03-23 17:00", tz="UTC"))]
    with pytest.raises(InvalidParameters, match="must not come before the day-ahead gate"):
        backtest(history, FIRST, FIRST, BATTERY, early, id_decision_local=clock_time(9, 0))
    with pytest.raises(InvalidParameters, match="needs the intraday market"):
        backtest(history, FIRST, FIRST, BATTERY, early, markets="da", intraday_reoptimise="hourly")


def test_hourly_gbm_re_forecasts_use_the_daily_models_and_their_kept_predictions(history):
    once_forecaster, hourly_forecaster = (GbmForecaster(window_days=30, max_iter=20) for _ in range(2))
    once = backtest(history, FIRST, LAST, BATTERY, once_forecaster)
    hourly = backtest(history, FIRST, LAST, BATTERY, hourly_forecaster, intraday_reoptimise="hourly")
    assert once.result.ok and hourly.result.ok
    assert hourly_forecaster.trainings == once_forecaster.trainings
    # Every hourly re-forecast reads the 15:00 predictions back: no row is run through a model twice.
    assert hourly_forecaster.predicted_rows == once_forecaster.predicted_rows
    id_plans = {d.settlement_date: d.plan[:, -1] for d in once.decisions if d.stage == "id"}
    for decision in (d for d in hourly.decisions if d.stage == "id-hourly"):
        np.testing.assert_array_equal(decision.plan[:, -1], id_plans[decision.settlement_date][decision.first_period:])
