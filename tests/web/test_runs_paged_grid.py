"""A run longer than the client-side grid takes: its intervals are paged on the server, and the pages,
sorted and filtered there, hold exactly the rows of the CSV export."""

import io
from datetime import date

import pandas as pd
import pytest

from components.stored_run_view import CLIENT_GRID_ROWS
from optimiser import BatteryParams
from services.optimisation_runs import RunRequest, run_optimisation
from tests.dash_requests import callback_body, find_callback_by_input, fire

BATTERY = BatteryParams(power_mw=10, energy_mwh=20)
FIRST, LAST = date(2023, 3, 20), date(2023, 3, 28)  # nine days across the spring clock change: 430 intervals


@pytest.fixture
def run_id(server):
    return run_optimisation(server.extensions["powerdesk"].db, RunRequest(FIRST, LAST, BATTERY, name="paged")).run_id


def rows_page(dash_app, client, run_id, start, end, sort=None, filters=None):
    request = {"startRow": start, "endRow": end, "sortModel": sort or [], "filterModel": filters or {}}
    return fire(client, dash_app, "runs-intervals-paged.getRowsResponse",
                {"runs-intervals-paged.getRowsRequest": request, "runs-shown.data": run_id}).json[
        "response"]["runs-intervals-paged"]["getRowsResponse"]


def exported(dash_app, client, run_id) -> pd.DataFrame:
    download = fire(client, dash_app, "runs-download.data",
                    {"runs-download-button.n_clicks": 1, "runs-shown.data": run_id}).json["response"]["runs-download"]
    return pd.read_csv(io.StringIO(download["data"]["content"]))


def test_the_view_sends_no_rows_and_shows_the_paged_grid(dash_app, client_as, run_id):
    result = fire(client_as("viewer"), dash_app, "runs-chart.figure",
                  {"runs-requested.data": str(run_id), "theme-store.data": "light"},
                  triggered="runs-requested.data").json["response"]
    assert result["runs-intervals"]["rowData"] == []
    assert result["runs-intervals-all"]["hidden"] is True and result["runs-intervals-paged-section"]["hidden"] is False


def test_paged_rows_equal_the_csv_export(dash_app, client_as, run_id):
    client = client_as("viewer")
    csv = exported(dash_app, client, run_id)
    assert len(csv) == 9 * 48 - 2 > CLIENT_GRID_ROWS
    rows = []
    for start in range(0, len(csv) + 100, 100):
        page = rows_page(dash_app, client, run_id, start, start + 100)
        assert page["rowCount"] == len(csv)
        rows += page["rowData"]
    grid = pd.DataFrame(rows)
    assert len(grid) == len(csv)
    for column in grid.columns:
        assert grid[column].tolist() == csv[column].tolist(), column


def test_sorting_and_filtering_happen_on_the_whole_run(dash_app, client_as, run_id):
    client = client_as("viewer")
    csv = exported(dash_app, client, run_id)
    by_soc = rows_page(dash_app, client, run_id, 0, 50, sort=[{"colId": "soc_mwh", "sort": "desc"}])
    expected = csv.sort_values("soc_mwh", ascending=False, kind="stable").head(50)
    assert [r["soc_mwh"] for r in by_soc["rowData"]] == expected["soc_mwh"].tolist()
    assert [r["local_time"] for r in by_soc["rowData"]] == expected["local_time"].tolist()
    third = rows_page(dash_app, client, run_id, 0, 100,
                      filters={"settlement_period": {"filterType": "number", "type": "equals", "filter": 3}})
    assert third["rowCount"] == 9
    assert "2023-03-26 02:00 BST" in [r["local_time"] for r in third["rowData"]]  # SP3 of the 46-period day
    bst = rows_page(dash_app, client, run_id, 0, 100,
                    filters={"local_time": {"filterType": "text", "type": "contains", "filter": "bst"}})
    assert bst["rowCount"] == (csv["local_time"].str.contains("BST")).sum() > 0


def test_no_run_shown_gives_no_rows(dash_app, client_as):
    page = fire(client_as("viewer"), dash_app, "runs-intervals-paged.getRowsResponse",
                {"runs-intervals-paged.getRowsRequest": {"startRow": 0, "endRow": 100}, "runs-shown.data": None}).json[
        "response"]["runs-intervals-paged"]["getRowsResponse"]
    assert page == {"rowData": [], "rowCount": 0}


def test_zooming_a_decimated_chart_sends_the_lines_of_the_range_shown(dash_app, client_as, run_id):
    client = client_as("viewer")
    zoom = {"xaxis.range[0]": "2023-03-22 00:00:00", "xaxis.range[1]": "2023-03-22 12:00:00"}
    key = find_callback_by_input(dash_app, "runs-chart.relayoutData")
    values = {"runs-chart.relayoutData": zoom, "runs-shown.data": run_id,
              "runs-chart-range.data": ["2023-03-20T00:00:00+00:00", "2023-03-29T00:00:00+00:00"]}
    response = client.post("/_dash-update-component", json=callback_body(dash_app, key, values))
    assert response.status_code == 200, response.get_data(as_text=True)
    operations = next(iter(response.json["response"].values()))["figure"]["operations"]
    soc = [op for op in operations if op["location"][:3] == ["data", 6, "y"]]
    assert len(soc) == 1 and 24 <= len(soc[0]["params"]["value"]) <= 26  # the half-hours of the 12 hours shown
    assert any(op["location"][:2] == ["layout", "xaxis"] for op in operations)
