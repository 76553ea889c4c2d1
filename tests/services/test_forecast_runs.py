"""Forecast-driven runs through the service: stored forecasts, per-day capture, reuse fingerprint."""

from datetime import date

import pytest
from sqlalchemy import func, select

from data_access import runs as run_store
from data_access.forecast_runs import run_forecasts
from data_access.schema import OptimisationRun, RunForecastInterval
from optimiser import BatteryParams
from services.optimisation_runs import RunRequest, run_optimisation
from services.prices import load_demo_prices
from services.run_requests import RequestProblems, parse_request

BATTERY = BatteryParams(power_mw=10, energy_mwh=20, charge_efficiency=0.9, discharge_efficiency=0.9)


@pytest.fixture
def priced_db(db):
    load_demo_prices(db, feeds=("seed",))
    return db


def test_a_naive_week_run_stores_forecasts_actuals_and_capture_per_day(priced_db):
    request = RunRequest(date(2023, 3, 25), date(2023, 3, 27), BATTERY, foresight="naive-week")
    outcome = run_optimisation(priced_db, request)
    assert outcome.status == "succeeded"
    with priced_db.session() as session:
        run = session.get(OptimisationRun, outcome.run_id)
        intervals = run_store.run_intervals(session, run.id)
        forecasts = run_forecasts(session, run.id)
    assert run.params["foresight"] == "naive-week"
    assert len(forecasts) == len(intervals) == 48 + 46 + 48
    summary = run.totals["foresight"]
    assert summary["forecaster"] == "naive-week"
    assert [d["settlement_date"] for d in summary["days"]] == ["2023-03-25", "2023-03-26", "2023-03-27"]
    realised = sum(d["realised_gbp"] for d in summary["days"])
    assert realised == pytest.approx(run.totals["net_revenue_gbp"])
    assert summary["capture_ratio"] == pytest.approx(realised / summary["perfect_net_revenue_gbp"])
    assert summary["capture_ratio"] < 1.0
    assert {q["leg"] for q in summary["quality"]} == {"da", "id"}
    perfect = run_optimisation(priced_db, RunRequest(date(2023, 3, 25), date(2023, 3, 27), BATTERY))
    assert perfect.run_id != outcome.run_id
    with priced_db.session() as session:
        assert session.get(OptimisationRun, perfect.run_id).totals["net_revenue_gbp"] == pytest.approx(
            summary["perfect_net_revenue_gbp"])
        assert session.scalar(select(func.count()).select_from(RunForecastInterval)
                              .where(RunForecastInterval.run_id == perfect.run_id)) == 0
    again = run_optimisation(priced_db, request)
    assert again.reopened and again.run_id == outcome.run_id


def test_foresight_is_checked_with_the_other_fields():
    values = {"first_date": "2023-03-25", "last_date": "2023-03-26"}
    assert parse_request(values).foresight == "perfect"
    assert parse_request(values).describe().get("foresight") is None
    assert parse_request({**values, "foresight": "gbm"}).describe()["foresight"] == "gbm"
    with pytest.raises(RequestProblems) as bad:
        parse_request({**values, "foresight": "crystal-ball"})
    assert "foresight" in bad.value.problems and "naive-week" in bad.value.problems["foresight"]
    with pytest.raises(RequestProblems) as joint:
        parse_request({**values, "foresight": "naive-day", "markets": "joint"})
    assert "perfect-foresight bound" in joint.value.problems["foresight"]
