"""Public endpoints: /health (liveness: the process answers; says nothing about the database),
/ready (readiness: the database, with the current schema, and Redis when configured, answer) and
/favicon.ico (browsers ask for it before anyone logs in).

The container HEALTHCHECK and orchestrators' liveness probes use /health; load balancers and
readiness probes use /ready, so a worker that lost its database is taken out of rotation
rather than restarted.
"""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Blueprint, current_app, jsonify, send_from_directory

from data_access.migrate import current_revision, head_revision

blueprint = Blueprint("health", __name__)
log = logging.getLogger("powerdesk.health")

OPENAPI_PATHS = {
    "/health": {"get": {
        "summary": "Liveness: the process answers (no dependency is checked)", "security": [],
        "responses": {"200": {"description": "Alive"}},
    }},
    "/ready": {"get": {
        "summary": "Readiness: the database (schema current) and, when configured, Redis answer", "security": [],
        "responses": {"200": {"description": "Ready to serve"},
                      "503": {"description": "A dependency is unreachable or migrations are pending"}},
    }},
}


@blueprint.get("/health")
def health():
    return jsonify(status="ok"), 200


def _database_ready() -> bool:
    db = current_app.extensions["powerdesk"].db
    try:
        db.ping()
        return current_revision(db.engine) == head_revision()
    except Exception as error:  # any database failure means not ready, never a 500
        log.warning("readiness: database check failed: %s", type(error).__name__)
        return False


def _redis_ready(url: str) -> bool:
    import redis

    try:
        client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception as error:
        log.warning("readiness: redis check failed: %s", type(error).__name__)
        return False


@blueprint.get("/ready")
def ready():
    settings = current_app.extensions["powerdesk"].settings
    checks = {"database": _database_ready()}
    if settings.redis_url:
        checks["redis"] = _redis_ready(settings.redis_url)
    ok = all(checks.values())
    return jsonify(status="ready" if ok else "not ready", checks=checks), 200 if ok else 503


ASSETS_DIR = Path(__file__).resolve().parent.parent / "assets"


@blueprint.get("/favicon.ico")
def favicon():
    return send_from_directory(ASSETS_DIR, "favicon.ico", mimetype="image/vnd.microsoft.icon")
