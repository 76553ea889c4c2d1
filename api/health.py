"""Public endpoints: /health (liveness plus a database check, used by the container
HEALTHCHECK) and /favicon.ico (browsers ask for it before anyone logs in)."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, jsonify, send_from_directory

from data_access.migrate import current_revision, head_revision

blueprint = Blueprint("health", __name__)

OPENAPI_PATHS = {
    "/health": {"get": {
        "summary": "Liveness and database check", "security": [],
        "responses": {"200": {"description": "Up (status ok, or degraded while migrations are pending)"},
                      "503": {"description": "The database cannot be reached"}},
    }},
}


@blueprint.get("/health")
def health():
    db = current_app.extensions["powerdesk"].db
    try:
        db.ping()
        revision = current_revision(db.engine)
    except Exception as error:  # any database failure is reported, not raised
        return jsonify(status="error", database={"ok": False, "error": type(error).__name__}), 503
    schema_current = revision == head_revision()
    body = {
        "status": "ok" if schema_current else "degraded",
        "database": {"ok": True, "dialect": db.engine.dialect.name, "schema_revision": revision,
                     "schema_current": schema_current},
    }
    return jsonify(body), 200


ASSETS_DIR = Path(__file__).resolve().parent.parent / "assets"


@blueprint.get("/favicon.ico")
def favicon():
    return send_from_directory(ASSETS_DIR, "favicon.ico", mimetype="image/vnd.microsoft.icon")
