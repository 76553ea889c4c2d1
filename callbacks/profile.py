"""Profile page callbacks: your own daily-email choice (every role) and everyone's (admin)."""

from __future__ import annotations

import dash
from dash import Input, Output, State, ctx
from flask_login import current_user

from callbacks.context import database
from components.feedback import error_alert, success_alert
from security.authz import role_callback
from services import price_email
from services.errors import ServiceError


def recipient_rows(recipients) -> list[dict]:
    return [
        {
            "username": r.username,
            "role": r.role,
            "status": "active" if r.is_active else "disabled",
            "daily_email": "on" if r.enabled else "off",
            "email": r.email or "not set",
            "last_email": r.last_email or "none yet",
        }
        for r in recipients
    ]


def _saved_text(recipient) -> str:
    if recipient.enabled:
        return f"Saved: the daily prices go to {recipient.email} each morning."
    return "Saved: no daily price email."


def register(app: dash.Dash) -> None:
    from pages import profile as page

    @role_callback(
        app,
        "viewer",
        Output(page.EMAIL, "value"),
        Output(page.OPT_IN, "value"),
        Input(page.LOAD, "data"),
    )
    def load_own(_load):
        mine = price_email.get_preference(database(), current_user.username)
        return mine.email or "", mine.enabled

    @role_callback(
        app,
        "viewer",
        Output(page.MESSAGE, "children"),
        Output(page.SAVED, "data"),
        Input(page.SAVE, "n_clicks"),
        State(page.EMAIL, "value"),
        State(page.OPT_IN, "value"),
        prevent_initial_call=True,
    )
    def save_own(_clicks, email, opt_in):
        try:
            saved = price_email.set_preference(database(), current_user.username, email, bool(opt_in),
                                               actor=current_user.username)
        except ServiceError as error:
            return error_alert(str(error)), dash.no_update
        return success_alert(_saved_text(saved)), _clicks

    @role_callback(
        app,
        "admin",
        Output(page.ADMIN_MESSAGE, "children"),
        Output(page.ADMIN_TABLE, "rowData"),
        Output(page.ADMIN_USER, "options"),
        Input(page.ADMIN_LOAD, "data"),
        Input(page.SAVED, "data"),
        Input(page.ADMIN_SAVE, "n_clicks"),
        State(page.ADMIN_USER, "value"),
        State(page.ADMIN_EMAIL, "value"),
        State(page.ADMIN_OPT_IN, "value"),
    )
    def manage_recipients(_load, _saved_own, _save, username, email, opt_in):
        db = database()
        message = None
        if ctx.triggered_id == page.ADMIN_SAVE:
            try:
                if not username:
                    raise price_email.InvalidInput("choose a user first")
                saved = price_email.set_preference(db, username, email, bool(opt_in), actor=current_user.username)
                message = success_alert(f"{saved.username}: " + _saved_text(saved).removeprefix("Saved: "))
            except ServiceError as error:
                message = error_alert(str(error))
        recipients = price_email.list_recipients(db)
        options = [{"label": r.username, "value": r.username} for r in recipients]
        return message, recipient_rows(recipients), options

    @role_callback(
        app,
        "admin",
        Output(page.ADMIN_EMAIL, "value"),
        Output(page.ADMIN_OPT_IN, "value"),
        Input(page.ADMIN_USER, "value"),
        prevent_initial_call=True,
    )
    def show_users_choice(username):
        if not username:
            return "", True
        try:
            chosen = price_email.get_preference(database(), username)
        except ServiceError:
            return "", True
        return chosen.email or "", chosen.enabled or not chosen.email
