"""Audit log page callbacks (admin only): filter, show, export CSV."""

from __future__ import annotations

import json
from datetime import timedelta

import dash
import pandas as pd
from dash import Input, Output, State, dcc

from callbacks.context import database
from components.feedback import error_alert, info_alert
from domain.settlement_time import day_start_utc, format_local
from security.authz import role_callback
from services import audit
from services.errors import InvalidInput
from services.validation import parse_date, parse_text

MAX_ROWS = 1000


def event_rows(events) -> list[dict]:
    return [
        {
            "at": format_local(event.at, with_period=False),
            "at_utc": event.at.isoformat().replace("+00:00", "Z"),
            "actor": event.actor,
            "action": event.action,
            "target": event.target,
            "detail": json.dumps(event.detail, sort_keys=True) if event.detail else "",
            "remote_addr": event.remote_addr or "",
        }
        for event in events
    ]


def spreadsheet_safe(text: str) -> str:
    """Text a spreadsheet will not run as a formula when the CSV is opened."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def filtered_events(action, actor, start, end, limit: int = MAX_ROWS):
    """Events matching the page's filters; dates are GB local days, inclusive."""
    from pages.audit import ALL_ACTIONS

    action = parse_text(action, "an action", 64, required=False)
    options = {"action_prefix": None if action == ALL_ACTIONS else action or None,
               "actor": parse_text(actor, "a user name", 64, required=False).lower() or None}
    if start:
        options["since"] = day_start_utc(parse_date(start, "from date", allow_midnight_suffix=True))
    if end:
        options["until"] = day_start_utc(parse_date(end, "to date", allow_midnight_suffix=True) + timedelta(days=1))
    if options.get("since") and options.get("until") and options["until"] <= options["since"]:
        raise InvalidInput("the end date is before the start date")
    return audit.list_events(database(), limit=limit, **options)


def register(app: dash.Dash) -> None:
    from pages import audit as page

    @role_callback(
        app,
        "admin",
        Output(page.TABLE, "rowData"),
        Output(page.MESSAGE, "children"),
        Input(page.LOAD, "data"),
        Input(page.APPLY, "n_clicks"),
        Input(page.ACTION, "value"),
        Input(page.ACTOR, "value"),
        State(page.DATES, "start_date"),
        State(page.DATES, "end_date"),
    )
    def show_events(_load, _apply, action, actor, start, end):
        try:
            events = filtered_events(action, actor, start, end)
        except InvalidInput as error:
            return [], error_alert(str(error))
        if len(events) >= MAX_ROWS:
            return event_rows(events), info_alert(f"Showing the newest {MAX_ROWS} events; narrow the filters "
                                                  "or download the CSV for everything.")
        return event_rows(events), None if events else info_alert("No events match these filters.")

    @role_callback(
        app,
        "admin",
        Output(page.DOWNLOAD, "data"),
        Input(page.DOWNLOAD_BUTTON, "n_clicks"),
        State(page.ACTION, "value"),
        State(page.ACTOR, "value"),
        State(page.DATES, "start_date"),
        State(page.DATES, "end_date"),
        prevent_initial_call=True,
    )
    def download(_clicks, action, actor, start, end):
        try:
            events = filtered_events(action, actor, start, end, limit=100_000)
        except InvalidInput:
            return dash.no_update  # the table's message says what is wrong
        frame = pd.DataFrame(event_rows(events), columns=["at_utc", "at", "actor", "action", "target", "detail",
                                                          "remote_addr"])
        frame = frame.rename(columns={"at": "at_uk"})
        for column in ("actor", "target", "detail"):  # user-typed text (a login name tried) is not a formula
            frame[column] = frame[column].map(spreadsheet_safe)
        return dcc.send_data_frame(frame.to_csv, "powerdesk_audit.csv", index=False)
