"""/api/v1/footprint: carbon footprints of metered assets and battery runs; asset registration and readings.

Also the seed system's own path ``/footprint/<asset_id>/<YYYY-MM-DD>/<from>-<to>/``, kept for its users:
it answers with the chart of that range as a PNG image.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, g, jsonify, request
from flask_login import current_user

from api.openapi import DATE, ERROR
from security.authz import require_machine_or_role, write_scope
from services import carbon, footprint
from services.errors import InvalidInput, NotFound, ServiceError

blueprint = Blueprint("footprint_api", __name__)

_UNAUTHORISED = {"description": "No or invalid credentials", "content": {"application/json": {"schema": ERROR}}}
_BAD = {"description": "Bad input, with a message", "content": {"application/json": {"schema": ERROR}}}
_OUT_OF_SCOPE = {"description": "The API key is scoped to other assets (or a session without the trader role or "
                                 "the CSRF token); nothing is stored", "content": {"application/json": {"schema": ERROR}}}
_MISSING = {"description": "Unknown asset or run", "content": {"application/json": {"schema": ERROR}}}
_HALF_HOUR = {"type": "integer", "minimum": 1, "maximum": 50,
              "description": "HalfHourId: settlement period of the UK local date (1..46/48/50)."}
_NULLABLE_NUMBER = {"type": ["number", "null"]}

OPENAPI_PATHS = {
    "/api/v1/footprint/{asset_id}/{day}": {"get": {
        "summary": "Half-hourly carbon footprint of an asset on one UK date",
        "description": "HalfHourIds `from`..`to` (default the whole day). Power is the time-weighted average of the "
                       "step-held COV readings; unknown values are null, never 0. `total_g` is null when any "
                       "half-hour in the range is unknown. Send `Accept: text/csv`, or end the date with `.csv`, "
                       "for CSV.",
        "parameters": [
            {"name": "asset_id", "in": "path", "required": True, "schema": {"type": "string"}},
            {"name": "day", "in": "path", "required": True, "schema": DATE,
             "description": "YYYY-MM-DD, or YYYY-MM-DD.csv for CSV"},
            {"name": "from", "in": "query", "required": False, "schema": _HALF_HOUR},
            {"name": "to", "in": "query", "required": False, "schema": _HALF_HOUR},
        ],
        "responses": {
            "200": {"description": "The half-hours", "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/AssetFootprint"}},
                "text/csv": {"schema": {"type": "string"}}}},
            "400": _BAD, "401": _UNAUTHORISED, "404": _MISSING,
        },
    }},
    "/api/v1/footprint/runs/{run_ref}": {"get": {
        "summary": "Carbon footprint of a stored battery run, per interval, with tCO2 totals",
        "description": "Net grid import [MWh] × stored national intensity; exports count as avoided. "
                       "`<run_ref>` is the run id, or `<id>.csv` for CSV (or send `Accept: text/csv`).",
        "parameters": [{"name": "run_ref", "in": "path", "required": True, "schema": {"type": "string"}}],
        "responses": {
            "200": {"description": "Intervals and totals", "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/RunFootprint"}},
                "text/csv": {"schema": {"type": "string"}}}},
            "400": _BAD, "401": _UNAUTHORISED, "404": _MISSING,
        },
    }},
    "/api/v1/footprint/assets": {
        "get": {"summary": "Registered assets", "responses": {
            "200": {"description": "Assets with the span of their readings"}, "401": _UNAUTHORISED}},
        "post": {"summary": "Register an asset (API key, or a trader's session)",
                 "requestBody": {"content": {"application/json": {"schema": {
                     "type": "object", "required": ["asset_id"],
                     "properties": {"asset_id": {"type": "string", "maxLength": 64},
                                    "name": {"type": "string"},
                                    "rating_kw": {"type": "number", "exclusiveMinimum": 0, "maximum": 1e7,
                                                  "description": "Rating [kW]: readings beyond ±10 × it are "
                                                                 "refused (±10 GW when not given)"}}}}}},
                 "responses": {"201": {"description": "Registered"}, "200": {"description": "Already registered"},
                               "400": _BAD, "401": _UNAUTHORISED, "403": _OUT_OF_SCOPE}},
    },
    "/api/v1/footprint/assets/{asset_id}/readings": {"post": {
        "summary": "Store COV power readings of a registered asset (API key, or a trader's session)",
        "description": "All readings are stored or none. Times without a UTC offset are UTC. Re-sending stored "
                       "readings adds nothing; a different value at a stored time is refused. A time outside "
                       "[2000-01-01, now + 1 day] or a power beyond ±10 × the asset's rating (±10 GW without one) "
                       "refuses the request with 400 and `problems`: one `{item, reason}` per such reading.",
        "parameters": [{"name": "asset_id", "in": "path", "required": True, "schema": {"type": "string"}}],
        "requestBody": {"content": {"application/json": {"schema": {
            "type": "object", "required": ["readings"],
            "properties": {"readings": {"type": "array", "items": {
                "type": "object", "required": ["time", "power_kw"],
                "properties": {"time": {"type": "string", "format": "date-time"},
                               "power_kw": {"type": "number", "description": "kW, import positive"}}}}}}}}},
        "responses": {"200": {"description": "Counts of readings added and already stored"}, "400": _BAD,
                      "401": _UNAUTHORISED, "403": _OUT_OF_SCOPE, "404": _MISSING},
    }},    "/footprint/{asset_id}/{day}/{span}/": {"get": {
        "summary": "The seed system's own path: the chart of HalfHourIds FROM-TO of a day, as PNG",
        "parameters": [
            {"name": "asset_id", "in": "path", "required": True, "schema": {"type": "string"}},
            {"name": "day", "in": "path", "required": True, "schema": DATE},
            {"name": "span", "in": "path", "required": True,
             "schema": {"type": "string", "pattern": "^[0-9]{1,2}-[0-9]{1,2}$"}, "description": "FROM-TO, e.g. 14-20"},
        ],
        "responses": {"200": {"description": "The chart", "content": {"image/png": {}}}, "400": _BAD,
                      "401": _UNAUTHORISED, "404": _MISSING},
    }},
}

OPENAPI_SCHEMAS = {
    "AssetFootprint": {"type": "object", "required": ["asset_id", "date", "rows", "total_g"], "properties": {
        "asset_id": {"type": "string"}, "date": DATE,
        "rows": {"type": "array", "items": {"type": "object", "properties": {
            "half_hour_id": _HALF_HOUR,
            "start_utc": {"type": "string", "format": "date-time"},
            "power_kw": _NULLABLE_NUMBER, "energy_kwh": _NULLABLE_NUMBER, "intensity_g_per_kwh": _NULLABLE_NUMBER,
            "intensity_kind": {"enum": ["actual", "forecast", None]}, "footprint_g": _NULLABLE_NUMBER}}},
        "total_g": _NULLABLE_NUMBER,
        "warnings": {"type": "array", "items": {"type": "string"},
                     "description": "Stored readings left out because they fail today's rules (written by an "
                                    "older version), counted; empty when none"},
    }},
    "RunFootprint": {"type": "object", "properties": {
        "run_id": {"type": "integer"},
        "totals": {"type": "object", "properties": {
            "emitted_tco2": _NULLABLE_NUMBER, "avoided_tco2": _NULLABLE_NUMBER, "net_tco2": _NULLABLE_NUMBER,
            "coverage_share": {"type": "number"}}},
        "intervals": {"type": "array", "items": {"type": "object"}},
    }},
}


@blueprint.errorhandler(ServiceError)
def _service_error(error: ServiceError):
    if isinstance(error, footprint.ImplausibleReadings):
        return jsonify(error="invalid request", detail=str(error), problems=error.as_records()), 400
    if isinstance(error, NotFound):
        return jsonify(error="not found", detail=str(error)), 404
    status = 400 if isinstance(error, InvalidInput) else 409
    return jsonify(error="invalid request", detail=str(error)), status


def _db():
    return current_app.extensions["powerdesk"].db


def _actor() -> str:
    if g.get("machine") is not None:
        return f"apikey:{g.machine.name}"
    return current_user.username


def _wants_csv(ref: str) -> tuple[str, bool]:
    if ref.endswith(".csv"):
        return ref.removesuffix(".csv"), True
    return ref, request.accept_mimetypes.best_match(["application/json", "text/csv"]) == "text/csv"


def _csv_response(text: str, filename: str) -> Response:
    return Response(text, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _range_from_query(day):
    first = request.args.get("from")
    last = request.args.get("to")
    return (None if first is None else footprint.parse_half_hour(first, "from"),
            None if last is None else footprint.parse_half_hour(last, "to"))


@blueprint.get("/api/v1/footprint/<asset_id>/<day>")
def asset_footprint(asset_id: str, day: str):
    """An asset's footprint for HalfHourIds ``from``..``to`` of one UK date."""
    require_machine_or_role("viewer")
    footprint.check_readable_asset_id(_db(), asset_id)
    day_text, as_csv = _wants_csv(day)
    settlement_date = footprint.parse_date(day_text)
    first, last = _range_from_query(settlement_date)
    result = footprint.footprint_range(_db(), asset_id, settlement_date, first, last)
    if as_csv:
        return _csv_response(footprint.range_csv(result),
                             f"footprint_{asset_id}_{settlement_date}_{result.first}-{result.last}.csv")
    return jsonify(asset_id=asset_id, date=settlement_date.isoformat(), rows=footprint.range_records(result),
                   total_g=result.total_g, warnings=result.warnings)


