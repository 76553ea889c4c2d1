"""Users (admin): who can log in, with which role; create, change role, disable."""

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.feedback import forbidden_notice
from domain.roles import ROLE_ORDER, role_allows
from security.authz import current_role

dash.register_page(__name__, path="/admin/users", name="Users", title="Users · Powerdesk", nav_order=90,
                   min_role="admin")

LOAD = "users-load"
TABLE = "users-table"
MESSAGE = "users-message"
NEW_NAME = "users-new-name"
NEW_ROLE = "users-new-role"
NEW_PASSWORD = "users-new-password"
CREATE = "users-create"
TARGET = "users-target"
TARGET_ROLE = "users-target-role"
SET_ROLE = "users-set-role"
DISABLE = "users-disable"

ROLE_OPTIONS = [{"label": role.title(), "value": role} for role in ROLE_ORDER]
TABLE_COLUMNS = [
    {"field": "username", "headerName": "User"},
    {"field": "role", "headerName": "Role"},
    {"field": "status", "headerName": "Status"},
    {"field": "created", "headerName": "Created (UK time)"},
    {"field": "last_login", "headerName": "Last login (UK time)"},
]


def layout(**_query):
    if not role_allows(current_role(), "admin"):
        return forbidden_notice("admin", current_role())
    create = dbc.Card(dbc.CardBody([
        html.H3("New user", className="h6"),
        dbc.Input(id=NEW_NAME, placeholder="user name", className="mb-2", autoComplete="off"),
        dbc.Select(id=NEW_ROLE, options=ROLE_OPTIONS, value="viewer", className="mb-2"),
        dbc.Input(id=NEW_PASSWORD, type="password", placeholder="password (12+ characters)", className="mb-2",
                  autoComplete="new-password"),
        dbc.Button("Create user", id=CREATE, color="primary", n_clicks=0),
    ]))
    change = dbc.Card(dbc.CardBody([
        html.H3("Change a user", className="h6"),
        dbc.Input(id=TARGET, placeholder="user name", className="mb-2", autoComplete="off"),
        dbc.Select(id=TARGET_ROLE, options=ROLE_OPTIONS, value="trader", className="mb-2"),
        html.Div([dbc.Button("Set role", id=SET_ROLE, color="secondary", n_clicks=0, className="me-2"),
                  dbc.Button("Disable", id=DISABLE, color="danger", outline=True, n_clicks=0)]),
    ]))
    return html.Div([
        dcc.Store(id=LOAD, data=0),
        html.H2("Users", className="h4 mb-3"),
        html.Div(id=MESSAGE),
        dbc.Row([
            dbc.Col(dbc.Card(dbc.CardBody(dag.AgGrid(id=TABLE, columnDefs=TABLE_COLUMNS, rowData=[],
                                                     columnSize="responsiveSizeToFit",
                                                     style={"height": "360px"}))), lg=8),
            dbc.Col([create, html.Div(className="mb-3"), change], lg=4),
        ], className="g-3"),
    ])
