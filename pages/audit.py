"""Audit log (admin): who did what and when — logins, failed logins, user changes, runs, plans,
price imports — filtered by action, actor and dates, with a CSV export."""

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.feedback import forbidden_notice
from domain.roles import role_allows
from security.authz import current_role

dash.register_page(__name__, path="/admin/audit", name="Audit log", title="Audit log · Powerdesk", nav_order=95,
                   min_role="admin")

LOAD = "audit-load"
ACTION = "audit-action"
ACTOR = "audit-actor"
DATES = "audit-dates"
APPLY = "audit-apply"
TABLE = "audit-table"
MESSAGE = "audit-message"
DOWNLOAD_BUTTON = "audit-download-button"
DOWNLOAD = "audit-download"

ALL_ACTIONS = "all"
ACTION_OPTIONS = [
    {"label": "All actions", "value": ALL_ACTIONS},
    {"label": "Logins (succeeded, failed, throttled)", "value": "login"},
    {"label": "Failed logins", "value": "login.failed"},
    {"label": "Logouts", "value": "logout"},
    {"label": "User changes", "value": "user."},
    {"label": "Runs", "value": "run."},
    {"label": "Price plans", "value": "plan."},
    {"label": "Price imports", "value": "prices."},
    {"label": "API keys", "value": "apikey."},
]
TABLE_COLUMNS = [
    {"field": "at", "headerName": "When (UK time)", "minWidth": 215, "cellDataType": "text"},
    {"field": "actor", "headerName": "Who"},
    {"field": "action", "headerName": "Action"},
    {"field": "target", "headerName": "Target"},
    {"field": "detail", "headerName": "Detail", "minWidth": 220},
    {"field": "remote_addr", "headerName": "Address"},
]


def layout(**_query):
    if not role_allows(current_role(), "admin"):
        return forbidden_notice("admin", current_role())
    filters = dbc.Card(dbc.CardBody(dbc.Row([
        dbc.Col([dbc.Label("Action", html_for=ACTION), dbc.Select(id=ACTION, options=ACTION_OPTIONS, value=ALL_ACTIONS)],
                md=3),
        dbc.Col([dbc.Label("Who (user name)", html_for=ACTOR),
                 dbc.Input(id=ACTOR, placeholder="any", autoComplete="off", maxLength=64, debounce=True)], md=3),
        dbc.Col([dbc.Label("Dates (UK)", html_for=DATES),
                 html.Div(dcc.DatePickerRange(id=DATES, display_format="YYYY-MM-DD", clearable=True,
                                              start_date_placeholder_text="YYYY-MM-DD",
                                              end_date_placeholder_text="YYYY-MM-DD"))], md=True),
        dbc.Col([dbc.Button("Show", id=APPLY, color="primary", n_clicks=0, className="me-2"),
                 dbc.Button("Download CSV", id=DOWNLOAD_BUTTON, color="secondary", outline=True, n_clicks=0,
                           className="text-nowrap")],
                md="auto", className="d-flex align-items-end"),
    ], className="g-2")), className="mb-3")
    return html.Div([
        dcc.Store(id=LOAD, data=0),
        dcc.Download(id=DOWNLOAD),
        html.H2("Audit log", className="h4 mb-3"),
        filters,
        html.Div(id=MESSAGE),
        dbc.Card(dbc.CardBody(dag.AgGrid(id=TABLE, columnDefs=TABLE_COLUMNS, rowData=[],
                                         columnSize="responsiveSizeToFit", style={"height": "520px"},
                                         dashGridOptions={"tooltipShowDelay": 300}))),
    ])
