"""Meters page callbacks over HTTP (no browser): choices, costs, and the admins-only plan change."""

import pytest

from services.audit import list_events
from services.meter_demo import load_plans_and_trial_meters
from tests.dash_requests import fire


@pytest.fixture
def meters_app(dash_app):
    load_plans_and_trial_meters(dash_app.server.extensions["powerdesk"].db)
    return dash_app


def test_every_role_picks_a_meter_by_owner_and_only_admins_see_the_plan_change(meters_app, client_as):
    viewer = fire(client_as("viewer"), meters_app, "meters-meter.options",
                  {"meters-requested.data": "smart-meter-3"}).json["response"]
    labels = [option["label"] for option in viewer["meters-meter"]["options"]]
    assert labels[0].startswith("Alex · smart-meter-4") and any(label.startswith("Peter ·") for label in labels)
    assert viewer["meters-meter"]["value"] == "smart-meter-3"
    assert viewer["meters-admin-section"]["hidden"] is True
    admin = fire(client_as("admin"), meters_app, "meters-meter.options").json["response"]
    assert admin["meters-admin-section"]["hidden"] is False


def test_an_unknown_meter_in_the_address_is_said_not_swapped_for_another_customers(meters_app, client_as):
    client = client_as("viewer")
    opened = fire(client, meters_app, "meters-meter.options",
                  {"meters-requested.data": "smart-meter-99"}).json["response"]
    assert opened["meters-meter"]["value"] is None
    shown = fire(client, meters_app, "meters-chart.figure",
                 {"meters-meter.value": None, "meters-requested.data": "smart-meter-99"}).json["response"]
    assert "There is no smart meter 'smart-meter-99'; choose a meter above" in str(shown["meters-message"])
    assert shown["meters-summary"]["children"] is None
    picked = fire(client, meters_app, "meters-chart.figure",
                  {"meters-meter.value": "smart-meter-0", "meters-requested.data": "smart-meter-99"}).json["response"]
    assert picked["meters-message"]["children"] is None and picked["meters-summary"]["children"] is not None
    plain = fire(client, meters_app, "meters-meter.options", {"meters-requested.data": None}).json["response"]
    # No ?meter=: the first listed meter all of whose plans can be costed (Alex's smart-meter-4, listed first,
    # is read in 2024, where the dynamic price-plan-3 has no day-ahead prices).
    assert plain["meters-meter"]["value"] == "smart-meter-3"


def test_costs_highlight_the_current_plan_and_say_what_is_not_costed(meters_app, client_as):
    response = fire(client_as("viewer"), meters_app, "meters-chart.figure",
                    {"meters-meter.value": "smart-meter-1"}).json["response"]
    costs = str(response["meters-costs"])
    assert "current" in costs and "table-active" in costs
    assert "no day-ahead price" in costs  # Peter's week runs past the stored prices
    assert "price-plan-2" in str(response["meters-recommendations"])
    assert response["meters-plan"]["value"] == "price-plan-1"
    assert len(response["meters-chart"]["figure"]["data"]) == 2  # kW line and daily kWh bars


def test_an_unknown_meter_gets_a_message(meters_app, client_as):
    response = fire(client_as("viewer"), meters_app, "meters-chart.figure",
                    {"meters-meter.value": "nope"}).json["response"]
    assert "no smart meter 'nope'" in str(response["meters-message"])


def test_only_an_admin_changes_a_plan_and_the_change_is_audited(meters_app, client_as):
    values = {"meters-change-plan.n_clicks": 1, "meters-meter.value": "smart-meter-0",
              "meters-plan.value": "price-plan-2"}
    refused = fire(client_as("trader"), meters_app, "meters-plan-status.children", values)
    assert refused.status_code == 403
    done = fire(client_as("admin"), meters_app, "meters-plan-status.children", values).json["response"]
    assert "moved from price-plan-0 to price-plan-2" in str(done["meters-plan-status"])
    [event] = list_events(meters_app.server.extensions["powerdesk"].db, action_prefix="plan.changed")
    assert event.actor == "admin" and event.target == "smart-meter-0"
