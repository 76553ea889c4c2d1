"""/api/v1: prices and identity, for scripts and machines (API key) or logged-in users."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, g, jsonify, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from api.openapi import DATE, ERROR
from domain.markets import MARKETS
from security.authz import require_machine_or_role, write_scope
from services.errors import InvalidInput, ServiceError
from services.prices import prices_for_dates
from services.validation import parse_date

blueprint = Blueprint("api_v1", __name__, url_prefix="/api/v1")

_UNAUTHORISED = {"description": "No or invalid credentials", "content": {"application/json": {"schema": ERROR}}}

OPENAPI_PATHS = {
    "/api/v1/whoami": {"get": {
        "summary": "Who the request is authenticated as",
        "responses": {"200": {"description": "`kind` (machine or user) and `credential` (machine_key, "
                                             "user_key or session); a machine's `name` and `scopes`; a user's "
                                             "`name` and current `role` (and the key's name); for a session, the "
                                             "`csrf_token` to send as X-CSRFToken on API writes"},
                      "401": _UNAUTHORISED},
    }},
    "/api/v1/prices": {"get": {
        "summary": "Half-hourly prices for a range of settlement dates",
        "parameters": [
            {"name": "start", "in": "query", "required": True, "schema": DATE},
            {"name": "end", "in": "query", "required": True, "schema": DATE},
            {"name": "market", "in": "query", "required": False, "schema": {"type": "string", "enum": list(MARKETS)}},
        ],
        "responses": {
            "200": {"description": "One row per market and settlement period", "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Prices"}}}},
            "400": {"description": "Bad dates or market", "content": {"application/json": {"schema": ERROR}}},
            "401": _UNAUTHORISED,
        },
    }},
}

OPENAPI_SCHEMAS = {
    "Prices": {"type": "object", "properties": {
        "start": DATE, "end": DATE, "unit": {"const": "GBP/MWh"},
        "prices": {"type": "array", "items": {"type": "object", "properties": {
            "market": {"type": "string", "enum": list(MARKETS)},
            "interval_start_utc": {"type": "string", "format": "date-time"},
            "settlement_date": DATE,
            "settlement_period": {"type": "integer", "minimum": 1, "maximum": 50},
            "price_gbp_per_mwh": {"type": "number"},
        }}},
    }},
}


@blueprint.errorhandler(ServiceError)
def _service_error(error: ServiceError):
    status = 400 if isinstance(error, InvalidInput) else 409
    return jsonify(error="invalid request", detail=str(error)), status


def _date_arg(name: str) -> date:
    raw = request.args.get(name)
    if not raw:
        raise InvalidInput(f"query parameter {name!r} is required (YYYY-MM-DD)")
    return parse_date(raw, name)


@blueprint.get("/whoami")
def whoami():
    """Who the request is authenticated as."""
    if g.get("machine") is not None:
        return jsonify(kind="machine", credential="machine_key", name=g.machine.name,
                       scopes=sorted(g.machine.scopes), writes_for=write_scope().describe())
    if g.get("api_key") is not None:
        return jsonify(kind="user", credential="user_key", key=g.api_key.name, name=current_user.username,
                       role=current_user.role)
    # The token a script or page logged in with a session sends as X-CSRFToken on API writes.
    return jsonify(kind="user", credential="session", name=current_user.username, role=current_user.role,
                   csrf_token=generate_csrf())


@blueprint.get("/prices")
def prices():
    """Prices for settlement dates ``start``..``end`` (inclusive), one row per market and period."""
    require_machine_or_role("viewer")
    first, last = _date_arg("start"), _date_arg("end")
    market = request.args.get("market")
    if market is not None and market not in MARKETS:
        raise InvalidInput(f"market {market!r} is not one of {', '.join(MARKETS)}")
    frame = prices_for_dates(current_app.extensions["powerdesk"].db, first, last, (market,) if market else None)
    rows = []
    for start, row in frame.iterrows():
        for name in MARKETS:
            if name in frame.columns and row[name] == row[name]:
                rows.append({
                    "market": name,
                    "interval_start_utc": start.isoformat().replace("+00:00", "Z"),
                    "settlement_date": row["settlement_date"].isoformat(),
                    "settlement_period": int(row["settlement_period"]),
                    "price_gbp_per_mwh": float(row[name]),
                })
    return jsonify(start=first.isoformat(), end=last.isoformat(), unit="GBP/MWh", prices=rows)
