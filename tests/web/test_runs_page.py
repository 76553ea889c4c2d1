from datetime import date

import pytest

from optimiser import BatteryParams
from services.optimisation_runs import RunRequest, run_optimisation
from tests.dash_requests import fire

OUTPUT = "runs-chart.figure"
BATTERY = BatteryParams(power_mw=10, energy_mwh=20)


@pytest.fixture
def stored_runs(server):
    db = server.extensions["powerdesk"].db
    spring = run_optimisation(db, RunRequest(date(2023, 3, 25), date(2023, 3, 26), BATTERY, name="spring"))
    later = run_optimisation(db, RunRequest(date(2023, 2, 1), date(2023, 2, 1), BATTERY, name="february"))
    return spring.run_id, later.run_id


def show(dash_app, client, **values):
    fields = {"runs-requested.data": None, "runs-table.selectedRows": None, "theme-store.data": "light"}
    fields.update(values)
    return fire(client, dash_app, OUTPUT, fields).json["response"]


def test_runs_grid_lists_stored_runs_newest_first(dash_app, client_as, stored_runs):
    rows = fire(client_as("viewer"), dash_app, "runs-table.rowData", {"runs-load.data": 0}).json[
        "response"]["runs-table"]["rowData"]
    assert [row["name"] for row in rows] == ["february", "spring"]
    assert rows[1]["dates"] == "2023-03-25 → 2023-03-26" and rows[1]["status"] == "succeeded"
    assert rows[1]["net_revenue_gbp"] > 0 and 0 < rows[1]["capture"] <= 100


def test_a_requested_run_shows_its_schedule_across_the_clock_change(dash_app, client_as, stored_runs):
    spring_id, _ = stored_runs
    result = show(dash_app, client_as("viewer"), **{"runs-requested.data": str(spring_id)})
    assert result["runs-shown"]["data"] == spring_id
    figure = result["runs-chart"]["figure"]
    assert len(figure["data"]) == 6
    assert all(len(trace["x"]) == 48 + 46 for trace in figure["data"])
    rows = result["runs-intervals"]["rowData"]
    assert len(rows) == 94
    assert rows[48 + 2]["local_time"] == "2023-03-26 02:00 BST" and rows[48 + 2]["settlement_period"] == 3
    tiles = str(result["runs-totals"]["children"])
    assert "Net revenue" in tiles and "of the joint perfect-foresight bound" in tiles


def test_without_a_request_the_latest_run_is_shown(dash_app, client_as, stored_runs):
    _, february_id = stored_runs
    assert show(dash_app, client_as("viewer"))["runs-shown"]["data"] == february_id


def test_clicking_a_row_shows_that_run(dash_app, client_as, stored_runs):
    spring_id, _ = stored_runs
    result = show(dash_app, client_as("viewer"), **{"runs-table.selectedRows": [{"id": spring_id}]})
    assert result["runs-shown"]["data"] == spring_id


def test_unknown_or_malformed_run_numbers_get_a_message(dash_app, client_as, stored_runs):
    assert "there is no run #999" in str(show(dash_app, client_as("viewer"), **{"runs-requested.data": "999"})[
        "runs-message"])
    assert "not a run number" in str(show(dash_app, client_as("viewer"), **{"runs-requested.data": "abc"})[
        "runs-message"])


def test_an_infeasible_run_shows_its_reason_instead_of_a_schedule(dash_app, client_as, server):
    battery = BATTERY.model_copy(update={"terminal_soc": "geq-initial", "import_limit_mw": 0.0})
    outcome = run_optimisation(server.extensions["powerdesk"].db,
                               RunRequest(date(2023, 2, 1), date(2023, 2, 2), battery, markets="da"))
    result = show(dash_app, client_as("viewer"), **{"runs-requested.data": outcome.run_id})
    assert "infeasible" in str(result["runs-totals"]["children"])
    assert result["runs-intervals"]["rowData"] == []


def test_download_exports_the_shown_runs_intervals(dash_app, client_as, stored_runs):
    spring_id, _ = stored_runs
    response = fire(client_as("viewer"), dash_app, "runs-download.data",
                    {"runs-download-button.n_clicks": 1, "runs-shown.data": spring_id})
    download = response.json["response"]["runs-download"]["data"]
    lines = download["content"].splitlines()
    assert download["filename"] == f"powerdesk_run_{spring_id}_intervals.csv"
    assert lines[0].startswith("interval_start_utc,local_time,settlement_date,settlement_period,da_buy_mw")
    assert len(lines) == 1 + 94


def test_with_no_runs_the_page_says_how_to_make_one(dash_app, client_as):
    result = show(dash_app, client_as("viewer"))
    assert "No optimisation runs yet" in str(result["runs-message"]) and result["runs-shown"]["data"] is None