@blueprint.get("/api/v1/footprint/runs/<run_ref>")
def run_footprint(run_ref: str):
    """A stored battery run's footprint per interval and its tCO2 totals."""
    require_machine_or_role("viewer")
    ref, as_csv = _wants_csv(run_ref)
    if not ref.isdigit():
        raise InvalidInput(f"{ref!r} is not a run id (a whole number)")
    frame = carbon.run_footprint(_db(), int(ref))
    if as_csv:
        return _csv_response(carbon.footprint_csv(frame), f"run_{ref}_footprint.csv")
    return jsonify(run_id=int(ref), totals=carbon.footprint_totals(frame).as_dict(),
                   intervals=carbon.footprint_records(frame))


@blueprint.get("/api/v1/footprint/assets")
def assets():
    require_machine_or_role("viewer")
    return jsonify(assets=[{
        "asset_id": a.asset_id, "name": a.name,
        "first_reading_utc": a.first_reading_utc.isoformat().replace("+00:00", "Z") if a.first_reading_utc else None,
        "last_reading_utc": a.last_reading_utc.isoformat().replace("+00:00", "Z") if a.last_reading_utc else None,
    } for a in footprint.list_assets(_db())])


def _json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput("send a JSON object (Content-Type: application/json)")
    return body


def _asset_out_of_scope(asset_id: str):
    return jsonify(error="forbidden", detail=f"this API key may not write for asset {asset_id!r}; "
                                              "nothing was stored"), 403


