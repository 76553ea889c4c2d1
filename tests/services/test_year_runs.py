"""Runs over real whole-year prices (issue 20): any stored series on either leg, days without prices
skipped when asked (battery idle, SoC carried) and named when not, clock-change days kept."""

from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
import pytest

from data_access import migrate
from data_access import runs as run_store
from data_access.engine import Database
from data_access.price_files import MID_PORTAL_2024_FILE, SYSTEM_DEMO_FILE
from data_access.schema import OptimisationRun
from services.errors import InvalidInput
from services.optimisation_runs import MAX_RUN_DAYS, queue_run, run_optimisation
from services.prices import import_prices
from services.run_requests import RequestProblems, parse_request

BATTERY = {"power_mw": 50, "energy_mwh": 50, "charge_efficiency": 0.9, "discharge_efficiency": 0.9,
           "initial_soc_frac": 0.5}
MID_THEN_SYSTEM = {**BATTERY, "da_series": "market_index", "id_series": "system_price", "markets": "da+id"}


@pytest.fixture
def year_db(sqlite_url):
    """2024 of the portal's MID (97 intervals without a trade) and of the system prices."""
    migrate.upgrade(sqlite_url)
    db = Database.from_url(sqlite_url)
    import_prices(db, MID_PORTAL_2024_FILE.read_bytes(), MID_PORTAL_2024_FILE.name)
    import_prices(db, SYSTEM_DEMO_FILE.read_bytes(), SYSTEM_DEMO_FILE.name,
                  window=(datetime(2024, 1, 1, tzinfo=UTC), datetime(2025, 1, 1, tzinfo=UTC)))
    yield db
    db.dispose()


def stored(db, run_id):
    with db.session() as session:
        run = session.get(OptimisationRun, run_id)
        session.expunge(run)
        return run, run_store.run_intervals(session, run_id)


def assert_soc_continuous(intervals: pd.DataFrame, initial_mwh: float, eta: float) -> None:
    """Every period's SoC follows from the previous one (across every day boundary) and its flows."""
    soc = intervals["soc_mwh"].to_numpy()
    before = np.r_[initial_mwh, soc[:-1]]
    expected = before + 0.5 * (eta * intervals["charge_mw"].to_numpy() - intervals["discharge_mw"].to_numpy() / eta)
    assert np.abs(soc - expected).max() < 1e-5


def test_without_the_option_the_refusal_names_the_first_missing_days(year_db):
    with pytest.raises(InvalidInput) as error:
        queue_run(year_db, parse_request({**MID_THEN_SYSTEM, "first_date": "2024-10-06", "last_date": "2024-11-02"}))
    message = str(error.value)
    assert "3 of the 28 days have missing prices: 2024-10-13, 2024-10-14, 2024-10-27" in message
    assert "skip days without prices" in message


def test_skipped_days_idle_with_their_soc_carried_and_the_50_period_day_kept(year_db):
    request = parse_request({**MID_THEN_SYSTEM, "first_date": "2024-10-06", "last_date": "2024-11-02",
                             "skip_missing_days": True})
    outcome = run_optimisation(year_db, request)
    run, intervals = stored(year_db, outcome.run_id)
    assert run.status == "succeeded", run.message
    assert run.totals["skipped_days"] == ["2024-10-13", "2024-10-14", "2024-10-27"]
    assert run.totals["days"] == 25 and "3 day(s) without prices skipped" in run.message
    per_day = intervals.groupby("settlement_date").size()
    assert per_day[date(2024, 10, 27)] == 50 and len(per_day) == 28 and per_day.sum() == 27 * 48 + 50
    skipped = intervals["settlement_date"].isin([date(2024, 10, 13), date(2024, 10, 14), date(2024, 10, 27)])
    flows = intervals.loc[skipped, ["da_buy_mw", "da_sell_mw", "id_buy_mw", "id_sell_mw", "charge_mw",
                                    "discharge_mw", "da_cash_gbp", "id_cash_gbp"]]
    assert (flows.abs() < 1e-9).all().all()
    assert intervals.loc[skipped, "da_price"].isna().all()
    # The SoC on an idle day stays where the day before left it.
    day_before = intervals.loc[intervals["settlement_date"] == date(2024, 10, 12), "soc_mwh"].iloc[-1]
    assert np.allclose(intervals.loc[intervals["settlement_date"] == date(2024, 10, 13), "soc_mwh"], day_before)
    assert_soc_continuous(intervals, 25.0, 0.9)
    # Traded days did trade: the half-hourly MID leg is not forced into hourly prices.
    assert intervals.loc[~skipped, "discharge_mw"].sum() > 0
    # Annualised over the traded days only (25 days of 24 h: the 25-hour day was skipped).
    net = run.totals["net_revenue_gbp"]
    assert run.totals["net_revenue_gbp_per_mw_year"] == pytest.approx(net / 50 * 8760 / (25 * 24), rel=1e-9)


