"""Users (admin): who can log in, with which role; create, change role, enable, disable (after a
confirmation), reset a password. Pick a user by clicking their row."""

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
SELECTED = "users-selected"
TARGET_ROLE = "users-target-role"
SET_ROLE = "users-set-role"
ENABLE = "users-enable"
DISABLE = "users-disable"
RESET_PASSWORD_VALUE = "users-reset-password-value"
RESET_PASSWORD = "users-reset-password"
CONFIRM = "users-confirm-disable"
CONFIRM_TEXT = "users-confirm-disable-text"
CONFIRM_YES = "users-confirm-disable-yes"
CONFIRM_NO = "users-confirm-disable-no"

ROLE_OPTIONS = [{"label": role.title(), "value": role} for role in ROLE_ORDER]
TABLE_COLUMNS = [
    {"field": "username", "headerName": "User"},
    {"field": "role", "headerName": "Role"},
    {"field": "status", "headerName": "Status"},
    # cellDataType text: AG Grid would otherwise infer a date column from the first row and
    # render "never" as an empty cell
    {"field": "created", "headerName": "Created (UK time)", "cellDataType": "text"},
    {"field": "last_login", "headerName": "Last login (UK time)", "cellDataType": "text"},
]


def layout(**_query):
    if not role_allows(current_role(), "admin"):
        return forbidden_notice("admin", current_role())
    create = dbc.Card(dbc.CardBody([
        html.H3("New user", className="h6"),
        dbc.Input(id=NEW_NAME, placeholder="user name", className="mb-2", autoComplete="off", maxLength=64),
        dbc.Select(id=NEW_ROLE, options=ROLE_OPTIONS, value="viewer", className="mb-2"),
        dbc.Input(id=NEW_PASSWORD, type="password", placeholder="password (12+ characters)", className="mb-2",
                  autoComplete="new-password", maxLength=1024),
        dbc.Button("Create user", id=CREATE, color="primary", n_clicks=0),
    ]))
    change = dbc.Card(dbc.CardBody([
        html.H3("Change the selected user", className="h6"),
        html.P("Click a user in the table.", id=SELECTED, className="small text-body-secondary mb-2"),
        dbc.InputGroup([
            dbc.Select(id=TARGET_ROLE, options=ROLE_OPTIONS, value="trader"),
            dbc.Button("Set role", id=SET_ROLE, color="secondary", n_clicks=0, disabled=True),
        ], className="mb-2"),
        html.Div([
            dbc.Button("Enable", id=ENABLE, color="success", outline=True, n_clicks=0, className="me-2",
                       disabled=True),
            dbc.Button("Disable…", id=DISABLE, color="danger", outline=True, n_clicks=0, disabled=True),
        ], className="mb-3"),
        html.H4("Reset password", className="h6"),
        dbc.Input(id=RESET_PASSWORD_VALUE, type="password", className="mb-2", autoComplete="new-password",
                  maxLength=1024, placeholder="new password, or leave empty to generate one"),
        dbc.Button("Reset password", id=RESET_PASSWORD, color="warning", outline=True, n_clicks=0, disabled=True),
        html.P("Role changes, password resets and disabling end the user's sessions at once.",
               className="small text-body-secondary mt-2 mb-0"),
    ]))
    confirm = dbc.Modal([
        dbc.ModalHeader(dbc.ModalTitle("Disable this user?")),
        dbc.ModalBody(id=CONFIRM_TEXT),
        dbc.ModalFooter([
            dbc.Button("Cancel", id=CONFIRM_NO, color="secondary", n_clicks=0),
            dbc.Button("Disable", id=CONFIRM_YES, color="danger", n_clicks=0),
        ]),
    ], id=CONFIRM, is_open=False)
    return html.Div([
        dcc.Store(id=LOAD, data=0),
        html.H2("Users", className="h4 mb-3"),
        html.Div(id=MESSAGE),
        dbc.Row([
            dbc.Col(dbc.Card(dbc.CardBody(dag.AgGrid(
                id=TABLE, columnDefs=TABLE_COLUMNS, rowData=[], columnSize="responsiveSizeToFit",
                getRowId="params.data.username",
                dashGridOptions={"rowSelection": {"mode": "singleRow", "enableClickSelection": True,
                                                  "checkboxes": False}},
                style={"height": "360px"}))), lg=8),
            dbc.Col([change, html.Div(className="mb-3"), create], lg=4),
        ], className="g-3"),
        confirm,
    ])
