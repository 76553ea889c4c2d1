"""The run view's Forecast tab, through the Dash callbacks as the browser calls them."""

from datetime import date

import pytest

from optimiser import BatteryParams
from services.optimisation_runs import RunRequest, run_optimisation
from tests.dash_requests import fire
from tests.plotly_data import values

BATTERY = BatteryParams(power_mw=10, energy_mwh=20)


@pytest.fixture
def runs(server):
    db = server.extensions["powerdesk"].db
    forecast = run_optimisation(db, RunRequest(date(2023, 3, 25), date(2023, 3, 27), BATTERY, foresight="naive-day"))
    perfect = run_optimisation(db, RunRequest(date(2023, 3, 25), date(2023, 3, 26), BATTERY))
    return forecast.run_id, perfect.run_id


def test_a_forecast_run_shows_capture_per_month_and_each_days_forecast_against_the_actual(dash_app, client_as, runs):
    forecast_id, _ = runs
    client = client_as("viewer")
    response = fire(client, dash_app, "runs-forecast-monthly.figure",
                    {"runs-shown.data": forecast_id, "theme-store.data": "light"}).json["response"]
    assert [o["value"] for o in response["runs-forecast-day"]["options"]] == ["2023-03-25", "2023-03-26", "2023-03-27"]
    assert "Capture ratio" in str(response["runs-forecast-summary"]) and "naive-day" in str(
        response["runs-forecast-summary"])
    monthly = response["runs-forecast-monthly"]["figure"]
    capture = next(t for t in monthly["data"] if t["name"] == "Capture ratio")
    assert values(capture["x"]) == ["2023-03"] and 0 < values(capture["y"])[0] < 1
    assert "MAE" in str(response["runs-forecast-quality"])
    day = fire(client, dash_app, "runs-forecast-day-chart.figure",
               {"runs-forecast-day.value": "2023-03-26", "runs-shown.data": forecast_id,
                "theme-store.data": "dark"}).json["response"]["runs-forecast-day-chart"]["figure"]
    names = [t["name"] for t in day["data"]]
    assert "ID forecast £/MWh" in names and "DA actual £/MWh" in names
    assert {len(values(t["x"])) for t in day["data"]} == {46}  # the spring clock-change day


def test_a_perfect_foresight_run_says_it_has_no_forecast(dash_app, client_as, runs):
    _, perfect_id = runs
    response = fire(client_as("viewer"), dash_app, "runs-forecast-monthly.figure",
                    {"runs-shown.data": perfect_id, "theme-store.data": "light"}).json["response"]
    assert "perfect foresight" in str(response["runs-forecast-summary"])
    assert response["runs-forecast-day"]["options"] == []
