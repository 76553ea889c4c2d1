from datetime import date

import pytest

from optimiser import BatteryParams
from services.optimisation_runs import RunRequest, run_optimisation
from tests.dash_requests import fire
from tests.plotly_data import values

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
    triggered = "runs-table.selectedRows" if values.get("runs-table.selectedRows") else "runs-requested.data"
    return fire(client, dash_app, OUTPUT, fields, triggered=triggered).json["response"]


def test_runs_grid_lists_stored_runs_newest_first(dash_app, client_as, stored_runs):
    rows = fire(client_as("viewer"), dash_app, "runs-table.rowData", {"runs-load.data": 0}).json[
        "response"]["runs-table"]["rowData"]
    assert [row["name"] for row in rows] == ["february", "spring"]
    assert rows[1]["dates"] == "2023-03-25 → 2023-03-26" and rows[1]["status"] == "succeeded"
    assert rows[1]["net_revenue_gbp"] > 0 and 0 < rows[1]["capture"] <= 100
    assert rows[1]["capture"] == round(rows[1]["capture"], 1) and rows[1]["days"] == 2


def test_runs_grid_filters_by_status_user_and_dates(dash_app, client_as, stored_runs):
    def names(**filters):
        values = {"runs-load.data": 0, **filters}
        return [row["name"] for row in fire(client_as("viewer"), dash_app, "runs-table.rowData", values).json[
            "response"]["runs-table"]["rowData"]]

    assert names(**{"runs-filter-dates.start_date": "2023-03-01"}) == ["spring"]
    assert names(**{"runs-filter-dates.end_date": "2023-02-28"}) == ["february"]
    assert names(**{"runs-filter-status.value": "failed"}) == []
    assert names(**{"runs-filter-user.value": "trader"}) == []  # both came from the command line


def test_a_requested_run_shows_its_schedule_across_the_clock_change(dash_app, client_as, stored_runs):
    spring_id, _ = stored_runs
    result = show(dash_app, client_as("viewer"), **{"runs-requested.data": str(spring_id)})
    assert result["runs-shown"]["data"] == spring_id
    assert result["runs-table"]["selectedRows"] == {"ids": [str(spring_id)]}  # the grid selects it too
    assert result["runs-view"]["hidden"] is False
    figure = result["runs-chart"]["figure"]
    assert len(figure["data"]) == 6
    assert all(len(trace["x"]) == 48 + 46 for trace in figure["data"])
    rows = result["runs-intervals"]["rowData"]
    assert len(rows) == 94
    assert rows[48 + 2]["local_time"] == "2023-03-26 02:00 BST" and rows[48 + 2]["settlement_period"] == 3
    assert all(row["soc_mwh"] >= 0 and row["soc_mwh"] == round(row["soc_mwh"], 3) for row in rows)
    tiles = str(result["runs-totals"]["children"])
    assert "Net revenue" in tiles and "perfect-foresight bound" in tiles and "annualised from 2 days" in tiles
    days = result["runs-day"]["options"]
    assert [o["value"] for o in days] == ["2023-03-25", "2023-03-26"] and "46 periods" in days[1]["label"]
    assert result["runs-download-button"]["disabled"] is False


def test_the_daily_operation_of_the_spring_clock_change_day_has_46_periods(dash_app, client_as, stored_runs):
    spring_id, _ = stored_runs
    figure = fire(client_as("viewer"), dash_app, "runs-day-chart.figure",
                  {"runs-day.value": "2023-03-26", "runs-shown.data": spring_id, "theme-store.data": "dark"}).json[
        "response"]["runs-day-chart"]["figure"]
    assert {len(values(trace["x"])) for trace in figure["data"]} == {46}
    assert values(figure["data"][0]["x"])[-1] == 46
    assert "46 settlement periods" in figure["layout"]["title"]["text"]


def test_without_a_request_the_latest_run_is_shown(dash_app, client_as, stored_runs):
    _, february_id = stored_runs
    assert show(dash_app, client_as("viewer"))["runs-shown"]["data"] == february_id


