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
        perfect_totals = session.get(OptimisationRun, perfect.run_id).totals
        assert perfect_totals["net_revenue_gbp"] == pytest.approx(summary["perfect_net_revenue_gbp"])
        # One bound for both: the run page's Capture card and the studies grid show the forecast run's share of it.
        assert run.totals["baselines"]["joint_net_revenue_gbp"] == pytest.approx(
            perfect_totals["baselines"]["joint_net_revenue_gbp"])
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


def test_hourly_re_optimisation_is_checked_stored_and_never_reuses_a_once_run(priced_db):
    values = {"first_date": "2023-03-25", "last_date": "2023-03-26", "foresight": "naive-day",
              "power_mw": 10, "energy_mwh": 20}
    once, hourly = parse_request(values), parse_request({**values, "intraday_reoptimise": "hourly"})
    assert once.intraday_reoptimise == "once" and "intraday_reoptimise" not in once.describe()
    assert hourly.describe()["intraday_reoptimise"] == "hourly"
    with pytest.raises(RequestProblems) as perfect:
        parse_request({**values, "foresight": "perfect", "intraday_reoptimise": "hourly"})
    assert "for forecast-driven runs" in perfect.value.problems["intraday_reoptimise"]
    first = run_optimisation(priced_db, once)
    second = run_optimisation(priced_db, hourly)
    assert second.status == "succeeded" and not second.reopened and second.run_id != first.run_id
    with priced_db.session() as session:
        run = session.get(OptimisationRun, second.run_id)
        assert run.params["intraday_reoptimise"] == "hourly"
        assert run.totals["foresight"]["intraday_reoptimise"] == "hourly"
        from services.optimisation_runs import request_of
        assert request_of(run) == hourly
    assert run_optimisation(priced_db, hourly).run_id == second.run_id  # the same hourly run is reused


def test_the_decision_time_settings_reach_the_backtest_and_the_fingerprint(priced_db):
    from services.forecast_runs import load_history, run_backtest
    from settings import Settings

    values = {"first_date": "2023-03-25", "last_date": "2023-03-25", "foresight": "naive-week",
              "power_mw": 10, "energy_mwh": 20}
    default = parse_request(values, Settings())
    later = parse_request(values, Settings(forecast_da_gate_time="11:00", forecast_id_decision_time="17:30"))
    assert default.decision_times == ("09:20", "15:00") and "decision_times" not in default.describe()
    assert later.describe()["decision_times"] == {"da_gate": "11:00", "id": "17:30"}
    assert parse_request({**values, "foresight": "perfect"},
                         Settings(forecast_da_gate_time="11:00")).describe() == \
        parse_request({**values, "foresight": "perfect"}).describe()  # perfect foresight has no decision times
    run = run_backtest(load_history(priced_db, later), later)
    local = {d.stage: d.decided_at_utc.tz_convert("Europe/London") for d in run.decisions}
    assert (local["da"].date(), local["da"].strftime("%H:%M")) == (date(2023, 3, 24), "11:00")
    assert local["id"].strftime("%H:%M") == "17:30"
    assert run.decision_times == ("11:00", "17:30")
    first, second = run_optimisation(priced_db, default), run_optimisation(priced_db, later)
    assert second.run_id != first.run_id and not second.reopened
    with priced_db.session() as session:
        from services.optimisation_runs import request_of
        assert request_of(session.get(OptimisationRun, second.run_id)).decision_times == ("11:00", "17:30")
