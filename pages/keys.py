"""API keys (every role): create, list and revoke your own keys; admins see every key and make machine keys."""

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from domain.key_kinds import MACHINE_SCOPES
from domain.roles import role_allows
from security.authz import current_role

dash.register_page(__name__, path="/keys", name="API keys", title="API keys · Powerdesk", nav_order=85,
                   min_role="viewer")

LOAD = "keys-load"
CHANGED = "keys-changed"
NAME = "keys-name"
KIND = "keys-kind"
SCOPES = "keys-scopes"
EXPIRES_DAYS = "keys-expires-days"
CREATE = "keys-create"
SECRET = "keys-secret"
TABLE = "keys-table"
REVOKE_NAME = "keys-revoke-name"
REVOKE = "keys-revoke"
MESSAGE = "keys-message"
USER_KEY, MACHINE_KEY = "user", "machine"
MAX_EXPIRY_DAYS = 3650

COLUMNS = [
    {"field": "name", "headerName": "Name", "flex": 2, "minWidth": 120},
    {"field": "kind", "headerName": "Kind", "flex": 1, "minWidth": 80},
    {"field": "acts_as", "headerName": "User or scopes", "flex": 3, "minWidth": 160, "tooltipField": "acts_as"},
    {"field": "status", "headerName": "Status", "flex": 1, "minWidth": 80},
    {"field": "expires", "headerName": "Expires (UK)", "flex": 2, "minWidth": 120},
    {"field": "last_used", "headerName": "Last used (UK)", "flex": 2, "minWidth": 120},
    {"field": "last_address", "headerName": "From", "flex": 2, "minWidth": 100},
]


def create_card(admin: bool) -> dbc.Card:
    kinds = [{"label": "User key (acts as you, with your role)", "value": USER_KEY}]
    if admin:
        kinds.append({"label": "Machine key (only its scopes)", "value": MACHINE_KEY})
    return dbc.Card(dbc.CardBody([
        html.H3("New key", className="h6"),
        dbc.Label("Name", html_for=NAME),
        dbc.Input(id=NAME, placeholder="e.g. my-notebook", maxLength=64, className="mb-2"),
        dbc.Label("Kind", html_for=KIND),
        dbc.RadioItems(id=KIND, options=kinds, value=USER_KEY, className="mb-2"),
        dbc.Label("Scopes (machine keys)", html_for=SCOPES),
        dbc.Checklist(id=SCOPES, options=[{"label": f"{scope}: {text}", "value": scope}
                                          for scope, text in MACHINE_SCOPES.items()] if admin else [],
                      value=[], className="mb-2 small"),
        dbc.Label("Expires after (days, optional)", html_for=EXPIRES_DAYS),
        dbc.Input(id=EXPIRES_DAYS, type="number", min=1, max=MAX_EXPIRY_DAYS, step=1, className="mb-2"),
        dbc.Button("Create key", id=CREATE, color="primary", n_clicks=0),
        html.Div(id=SECRET, className="mt-2"),
    ]))


def layout(**_query):
    admin = role_allows(current_role(), "admin")
    return html.Div([
        dcc.Store(id=LOAD, data=0),
        dcc.Store(id=CHANGED, data=0),
        html.H2("API keys", className="h4 mb-3"),
        html.P("A user key acts as its user: the same role, checked on every call, and it stops when the "
               "user is disabled. A machine key may call only what its scopes allow." +
               (" You see every key." if admin else " You see your own keys."), className="small"),
        dbc.Row([
            dbc.Col(create_card(admin), lg=4),
            dbc.Col([
                dag.AgGrid(id=TABLE, columnDefs=COLUMNS, rowData=[], style={"height": "320px"}, className="mb-2"),
                dbc.Row([
                    dbc.Col(dbc.Select(id=REVOKE_NAME, options=[], placeholder="key to revoke"), md=6),
                    dbc.Col(dbc.Button("Revoke", id=REVOKE, color="danger", n_clicks=0), md=3),
                ], className="g-2"),
                html.Div(id=MESSAGE, className="mt-2"),
            ], lg=8),
        ], className="g-3"),
    ])