def test_the_skip_option_is_a_parameter_of_the_run(year_db):
    plain = parse_request({**MID_THEN_SYSTEM, "first_date": "2024-03-25", "last_date": "2024-03-31"})
    skipping = parse_request({**MID_THEN_SYSTEM, "first_date": "2024-03-25", "last_date": "2024-03-31",
                              "skip_missing_days": True})
    assert "skip_missing_days" not in plain.describe() and skipping.describe()["skip_missing_days"] is True
    with pytest.raises(RequestProblems) as error:
        parse_request({**MID_THEN_SYSTEM, "first_date": "2024-03-25", "last_date": "2024-03-31",
                       "skip_missing_days": "yes"})
    assert "skip_missing_days must be true or false" in error.value.problems["skip_missing_days"]


def test_any_series_plays_either_leg_on_the_spring_clock_change(year_db):
    request = parse_request({**BATTERY, "da_series": "system_price", "id_series": "market_index",
                             "first_date": "2024-03-25", "last_date": "2024-04-07"})
    outcome = run_optimisation(year_db, request)
    run, intervals = stored(year_db, outcome.run_id)
    assert run.status == "succeeded" and (run.da_series, run.id_series) == ("system_price", "market_index")
    assert intervals.groupby("settlement_date").size()[date(2024, 3, 31)] == 46
    # The DA leg keeps the system price's half-hourly values (the two halves of an hour differ).
    pairs = intervals["da_price"].to_numpy().reshape(-1, 2)
    assert (np.abs(pairs[:, 0] - pairs[:, 1]) > 1e-6).any()
    assert_soc_continuous(intervals, 25.0, 0.9)


def test_runs_may_span_the_whole_system_price_file():
    assert MAX_RUN_DAYS >= 2400


@pytest.mark.long_range
def test_a_2024_run_mid_then_system_price_over_all_366_days(year_db):
    request = parse_request({**MID_THEN_SYSTEM, "first_date": "2024-01-01", "last_date": "2024-12-31",
                             "skip_missing_days": True})
    outcome = run_optimisation(year_db, request)
    run, intervals = stored(year_db, outcome.run_id)
    assert run.status == "succeeded", run.message
    per_day = intervals.groupby("settlement_date").size()
    assert len(per_day) == 366
    assert per_day[date(2024, 3, 31)] == 46 and per_day[date(2024, 10, 27)] == 50
    assert set(per_day.drop([date(2024, 3, 31), date(2024, 10, 27)])) == {48}
    assert run.totals["skipped_days"] == ["2024-10-13", "2024-10-14", "2024-10-27"] and run.totals["days"] == 363
    assert_soc_continuous(intervals, 25.0, 0.9)
    assert run.totals["net_revenue_gbp"] > 0
    assert run.totals["baselines"]["joint_net_revenue_gbp"] >= run.totals["net_revenue_gbp"] - 1e-6


def test_a_run_over_prices_of_exactly_zero_in_every_market_says_so(sqlite_url):
    migrate.upgrade(sqlite_url)
    db = Database.from_url(sqlite_url)
    starts = pd.date_range("2024-05-31T23:00Z", periods=48, freq="30min")  # 2024-06-01 is in BST
    prices = np.r_[np.full(10, 40.0), 0.0, 0.0, np.full(36, 60.0)]
    system = prices.copy()
    system[20] = 0.0  # zero in one market only: a real price, no warning for it
    frame = pd.DataFrame({"interval_start_utc": [t.isoformat() for t in starts], "market_index": prices,
                          "system_price": system + 1.0})
    frame.loc[10:11, "system_price"] = 0.0
    import_prices(db, frame.to_csv(index=False).encode(), "zeros.csv")
    outcome = run_optimisation(db, parse_request({**MID_THEN_SYSTEM, "first_date": "2024-06-01",
                                                  "last_date": "2024-06-01"}))
    run, _intervals = stored(db, outcome.run_id)
    assert run.status == "succeeded"
    assert "Warning: 2 interval(s) are priced exactly £0/MWh in every market traded" in run.message
    assert "2024-06-01 05:00" in run.message
    db.dispose()
