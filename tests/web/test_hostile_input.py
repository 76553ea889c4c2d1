"""Hostile input found in probes gets a 4xx with a JSON body: nothing stored, nothing logged as a crash."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

from data_access.schema import AuditEvent, CarbonAsset, OptimisationRun, Study
from services.api_keys import create_api_key
from tests.dash_requests import callback_body

JSON_POST_ROUTES = ("/api/v1/footprint/assets", "/api/v1/footprint/assets/site-1/readings", "/readings/store",
                    "/api/v1/readings/store", "/api/v1/runs", "/api/v1/studies", "/api/v1/turbines/metrics",
                    "/post_metrics")
DEEP = "[" * 10_000 + "]" * 10_000


def _counts(db) -> dict:
    with db.session() as session:
        return {table.__name__: session.scalar(select(func.count()).select_from(table))
                for table in (CarbonAsset, OptimisationRun, Study)}


def _no_crash_logged(caplog) -> None:
    crashes = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert crashes == [], [r.getMessage() for r in crashes]


@pytest.fixture
def admin_key(server) -> dict:
    key = create_api_key(server.extensions["powerdesk"].db, "admin-script", username="admin").key
    return {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}


def test_ten_thousand_levels_of_json_get_400_on_every_json_post_route(server, admin_key, caplog):
    db = server.extensions["powerdesk"].db
    before = _counts(db)
    client = server.test_client()
    for path in JSON_POST_ROUTES:
        response = client.post(path, data=DEEP, headers=admin_key)
        assert response.status_code == 400, (path, response.get_data(as_text=True)[:200])
        assert "nested deeper than" in response.json["detail"] and "nothing was stored" in response.json["detail"]
    assert _counts(db) == before
    _no_crash_logged(caplog)


def test_a_lone_surrogate_in_an_asset_id_gets_400_and_no_asset(server, admin_key, caplog):
    db = server.extensions["powerdesk"].db
    client = server.test_client()
    for body in ('{"asset_id": "\\ud800"}', '{"asset_id": "site", "\\udfff": 1}'):
        response = client.post("/api/v1/footprint/assets", data=body, headers=admin_key)
        assert response.status_code == 400 and "surrogate" in response.json["detail"]
    response = client.post("/api/v1/footprint/assets/site-1/readings", headers=admin_key,
                           data='{"readings": [{"time": "\\ud800", "power_kw": 1}]}')
    assert response.status_code == 400
    assert _counts(db)["CarbonAsset"] == 0
    _no_crash_logged(caplog)


def test_a_clientside_callback_forged_into_a_server_callback_gets_400(dash_app, client_as, caplog):
    client = client_as("admin")
    clientside = [key for key, spec in dash_app.callback_map.items() if "callback" not in spec]
    assert clientside, "the app has clientside callbacks (the theme switch, the navbar)"
    for key in clientside:
        response = client.post("/_dash-update-component", json=callback_body(dash_app, key))
        assert response.status_code == 400, (key, response.get_data(as_text=True)[:200])
        assert "clientside" in response.json["detail"]
    deep = client.post("/_dash-update-component", data=DEEP, headers={"Content-Type": "application/json"})
    assert deep.status_code == 400
    _no_crash_logged(caplog)


@pytest.mark.parametrize("path", [
    "/_dash-component-suites/..%2f..%2fapp.py",
    "/_dash-component-suites/dash/..%2f..%2fsettings.js",
    "/_dash-component-suites/dash/deps/..%2f..%2f..%2fx.js",
    "/_dash-component-suites/dash/not-a-registered-file.js",
])
def test_component_suite_paths_outside_the_registered_files_get_404(server, path, caplog):
    response = server.test_client().get(path)
    assert response.status_code == 404
    assert response.json == {"error": "not found", "detail": "no such component file"}
    _no_crash_logged(caplog)


def test_refused_bodies_write_no_audit_rows(server, admin_key):
    db = server.extensions["powerdesk"].db
    server.test_client().get("/api/v1/whoami", headers=admin_key)  # its first use (from a new address) is audited
    with db.session() as session:
        before = session.scalar(select(func.count()).select_from(AuditEvent))
    server.test_client().post("/api/v1/runs", data=DEEP, headers=admin_key)
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == before
