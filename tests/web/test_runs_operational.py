"""Schedule vs actual on the Runs page: a trader uploads metered readings; everyone sees the deviation."""

import base64
from datetime import date

from optimiser import BatteryParams
from services.optimisation_runs import RunRequest, run_optimisation
from tests.dash_requests import fire

SPRING = date(2023, 3, 26)


def upload(text: str) -> str:
    return "data:text/csv;base64," + base64.b64encode(text.encode()).decode()


def test_a_trader_uploads_readings_and_the_run_view_shows_the_deviation(dash_app, client_as, server):
    run_id = run_optimisation(server.extensions["powerdesk"].db,
                              RunRequest(SPRING, SPRING, BatteryParams(power_mw=10, energy_mwh=20))).run_id
    text = "settlement_date,settlement_period,metered_mw\n" + "".join(f"2023-03-26,{p},0.5\n" for p in range(1, 45))
    values = {"runs-operational-upload.contents": upload(text), "runs-operational-upload.filename": "m.csv",
              "runs-operational-imported.data": 0}
    assert fire(client_as("viewer"), dash_app, "runs-operational-report.children", values).status_code == 403
    done = fire(client_as("trader"), dash_app, "runs-operational-report.children", values).json["response"]
    assert "44 readings" in str(done["runs-operational-report"]) and done["runs-operational-imported"]["data"] == 1

    shown = fire(client_as("viewer"), dash_app, "runs-operational-stats.children",
                 {"runs-shown.data": run_id, "runs-operational-imported.data": 1, "theme-store.data": "light"}).json[
        "response"]
    stats = str(shown["runs-operational-stats"]["children"])
    assert "4.3%" in stats and "2 of 46 intervals" in stats  # SP45 and SP46 have no reading
    names = [trace.get("name") for trace in shown["runs-operational-chart"]["figure"]["data"]]
    assert names[:3] == ["Scheduled", "Metered", "No reading"]


def test_a_bad_upload_says_which_lines_and_stores_nothing(dash_app, client_as):
    values = {"runs-operational-upload.contents": upload("settlement_date,settlement_period,metered_mw\n"
                                                         "2023-03-26,47,1\n"),
              "runs-operational-upload.filename": "bad.csv", "runs-operational-imported.data": 0}
    done = fire(client_as("trader"), dash_app, "runs-operational-report.children", values).json["response"]
    assert "line 2" in str(done["runs-operational-report"]) and "runs-operational-imported" not in done


def test_viewers_are_not_offered_the_upload(dash_app, client_as):
    def hidden(role):
        return fire(client_as(role), dash_app, "runs-operational-upload-section.hidden", {"runs-load.data": 0}).json[
            "response"]["runs-operational-upload-section"]["hidden"]

    assert hidden("viewer") is True and hidden("trader") is False