@blueprint.post("/api/v1/footprint/assets")
def register_asset():
    require_machine_or_role("trader")
    body = _json_body()
    asset_id = body.get("asset_id")
    if not isinstance(asset_id, str):
        raise InvalidInput("'asset_id' (a string) is required")
    name = body.get("name") if isinstance(body.get("name"), str) else ""
    if not write_scope().allows_asset(asset_id.strip()):
        return _asset_out_of_scope(asset_id.strip())
    created = footprint.register_asset(_db(), asset_id, name, actor=_actor(), rating_kw=body.get("rating_kw"))
    return jsonify(asset_id=asset_id.strip(), registered=created), 201 if created else 200


@blueprint.post("/api/v1/footprint/assets/<asset_id>/readings")
def post_readings(asset_id: str):
    require_machine_or_role("trader")
    if not write_scope().allows_asset(asset_id):
        return _asset_out_of_scope(asset_id)
    body = _json_body()
    report = footprint.import_readings(_db(), asset_id, body.get("readings"), actor=_actor(),
                                       now_utc=current_app.extensions["powerdesk"].clock())
    return jsonify(asset_id=asset_id, readings_received=report.rows_read, readings_added=report.rows_added,
                   readings_already_stored=report.rows_already_stored)


@blueprint.get("/footprint/<asset_id>/<day>/<span>/")
def seed_chart(asset_id: str, day: str, span: str):
    """The seed system's path: the chart of HalfHourIds ``<from>-<to>`` as a PNG image."""
    require_machine_or_role("viewer")
    footprint.check_readable_asset_id(_db(), asset_id)
    settlement_date = footprint.parse_date(day)
    parts = span.split("-")
    if len(parts) != 2:
        raise InvalidInput(f"{span!r} is not a HalfHourId range like 14-20")
    first, last = (footprint.parse_half_hour(p, n) for p, n in zip(parts, ("from", "to"), strict=True))
    result = footprint.footprint_range(_db(), asset_id, settlement_date, first, last)
    from components.footprint_png import footprint_png  # matplotlib: only the PNG answer needs it

    return Response(footprint_png(result), mimetype="image/png")
