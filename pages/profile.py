"""Profile (every role): the daily price email opt-in; admins also manage everyone's."""

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html
from flask import current_app

from domain.roles import role_allows
from security.authz import current_role

dash.register_page(__name__, path="/profile", name="Profile", title="Profile · Powerdesk", nav_order=80,
                   min_role="viewer")

LOAD = "profile-load"
EMAIL = "profile-email"
OPT_IN = "profile-opt-in"
SAVE = "profile-save"
MESSAGE = "profile-message"
SAVED = "profile-saved"

ADMIN_LOAD = "profile-admin-load"
ADMIN_TABLE = "profile-recipients-table"
ADMIN_USER = "profile-admin-user"
ADMIN_EMAIL = "profile-admin-email"
ADMIN_OPT_IN = "profile-admin-opt-in"
ADMIN_SAVE = "profile-admin-save"
ADMIN_MESSAGE = "profile-admin-message"

RECIPIENT_COLUMNS = [
    {"field": "username", "headerName": "User", "flex": 2, "minWidth": 90},
    {"field": "role", "headerName": "Role", "flex": 1, "minWidth": 80},
    {"field": "status", "headerName": "Status", "flex": 1, "minWidth": 80},
    {"field": "daily_email", "headerName": "Daily email", "flex": 1, "minWidth": 95},
    {"field": "email", "headerName": "Address", "flex": 3, "minWidth": 160, "tooltipField": "email"},
    {"field": "last_email", "headerName": "Latest email", "flex": 3, "minWidth": 160, "tooltipField": "last_email"},
]


def own_preference_card(send_time: str) -> dbc.Card:
    return dbc.Card(dbc.CardBody([
        html.H3("Daily price email", className="h6"),
        html.P(f"Each morning at {send_time} UK time, the previous settlement day's prices per market: min, max "
               "and mean with their periods, peak and off-peak, the best charge and discharge windows, a chart "
               "and the prices as CSV.", className="small text-body-secondary"),
        dbc.Label("Email address", html_for=EMAIL),
        dbc.Input(id=EMAIL, type="email", placeholder="name@example.com", className="mb-2", autoComplete="email",
                  maxLength=254),
        dbc.Switch(id=OPT_IN, label="Email me the daily prices", value=False, className="mb-2"),
        dbc.Button("Save", id=SAVE, color="primary", n_clicks=0),
        html.Div(id=MESSAGE, className="mt-2"),
    ]))


def admin_card() -> dbc.Card:
    return dbc.Card(dbc.CardBody([
        html.H3("Recipients (admin)", className="h6"),
        dag.AgGrid(id=ADMIN_TABLE, columnDefs=RECIPIENT_COLUMNS, rowData=[], style={"height": "260px"},
                   className="mb-3"),
        dbc.Row([
            dbc.Col(dbc.Select(id=ADMIN_USER, options=[], placeholder="user"), md=3),
            dbc.Col(dbc.Input(id=ADMIN_EMAIL, type="email", placeholder="name@example.com", maxLength=254), md=4),
            dbc.Col(dbc.Switch(id=ADMIN_OPT_IN, label="Send the daily email", value=True), md=3,
                    className="d-flex align-items-center"),
            dbc.Col(dbc.Button("Save for user", id=ADMIN_SAVE, color="secondary", n_clicks=0), md=2),
        ], className="g-2"),
        html.Div(id=ADMIN_MESSAGE, className="mt-2"),
    ]))


def layout(**_query):
    admin = role_allows(current_role(), "admin")
    return html.Div([
        dcc.Store(id=LOAD, data=0),
        dcc.Store(id=SAVED, data=0),
        html.H2("Profile", className="h4 mb-3"),
        dbc.Row([
            dbc.Col(own_preference_card(current_app.extensions["powerdesk"].settings.price_email_time), lg=4),
            dbc.Col([dcc.Store(id=ADMIN_LOAD, data=0), admin_card()] if admin else [], lg=8),
        ], className="g-3"),
    ])
