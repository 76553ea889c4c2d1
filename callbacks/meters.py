"""Meters page callbacks: meter choices, usage and costs, and the admins' plan change."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, html
from flask_login import current_user

from callbacks.context import database
from components import ids
from components.feedback import error_alert, info_alert, success_alert
from components.meters import (
    cost_table,
    meter_options,
    plan_options,
    recommendation_list,
    summary_cards,
    usage_figure,
)
from domain.price_plans import daily_energy_kwh
from domain.roles import role_allows
from security.authz import current_role, role_callback
from services import meters
from services.errors import ServiceError


def _max_gap_s() -> float:
    from flask import current_app

    return current_app.extensions["powerdesk"].settings.meter_max_gap_s


def not_costed_message(comparison: meters.MeterComparison):
    """Above the chart: which plans cannot be costed over the meter's whole window and why; None when all can."""
    reasons = meters.not_costed_reasons(comparison)
    if comparison.current_plan_id is None:
        reasons = {"(none)": "this meter has no price plan; an admin can choose one below", **reasons}
    if not reasons:
        return None
    lines = [html.Li([html.Strong(plan_id), f": {reason}."]) for plan_id, reason in reasons.items()]
    current = comparison.current_plan_id in reasons
    head = ("This meter's current plan cannot be costed, so no saving is shown:" if current
            else "Some plans cannot be costed over this meter's whole window, so they are not ranked:")
    return dbc.Alert([html.Div(head), html.Ul(lines, className="mb-0")], color="warning" if current else "info",
                     className="py-2 mb-2", id="meters-not-costed")


def register(app: dash.Dash) -> None:
    from pages import meters as page

    @app.callback(
        Output(page.METER, "options"),
        Output(page.METER, "value"),
        Output(page.PLAN, "options"),
        Output(page.ADMIN_SECTION, "hidden"),
        Input(page.LOAD, "data"),
        State(page.REQUESTED, "data"),
    )
    def initialise(_load, requested):
        listings = meters.list_meters(database())
        known = {m.meter_id for m in listings}
        # An unknown ?meter= chooses nothing (show_meter says so): opening the first meter instead showed another
        # customer's usage under a link that named someone else.
        # Opened without a meter: one whose plans can all be costed, not one that opens on "not costed".
        chosen = requested if requested in known else (None if requested else
                                                       meters.opening_meter(database(), listings, _max_gap_s()))
        is_admin = role_allows(current_role(), "admin")
        return meter_options(listings), chosen, plan_options(meters.list_plans(database())), not is_admin

    @app.callback(
        Output(page.CHART, "figure"),
        Output(page.SUMMARY, "children"),
        Output(page.COSTS, "children"),
        Output(page.RECOMMENDATIONS, "children"),
        Output(page.MESSAGE, "children"),
        Output(page.PLAN, "value"),
        Input(page.METER, "value"),
        Input(ids.THEME_STORE, "data"),
        Input(page.PLAN_STATUS, "children"),
        State(page.REQUESTED, "data"),
    )
    def show_meter(meter_id, theme, _plan_status, requested):
        empty = usage_figure([], [], pd.Series(dtype=float), theme)
        if not meter_id and requested:
            return empty, None, None, None, error_alert(
                f"There is no smart meter {str(requested)[:64]!r}; choose a meter above."), None
        if not meter_id:
            return empty, None, None, None, info_alert("No smart meters yet: they appear when one posts readings."), None
        try:
            comparison = meters.compare_meter(database(), meter_id, _max_gap_s())
        except ServiceError as error:
            return empty, None, None, None, error_alert(str(error)), None
        daily = daily_energy_kwh(comparison.times_s, comparison.power_kw, comparison.max_gap_s)
        figure = usage_figure(comparison.times_s, comparison.power_kw, daily, theme, comparison.max_gap_s)
        return (figure, summary_cards(comparison), cost_table(comparison), recommendation_list(comparison),
                not_costed_message(comparison), comparison.current_plan_id)

    @role_callback(
        app,
        "admin",
        Output(page.PLAN_STATUS, "children"),
        Input(page.CHANGE_PLAN, "n_clicks"),
        State(page.METER, "value"),
        State(page.PLAN, "value"),
        prevent_initial_call=True,
    )
    def change_plan(_clicks, meter_id, plan_id):
        if not meter_id or not plan_id:
            return error_alert("Choose a meter and a plan first.")
        try:
            previous = meters.change_plan(database(), current_user.username, meter_id, plan_id)
        except ServiceError as error:
            return error_alert(str(error))
        if previous == plan_id:
            return info_alert(f"{meter_id} is already on {plan_id}.")
        return success_alert(f"{meter_id} moved from {previous or 'no plan'} to {plan_id}.")
