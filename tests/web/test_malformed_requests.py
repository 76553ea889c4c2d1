"""Malformed requests get a 4xx with a message, never a 500 (and never Dash's HTML for an API path)."""

import json

import pytest

from services.api_keys import create_api_key
from tests.dash_requests import callback_body, find_callback

PRICES_OUTPUT = "prices-chart.figure"


@pytest.fixture
def viewer(client_as):
    return client_as("viewer")


@pytest.mark.parametrize("body", ["[1]", '"x"', "null", "{}", '{"output": 5}', "{not json",
                                  '{"output": "no-such.children", "outputs": {}, "inputs": []}'])
def test_malformed_callback_bodies_get_400(viewer, body):
    response = viewer.post("/_dash-update-component", data=body, content_type="application/json")
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.json["error"] == "invalid request" or response.json["detail"]


def test_a_callback_body_missing_its_output_or_with_wrong_inputs_gets_400(viewer, dash_app):
    body = callback_body(dash_app, find_callback(dash_app, PRICES_OUTPUT))
    for broken in ({k: v for k, v in body.items() if k != "output"}, {**body, "inputs": body["inputs"][:1]},
                   {**body, "inputs": "x"}, {**body, "state": [1, 2]}, {**body, "changedPropIds": {"a": 1}}):
        response = viewer.post("/_dash-update-component", json=broken)
        assert response.status_code == 400, broken
        assert response.json["detail"]


def test_deeply_nested_callback_bodies_get_400(viewer):
    for depth in (100, 100_000):
        response = viewer.post("/_dash-update-component", data='{"output": ' + "[" * depth + "]" * depth + "}",
                               content_type="application/json")
        assert response.status_code == 400 and "nested" in response.json["detail"]


def test_text_plain_to_the_callback_route_gets_415(viewer, dash_app):
    body = json.dumps(callback_body(dash_app, find_callback(dash_app, PRICES_OUTPUT)))
    response = viewer.post("/_dash-update-component", data=body, content_type="text/plain")
    assert response.status_code == 415


def test_the_callback_route_needs_no_csrf_token_but_keeps_its_role_checks(viewer, dash_app):
    """Dash's renderer sends no CSRF token: the callback route is exempt from CSRF, which is safe
    because it accepts only application/json (a cross-site form cannot send that without CORS)."""
    body = callback_body(dash_app, find_callback(dash_app, PRICES_OUTPUT),
                         {"prices-dates.start_date": "2023-03-01", "prices-dates.end_date": "2023-03-01"})
    assert viewer.post("/_dash-update-component", json=body).status_code == 200
    form = viewer.post("/_dash-update-component", data={"payload": json.dumps(body)})
    assert form.status_code == 415


def test_wrong_types_in_callback_inputs_are_refused_with_a_message(viewer, dash_app):
    body = callback_body(dash_app, find_callback(dash_app, PRICES_OUTPUT),
                         {"prices-dates.start_date": ["2023-03-01"], "prices-dates.end_date": {"a": 1},
                          "prices-markets.value": "day_ahead"})
    response = viewer.post("/_dash-update-component", json=body)
    assert response.status_code == 200
    assert "YYYY-MM-DD" in json.dumps(response.json)


@pytest.mark.parametrize("start", ["9999-12-31", "0001-01-01", "2023-3-1", "2023-03-01T00:00", "20230301",
                                   "2023-02-30", " 2023-03-01x"])
def test_prices_api_refuses_dates_that_are_not_strict_or_out_of_range(viewer, start):
    response = viewer.get(f"/api/v1/prices?start={start}&end=2023-03-02")
    assert response.status_code == 400
    assert "start" in response.json["detail"]


def test_prices_page_shows_a_message_for_a_far_off_date(viewer, dash_app):
    body = callback_body(dash_app, find_callback(dash_app, PRICES_OUTPUT),
                         {"prices-dates.start_date": "9999-12-31", "prices-dates.end_date": "9999-12-31",
                          "prices-markets.value": ["day_ahead"]})
    response = viewer.post("/_dash-update-component", json=body)
    assert response.status_code == 200 and "outside the supported range" in json.dumps(response.json)


def test_unknown_api_paths_get_404_json_with_a_key_or_a_session(server, viewer):
    key = create_api_key(server.extensions["powerdesk"].db, "meter-1").key
    machine = server.test_client()
    for method in ("GET", "POST"):
        response = machine.open("/api/v1/no-such-thing", method=method, headers={"Authorization": f"Bearer {key}"})
        assert response.status_code == 404 and response.is_json, method
        assert "no API route" in response.json["detail"]
    assert viewer.get("/api/v2/prices").status_code == 404
    assert viewer.get("/api/v1/prices?start=2023-03-01&end=2023-03-01").status_code == 200


def test_a_component_suite_path_that_is_not_a_script_gets_404(server):
    response = server.test_client().get("/_dash-component-suites/dash/dash.py")
    assert response.status_code == 404


def test_bodies_over_the_size_limit_get_413_json(tmp_path, seeded_sqlite_url):
    from tests.conftest import build_app, log_in, make_settings

    app = build_app(make_settings(tmp_path, seeded_sqlite_url, max_request_mb=1), seed=False)
    client = app.server.test_client()
    assert log_in(client, "viewer").status_code == 302
    response = client.post("/_dash-update-component", data=b"{" + b" " * 1_100_000 + b"}",
                           content_type="application/json")
    assert response.status_code == 413
    assert "1 MB limit" in response.json["detail"]


def test_a_callback_given_a_value_of_the_wrong_shape_answers_400_not_500(dash_app, client_as):
    """The net under callbacks whose own checks miss a crafted value (here a dict as the shown run's id)."""
    key = find_callback(dash_app, "runs-day-chart.figure")
    body = callback_body(dash_app, key, {"runs-day.value": "2023-03-26", "runs-shown.data": {"nested": ["../../etc"]},
                                         "theme-store.data": "dark"}, triggered="runs-shown.data")
    response = client_as("viewer").post("/_dash-update-component", json=body)
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert "could not be handled" in response.json["detail"]


def test_new_run_form_refuses_a_far_off_date_with_a_message(dash_app, client_as):
    response = fire_new_run(dash_app, client_as("trader"), "9999-12-31", "9999-12-31")
    assert response.status_code == 200
    assert "outside the supported range" in json.dumps(response.json)


def fire_new_run(dash_app, client, start, end):
    from tests.dash_requests import find_callback_by_input
    from tests.web.test_run_form import SUBMIT, form_values

    values = form_values(start=start, end=end)
    body = callback_body(dash_app, find_callback_by_input(dash_app, SUBMIT), values, triggered=SUBMIT)
    return client.post("/_dash-update-component", json=body)
