"""The Studies page's callbacks, fired as the browser would."""

from jobs.studies import execute_points
from services.studies import submit_study
from tests.dash_requests import fire

SUBMIT = "studies-requested.data"


def submit_values(**overrides):
    values = {"studies-new-submit.n_clicks": 1, "studies-new-name.value": "page study",
              "studies-new-dates.start_date": "2023-03-01", "studies-new-dates.end_date": "2023-03-02",
              "studies-new-power.value": "50, 100", "studies-new-duration.value": "1, 2",
              "studies-new-cycles.value": "1", "studies-new-efficiency.value": "0.85",
              "studies-new-markets.value": ["da+id"]}
    values.update(overrides)
    return values


def _submit_key(dash_app):
    return next(key for key, spec in dash_app.callback_map.items()
                if any(d["id"] == "studies-new-submit" for d in spec["inputs"]))


def test_bad_grid_text_says_which_field_and_starts_nothing(dash_app, client_as):
    from tests.dash_requests import callback_body

    client = client_as("trader")
    key = _submit_key(dash_app)
    for overrides, message in [({"studies-new-power.value": "50, lots"}, "Power: 'lots' is not a number"),
                               ({"studies-new-duration.value": ""}, "Duration: give at least one value"),
                               ({"studies-new-efficiency.value": "1.5"}, "at most 1"),
                               ({"studies-new-markets.value": []}, "tick at least one"),
                               ({"studies-new-name.value": {"a": 1}}, "give the study a name"),
                               ({"studies-new-name.value": "   "}, "give the study a name"),
                               ({"studies-new-dates.end_date": "2023-02-01"}, "is before start")]:
        response = client.post("/_dash-update-component", json=callback_body(dash_app, key, submit_values(**overrides)))
        assert response.status_code == 200, response.get_data(as_text=True)
        text = str(response.json["response"]["studies-new-message"])
        assert "Nothing was run" in text and message in text, (overrides, text)
    listed = fire(client, dash_app, "studies-table.rowData", {"studies-load.data": 0}).json["response"]
    assert listed["studies-table"]["rowData"] == []


def test_the_form_opens_on_the_last_month_both_default_markets_price(dash_app, client_as):
    # The EPEX feed carries day-ahead prices years past the intraday file; the form used to open on the last
    # day-ahead month, where the default "Day-ahead, then intraday" study could never run.
    from datetime import date

    from services.optimisation_runs import range_check
    from services.prices import load_demo_prices

    db = dash_app.server.extensions["powerdesk"].db
    load_demo_prices(db, feeds=("epex",))
    opened = fire(client_as("trader"), dash_app, "studies-new-section.hidden",
                  {"studies-load.data": 0}).json["response"]["studies-new-dates"]
    first, last = date.fromisoformat(opened["start_date"]), date.fromisoformat(opened["end_date"])
    assert (first, last) == (date(2023, 4, 1), date(2023, 4, 30))
    assert date.fromisoformat(opened["max_date_allowed"]) > last  # later day-ahead dates stay choosable
    assert range_check(db, first, last, "day_ahead", "intraday") == {"da": None, "id": None}


def test_a_viewer_cannot_submit_and_sees_no_form(dash_app, client_as):
    from tests.dash_requests import callback_body

    viewer = client_as("viewer")
    response = viewer.post("/_dash-update-component", json=callback_body(dash_app, _submit_key(dash_app),
                                                                          submit_values()))
    assert response.status_code == 403
    hidden = fire(viewer, dash_app, "studies-new-section.hidden", {"studies-load.data": 0}).json["response"]
    assert hidden["studies-new-section"]["hidden"] is True


def test_the_study_view_shows_progress_points_and_links_to_runs(dash_app, client_as, settings):
    db = dash_app.server.extensions["powerdesk"].db
    submitted = submit_study(db, {"name": "view", "start": "2023-03-01", "end": "2023-03-01",
                                  "grid": {"power_mw": [50, 100]}}, 2, "trader", 200)
    viewer = client_as("viewer")
    shown = fire(viewer, dash_app, "studies-shown.data", {"studies-requested.data": str(submitted.study_id)},
                 triggered="studies-requested.data").json["response"]
    assert "0 of 2 points done" in str(shown["studies-progress"]["children"])
    assert shown["studies-refresh"]["disabled"] is False  # polls while running
    assert shown["studies-cancel"]["style"] == {"display": "none"}  # a viewer may not cancel
    execute_points(settings.resolved_database_url(), submitted.pending_run_ids, workers=1)
    shown = fire(viewer, dash_app, "studies-shown.data", {"studies-requested.data": submitted.study_id},
                 triggered="studies-requested.data").json["response"]
    rows = shown["studies-points"]["rowData"]
    assert [row["run_link"] for row in rows] == [f"[#{r}](/runs?run={r})" for r in submitted.pending_run_ids]
    assert shown["studies-refresh"]["disabled"] is True
    assert len(shown["studies-chart"]["figure"]["data"]) == 8  # a line per power, in four panels


def test_a_study_number_that_is_not_one_gets_a_message_not_empty_axes(dash_app, client_as):
    shown = fire(client_as("viewer"), dash_app, "studies-shown.data", {"studies-requested.data": "../etc"},
                 triggered="studies-requested.data").json["response"]
    assert "is not a study number" in str(shown["studies-message"]["children"])
    assert shown["studies-chart-card"]["style"] == {"display": "none"}


def test_a_trader_submits_from_the_form_and_the_page_shows_the_new_study(dash_app, client_as):
    from tests.dash_requests import callback_body

    response = client_as("trader").post("/_dash-update-component",
                                        json=callback_body(dash_app, _submit_key(dash_app), submit_values()))
    assert response.status_code == 200, response.get_data(as_text=True)
    result = response.json["response"]
    assert "started: 4 points, 0 reused" in str(result["studies-new-message"])
    assert isinstance(result["studies-requested"]["data"], int)


def test_the_form_varies_foresight_and_intraday_decisions(dash_app, client_as):
    from services.studies import get_study
    from tests.dash_requests import callback_body

    values = submit_values(**{"studies-new-power.value": "50", "studies-new-duration.value": "1",
                              "studies-new-foresight.value": ["perfect", "naive-week"],
                              "studies-new-intraday-reoptimise.value": ["once", "hourly"]})
    response = client_as("trader").post("/_dash-update-component",
                                        json=callback_body(dash_app, _submit_key(dash_app), values))
    assert response.status_code == 200, response.get_data(as_text=True)
    result = response.json["response"]
    assert "started: 4 points" in str(result["studies-new-message"]), result["studies-new-message"]
    study = get_study(dash_app.server.extensions["powerdesk"].db, result["studies-requested"]["data"])
    assert [(p["params"]["foresight"], p["params"]["intraday_reoptimise"]) for p in study["points"]] == [
        ("perfect", "once"), ("perfect", "once"), ("naive-week", "once"), ("naive-week", "hourly")]
    bad = submit_values(**{"studies-new-foresight.value": ["naive-week"],
                           "studies-new-intraday-reoptimise.value": ["weekly"]})
    text = str(client_as("trader").post("/_dash-update-component", json=callback_body(
        dash_app, _submit_key(dash_app), bad)).json["response"]["studies-new-message"])
    assert "Nothing was run" in text and "'weekly' is not one of once, hourly" in text