def test_clicking_a_row_shows_that_run(dash_app, client_as, stored_runs):
    spring_id, _ = stored_runs
    result = show(dash_app, client_as("viewer"), **{"runs-table.selectedRows": [{"id": spring_id}]})
    assert result["runs-shown"]["data"] == spring_id


def test_the_grid_echoing_a_selection_the_server_set_keeps_the_run_shown(dash_app, client_as, stored_runs):
    """The server selects the shown run as ``{"ids": [...]}``; the grid may send that back before it has
    rows for it (it did, one walkthrough in three), which once answered 400."""
    spring_id, february_id = stored_runs
    viewer = client_as("viewer")
    key = "runs-table.selectedRows"
    echoed = fire(viewer, dash_app, OUTPUT, {key: {"ids": [str(spring_id)]}, "runs-shown.data": spring_id,
                                             "runs-requested.data": None, "theme-store.data": "light"},
                  triggered=key)
    assert echoed.status_code == 200 and echoed.json["response"] == {}  # nothing to redraw
    other = show(dash_app, viewer, **{key: {"ids": [str(february_id)]}})
    assert other["runs-shown"]["data"] == february_id
    two = fire(viewer, dash_app, "runs-comparison.children", {key: {"ids": [str(spring_id), str(february_id)]},
                                                              "theme-store.data": "light"}, triggered=key)
    assert two.status_code == 200 and "spring" in str(two.json["response"])


def test_unknown_or_malformed_run_numbers_get_a_message_without_empty_axes(dash_app, client_as, stored_runs):
    result = show(dash_app, client_as("viewer"), **{"runs-requested.data": "999"})
    assert "There is no run #999" in str(result["runs-message"])
    assert result["runs-view"]["hidden"] is True and result["runs-download-button"]["disabled"] is True
    assert "not a run number" in str(show(dash_app, client_as("viewer"), **{"runs-requested.data": "abc"})[
        "runs-message"])


def test_an_infeasible_run_shows_its_reason_instead_of_a_schedule(dash_app, client_as, server):
    battery = BATTERY.model_copy(update={"terminal_soc": "geq-initial", "import_limit_mw": 0.0})
    outcome = run_optimisation(server.extensions["powerdesk"].db,
                               RunRequest(date(2023, 2, 1), date(2023, 2, 2), battery, markets="da"))
    result = show(dash_app, client_as("viewer"), **{"runs-requested.data": outcome.run_id})
    assert "infeasible" in str(result["runs-totals"]["children"])
    assert result["runs-intervals"]["rowData"] == []
    assert result["runs-download-button"]["disabled"] is True


def test_download_exports_the_shown_runs_intervals(dash_app, client_as, stored_runs):
    spring_id, _ = stored_runs
    response = fire(client_as("viewer"), dash_app, "runs-download.data",
                    {"runs-download-button.n_clicks": 1, "runs-shown.data": spring_id})
    download = response.json["response"]["runs-download"]["data"]
    lines = download["content"].splitlines()
    assert download["filename"] == f"powerdesk_run_{spring_id}_intervals.csv"
    assert lines[0].startswith("interval_start_utc,local_time,settlement_date,settlement_period,da_buy_mw")
    assert len(lines) == 1 + 94
    assert "e-" not in download["content"] and "00000000" not in download["content"]


def test_with_no_runs_a_trader_is_pointed_at_the_form_and_no_axes_are_drawn(dash_app, client_as):
    result = show(dash_app, client_as("trader"))
    message = str(result["runs-message"])
    assert "New run form above" in message and "flask" not in message
    assert result["runs-shown"]["data"] is None and result["runs-view"]["hidden"] is True
    assert "Traders create runs" in str(show(dash_app, client_as("viewer"))["runs-message"])


