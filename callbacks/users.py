"""Users page callbacks (admin only): list, create, select a row, change role, enable, disable
(after a confirmation), reset a password."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, ctx, html
from flask import request
from flask_login import current_user

from callbacks.context import database
from components.feedback import error_alert, success_alert
from domain.roles import ROLE_ORDER
from domain.settlement_time import format_local
from security.authz import role_callback
from services import users
from services.errors import InvalidInput, ServiceError
from services.validation import parse_choice, parse_text


def user_rows(all_users) -> list[dict]:
    return [
        {
            "username": user.username,
            "role": user.role,
            "status": "active" if user.is_active else "disabled",
            "created": format_local(user.created_at, with_period=False),
            "last_login": format_local(user.last_login_at, with_period=False) if user.last_login_at else "never",
        }
        for user in all_users
    ]


def selected_row(selected_rows) -> dict | None:
    """The one selected grid row, or None; anything that is not a list of row objects counts as none."""
    if isinstance(selected_rows, list) and len(selected_rows) == 1 and isinstance(selected_rows[0], dict) \
            and isinstance(selected_rows[0].get("username"), str):
        return selected_rows[0]
    return None


def _selected_name(selected_rows) -> str:
    row = selected_row(selected_rows)
    if row is None:
        raise InvalidInput("select a user in the table first")
    return row["username"]


def _refuse_self_change(target: str) -> None:
    if users.normalise_username(target) == current_user.username:
        raise InvalidInput("you cannot change or disable your own account; ask another admin")


def _password_shown_once(username: str, password: str):
    # no auto-dismiss: the admin needs time to copy it
    return dbc.Alert([f"New password for {username!r} (shown once; copy it now): ",
                      html.Code(password, className="user-select-all")], color="success", className="py-2 mb-2",
                     dismissable=True)


def register(app: dash.Dash) -> None:
    from pages import users as page

    @role_callback(
        app,
        "admin",
        Output(page.MESSAGE, "children"),
        Output(page.TABLE, "rowData"),
        Output(page.NEW_PASSWORD, "value"),
        Output(page.RESET_PASSWORD_VALUE, "value"),
        Input(page.LOAD, "data"),
        Input(page.CREATE, "n_clicks"),
        Input(page.SET_ROLE, "n_clicks"),
        Input(page.ENABLE, "n_clicks"),
        Input(page.CONFIRM_YES, "n_clicks"),
        Input(page.RESET_PASSWORD, "n_clicks"),
        State(page.NEW_NAME, "value"),
        State(page.NEW_ROLE, "value"),
        State(page.NEW_PASSWORD, "value"),
        State(page.TABLE, "selectedRows"),
        State(page.TARGET_ROLE, "value"),
        State(page.RESET_PASSWORD_VALUE, "value"),
    )
    def manage_users(_load, _create, _set_role, _enable, _disable, _reset, new_name, new_role, new_password,
                     selected_rows, target_role, reset_value):
        db = database()
        actor, address = current_user.username, request.remote_addr
        message, clear_new, clear_reset = None, dash.no_update, dash.no_update
        try:
            if ctx.triggered_id == page.CREATE:
                user = users.create_user(db, parse_text(new_name, "a user name", 64),
                                         parse_text(new_password, "a password", 1024),
                                         parse_choice(new_role, "a role", ROLE_ORDER), actor=actor,
                                         remote_addr=address)
                message, clear_new = success_alert(f"Created {user.role} {user.username!r}."), ""
            elif ctx.triggered_id == page.SET_ROLE:
                target = _selected_name(selected_rows)
                _refuse_self_change(target)
                user = users.set_role(db, target, parse_choice(target_role, "a role", ROLE_ORDER), actor=actor,
                                      remote_addr=address)
                message = success_alert(f"{user.username!r} is now {user.role}; their sessions have ended.")
            elif ctx.triggered_id == page.ENABLE:
                user = users.enable_user(db, _selected_name(selected_rows), actor=actor, remote_addr=address)
                message = success_alert(f"Enabled {user.username!r}; they can log in again.")
            elif ctx.triggered_id == page.CONFIRM_YES:
                target = _selected_name(selected_rows)
                _refuse_self_change(target)
                user = users.disable_user(db, target, actor=actor, remote_addr=address)
                message = success_alert(f"Disabled {user.username!r}; their sessions have ended.")
            elif ctx.triggered_id == page.RESET_PASSWORD:
                target = _selected_name(selected_rows)
                _refuse_self_change(target)
                given = parse_text(reset_value, "a password", 1024, required=False)
                user, generated = users.reset_password(db, target, given or None, actor=actor, remote_addr=address)
                clear_reset = ""
                message = (_password_shown_once(user.username, generated) if generated else
                           success_alert(f"Set a new password for {user.username!r}; their sessions have ended."))
        except ServiceError as error:
            message = error_alert(str(error))
        return message, user_rows(users.list_users(db)), clear_new, clear_reset

    @role_callback(
        app,
        "admin",
        Output(page.SELECTED, "children"),
        Output(page.SET_ROLE, "disabled"),
        Output(page.ENABLE, "disabled"),
        Output(page.DISABLE, "disabled"),
        Output(page.RESET_PASSWORD, "disabled"),
        Input(page.TABLE, "selectedRows"),
    )
    def show_selection(selected_rows):
        row = selected_row(selected_rows)
        if row is None:
            return "Click a user in the table.", True, True, True, True
        active = row.get("status") == "active"
        own = row["username"] == current_user.username
        summary = f"Selected: {row['username']} ({row.get('role', '?')}, {row.get('status', '?')})"
        if own:
            summary += " — your own account cannot be changed here"
        return summary, own, own or active, own or not active, own

    @role_callback(
        app,
        "admin",
        Output(page.CONFIRM, "is_open"),
        Output(page.CONFIRM_TEXT, "children"),
        Input(page.DISABLE, "n_clicks"),
        Input(page.CONFIRM_NO, "n_clicks"),
        Input(page.CONFIRM_YES, "n_clicks"),
        State(page.TABLE, "selectedRows"),
        prevent_initial_call=True,
    )
    def confirm_disable(_open, _cancel, _confirm, selected_rows):
        row = selected_row(selected_rows)
        if ctx.triggered_id != page.DISABLE or row is None:
            return False, dash.no_update
        return True, (f"{row['username']} will not be able to log in, and their open sessions end now. "
                      "You can enable the account again later.")
