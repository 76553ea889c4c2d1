"""Keys page callbacks: list, create (the secret shown once) and revoke API keys."""

from __future__ import annotations

from datetime import timedelta

import dash
from dash import Input, Output, State, html
from flask_login import current_user

from callbacks.context import database
from components.feedback import error_alert, success_alert
from data_access.types import utc_now
from domain.roles import role_allows
from domain.settlement_time import format_local
from security.authz import require_role, role_callback
from services import api_keys
from services.errors import InvalidInput, ServiceError


def key_rows(listings) -> list[dict]:
    now = utc_now()
    return [{
        "name": key.name,
        "kind": "user" if key.username else "machine",
        "acts_as": f"user {key.username}" if key.username else f"{' '.join(key.scopes)}; {key.scope.describe()}",
        "status": ("revoked" if key.revoked_at else "expired" if key.expires_at and key.expires_at <= now
                   else "active"),
        "expires": format_local(key.expires_at, with_period=False) if key.expires_at else "never",
        "last_used": format_local(key.last_used_at, with_period=False) if key.last_used_at else "never",
        "last_address": key.last_used_address or "",
    } for key in listings]


def _is_admin() -> bool:
    return role_allows(current_user.role, "admin")


def _expiry(days):
    if days in (None, ""):
        return None
    if not isinstance(days, int | float) or isinstance(days, bool) or not 1 <= days <= 3650 or days != int(days):
        raise InvalidInput("the expiry is a whole number of days from 1 to 3650, or empty for none")
    return utc_now() + timedelta(days=int(days))


def register(app: dash.Dash) -> None:
    from pages import keys as page

    @role_callback(app, "viewer", Output(page.TABLE, "rowData"), Output(page.REVOKE_NAME, "options"),
                   Input(page.LOAD, "data"), Input(page.CHANGED, "data"))
    def load(_load, _changed):
        listings = api_keys.describe_api_keys(database(), None if _is_admin() else current_user.username)
        rows = key_rows(listings)
        return rows, [{"label": row["name"], "value": row["name"]} for row in rows if row["status"] == "active"]

    @role_callback(app, "viewer", Output(page.SECRET, "children"), Output(page.CHANGED, "data", allow_duplicate=True),
                   Input(page.CREATE, "n_clicks"), State(page.NAME, "value"), State(page.KIND, "value"),
                   State(page.SCOPES, "value"), State(page.EXPIRES_DAYS, "value"), State(page.CHANGED, "data"),
                   prevent_initial_call=True)
    def create(_clicks, name, kind, scopes, days, changed):
        try:
            expires_at = _expiry(days)
            if kind == page.MACHINE_KEY:
                require_role("admin")  # only admins make machine keys (checked here, not by hiding the option)
                if not isinstance(scopes, list) or not scopes:
                    raise InvalidInput("choose at least one scope for a machine key")
                issued = api_keys.create_api_key(database(), str(name or "").strip(), scopes=set(map(str, scopes)),
                                                 expires_at=expires_at, actor=current_user.username)
            elif kind == page.USER_KEY:
                issued = api_keys.create_api_key(database(), str(name or "").strip(), current_user.username,
                                                 expires_at=expires_at, actor=current_user.username)
            else:
                raise InvalidInput("choose a user key or a machine key")
        except ServiceError as error:
            return error_alert(str(error)), dash.no_update
        return html.Div([
            success_alert(f"Key {issued.name!r} created. Copy it now: it is shown only this once."),
            html.Pre(issued.key, id="keys-secret-value", className="border p-2 user-select-all"),
            html.Small("Send it as: Authorization: Bearer <key>"),
        ]), (changed or 0) + 1

    @role_callback(app, "viewer", Output(page.MESSAGE, "children"), Output(page.CHANGED, "data", allow_duplicate=True),
                   Input(page.REVOKE, "n_clicks"), State(page.REVOKE_NAME, "value"), State(page.CHANGED, "data"),
                   prevent_initial_call=True)
    def revoke(_clicks, name, changed):
        if not isinstance(name, str) or not name:
            return error_alert("choose a key to revoke"), dash.no_update
        try:
            api_keys.revoke_key_of(database(), name, current_user.username, _is_admin())
        except ServiceError as error:
            return error_alert(str(error)), dash.no_update
        return success_alert(f"Key {name!r} revoked: it stops working at its next call."), (changed or 0) + 1