def test_ticking_two_runs_compares_them_with_parameter_differences_highlighted(dash_app, client_as, server):
    db = server.extensions["powerdesk"].db
    small = run_optimisation(db, RunRequest(date(2023, 2, 1), date(2023, 2, 2), BATTERY, name="small"))
    big = run_optimisation(db, RunRequest(date(2023, 2, 1), date(2023, 2, 2),
                                          BATTERY.model_copy(update={"power_mw": 20}), name="big"))
    comparison = fire(client_as("viewer"), dash_app, "runs-comparison.children",
                      {"runs-table.selectedRows": [{"id": small.run_id}, {"id": big.run_id}],
                       "theme-store.data": "light"}).json["response"]["runs-comparison"]["children"]
    text = str(comparison)
    assert "Comparing 2 runs" in text and f"Run #{small.run_id}: small" in text
    assert "table-warning" in text and "Power (MW)" in text
    too_many = fire(client_as("viewer"), dash_app, "runs-comparison.children",
                    {"runs-table.selectedRows": [{"id": i} for i in range(1, 6)], "theme-store.data": "light"}).json
    assert "at most 4" in str(too_many["response"])


def _user_id(db, username):
    from sqlalchemy import select

    from data_access.schema import User

    with db.session() as session:
        return session.scalar(select(User.id).where(User.username == username))


def test_the_owner_deletes_a_run_after_confirming_and_a_viewer_gets_403(dash_app, client_as, server):
    from data_access.schema import OptimisationRun

    db = server.extensions["powerdesk"].db
    run_id = run_optimisation(db, RunRequest(date(2023, 2, 1), date(2023, 2, 1), BATTERY),
                              user_id=_user_id(db, "trader")).run_id
    shown = show(dash_app, client_as("trader"), **{"runs-requested.data": run_id})
    assert shown["runs-delete-button"]["style"] == {}
    assert show(dash_app, client_as("viewer"), **{"runs-requested.data": run_id})["runs-delete-button"][
        "style"] == {"display": "none"}
    dialog = fire(client_as("trader"), dash_app, "runs-delete-text.children",
                  {"runs-delete-button.n_clicks": 1, "runs-shown.data": run_id}).json["response"]
    assert dialog["runs-delete-modal"]["is_open"] is True and "cannot be undone" in str(dialog)

    values = {"runs-delete-confirm.n_clicks": 1, "runs-shown.data": run_id, "runs-deleted.data": 0}
    forged = fire(client_as("viewer"), dash_app, "runs-delete-message.children", values)
    assert forged.status_code == 403
    with db.session() as session:
        assert session.get(OptimisationRun, run_id) is not None
    done = fire(client_as("trader"), dash_app, "runs-delete-message.children", values).json["response"]
    assert "deleted" in str(done["runs-delete-message"]) and done["runs-deleted"]["data"] == {"n": 1, "next": None}
    with db.session() as session:
        assert session.get(OptimisationRun, run_id) is None


def test_zooming_the_whole_range_relabels_its_axis_in_uk_time_with_settlement_periods(dash_app, client_as):
    from tests.dash_requests import callback_body

    key = next(k for k in dash_app.callback_map if k.startswith("runs-chart.figure@"))
    body = callback_body(dash_app, key, {
        "runs-chart.relayoutData": {"xaxis3.range[0]": "2023-06-01 23:00:00", "xaxis3.range[1]": "2023-06-02 03:00:00"},
        "runs-chart-range.data": ["2023-06-01T00:00:00+00:00", "2023-06-03T00:00:00+00:00"]})
    patch = str(client_as("viewer").post("/_dash-update-component", json=body).json["response"])
    assert "00:00<br>SP1" in patch and "2023-06-01T23:00:00" in patch  # UTC instant, labelled 00:00 BST


def test_the_run_view_states_the_schedules_carbon_or_why_it_is_unknown(dash_app, client_as, stored_runs, server):
    from services.footprint import load_demo_carbon

    spring_id, _ = stored_runs
    unknown = show(dash_app, client_as("viewer"), **{"runs-requested.data": spring_id})
    assert "no grid intensity is stored" in str(unknown["runs-details"])
    load_demo_carbon(server.extensions["powerdesk"].db)  # NESO 2023 intensity
    known = str(show(dash_app, client_as("viewer"), **{"runs-requested.data": spring_id})["runs-details"])
    assert "Carbon: net" in known and "tCO2" in known and "avoided" in known


