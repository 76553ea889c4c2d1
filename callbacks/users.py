"""Users page callbacks (admin only): list, create, change role, disable."""

from __future__ import annotations

import dash
from dash import Input, Output, State, ctx
from flask_login import current_user

from callbacks.context import database
from components.feedback import error_alert, success_alert
from domain.settlement_time import format_local
from security.authz import role_callback
from services import users
from services.errors import InvalidInput, ServiceError


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


def _refuse_self_change(target: str) -> None:
    if users.normalise_username(target or "") == current_user.username:
        raise InvalidInput("you cannot change or disable your own account; ask another admin")


def register(app: dash.Dash) -> None:
    from pages import users as page

    @role_callback(
        app,
        "admin",
        Output(page.MESSAGE, "children"),
        Output(page.TABLE, "rowData"),
        Output(page.NEW_PASSWORD, "value"),
        Input(page.LOAD, "data"),
        Input(page.CREATE, "n_clicks"),
        Input(page.SET_ROLE, "n_clicks"),
        Input(page.DISABLE, "n_clicks"),
        State(page.NEW_NAME, "value"),
        State(page.NEW_ROLE, "value"),
        State(page.NEW_PASSWORD, "value"),
        State(page.TARGET, "value"),
        State(page.TARGET_ROLE, "value"),
    )
    def manage_users(_load, _create, _set_role, _disable, new_name, new_role, new_password, target, target_role):
        db = database()
        message, clear_password = None, dash.no_update
        try:
            if ctx.triggered_id == page.CREATE:
                user = users.create_user(db, new_name or "", new_password or "", new_role or "viewer")
                message, clear_password = success_alert(f"Created {user.role} {user.username!r}."), ""
            elif ctx.triggered_id == page.SET_ROLE:
                _refuse_self_change(target)
                user = users.set_role(db, target or "", target_role or "")
                message = success_alert(f"{user.username!r} is now {user.role}.")
            elif ctx.triggered_id == page.DISABLE:
                _refuse_self_change(target)
                user = users.disable_user(db, target or "")
                message = success_alert(f"Disabled {user.username!r}; their sessions end at their next request.")
        except ServiceError as error:
            message = error_alert(str(error))
        return message, user_rows(users.list_users(db)), clear_password