def test_a_run_longer_than_60_days_opens_on_its_monthly_view_with_a_csv(dash_app, client_as, server):
    db = server.extensions["powerdesk"].db
    long = run_optimisation(db, RunRequest(date(2023, 1, 14), date(2023, 4, 30), BATTERY, name="quarter"))
    short = run_optimisation(db, RunRequest(date(2023, 3, 25), date(2023, 3, 26), BATTERY, name="spring"))
    result = show(dash_app, client_as("viewer"), **{"runs-requested.data": str(long.run_id)})
    assert result["runs-tabs"]["active_tab"] == "monthly"
    monthly = str(result["runs-monthly"]["children"])
    for month in ("2023-01", "2023-02", "2023-03", "2023-04"):
        assert month in monthly
    assert "£/MW/year (annualised)" in monthly and "£/MW/month" in monthly and "Capture" in monthly
    assert show(dash_app, client_as("viewer"), **{"runs-requested.data": str(short.run_id)})["runs-tabs"][
        "active_tab"] == "daily"
    download = fire(client_as("viewer"), dash_app, "runs-monthly-download.data",
                    {"runs-monthly-download-button.n_clicks": 1, "runs-shown.data": long.run_id}).json[
        "response"]["runs-monthly-download"]["data"]
    lines = download["content"].splitlines()
    assert download["filename"] == f"powerdesk_run_{long.run_id}_monthly.csv"
    assert lines[1] == ",".join(("month", "days", "skipped_days", "da_gbp", "id_gbp", "degradation_gbp", "net_gbp",
                                 "net_gbp_per_mw_month", "cycles", "bound_gbp", "capture"))
    assert lines[2].startswith("2023-01,18,0,") and lines[5].startswith("2023-04,30,0,")
    year_row = next(line for line in lines if line.startswith("2023,"))
    assert year_row.startswith("2023,107,0,")
    capture = float(lines[3].split(",")[-1])
    assert 0 < capture <= 1


def test_a_cancelled_run_opens_on_how_far_it_got_with_the_days_it_kept(dash_app, client_as, server):
    """Cancelled after day 2 of 5 was reported, the worker stops after day 3 and keeps days 1-3: the view says
    "cancelled at day 3 of 5", labels its totals as covering those days, and charts them."""
    from data_access import runs as run_store
    from services.optimisation_runs import cancel_run, execute_run, queue_run

    db = server.extensions["powerdesk"].db
    run_id = queue_run(db, RunRequest(date(2023, 2, 1), date(2023, 2, 5), BATTERY, name="cut short")).run_id

    def cancel_after_day_two(done, _total):
        if done == 2:
            cancel_run(db, run_id, None, True, stop_job=lambda _job: None)

    assert execute_run(db, run_id, progress=cancel_after_day_two, job_id="pid:0@nowhere").status == "cancelled"
    with db.session() as session:
        net = run_store.run_intervals(session, run_id)[["da_cash_gbp", "id_cash_gbp"]].to_numpy().sum()

    result = show(dash_app, client_as("viewer"), **{"runs-requested.data": str(run_id)})
    totals = str(result["runs-totals"]["children"])
    assert f"Run #{run_id} cancelled at day 3 of 5" in totals
    assert "3 of 5 settlement dates solved (01 Feb 2023 – 03 Feb 2023)" in totals
    assert "Totals over the 3 of 5 days solved (01 Feb 2023 – 03 Feb 2023), not the whole range" in totals
    assert f"£{net:,.0f}" in totals  # the net revenue card: the kept days' cash (no degradation cost)
    assert "run-kpi-net" in totals and "run-kpi-status" not in totals
    assert result["runs-tabs-section"]["hidden"] is False  # the kept days' charts, not a blank chart
    figure = result["runs-chart"]["figure"]
    assert all(len(trace["x"]) == 3 * 48 for trace in figure["data"])
    assert len(result["runs-intervals"]["rowData"]) == 3 * 48
