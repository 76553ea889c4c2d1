"""Turbine metric ingest over HTTP: validation (422 naming item and field), atomic batches,
idempotency, 413, the original /post_metrics path, and the read routes."""

import json
import time

import pytest

from data_access.schema import TurbineMetric
from services.api_keys import create_api_key
from services.turbines import register_demo_fleet
from tests.conftest import api_csrf_headers

SEED_METRIC = {"turbine_number": 1, "wind_speed": 74.13200003176283, "power_output_in_kwh": 2229.3846024355926,
               "operational_status": "ok", "timestamp": 1704427057.340093}


@pytest.fixture
def machine(server):
    db = server.extensions["powerdesk"].db
    register_demo_fleet(db, 3000.0)
    key = create_api_key(db, "turbine-emitter").key
    client = server.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    return client


def stored(server) -> int:
    with server.extensions["powerdesk"].db.session() as session:
        return session.query(TurbineMetric).count()


def metric(**changes):
    return {**SEED_METRIC, **changes}


def post_raw(client, body: str, path="/api/v1/turbines/metrics"):
    return client.post(path, data=body, content_type="application/json")


def test_the_original_body_on_the_original_path_is_stored(machine, server):
    response = machine.post("/post_metrics", json=SEED_METRIC)
    assert response.status_code == 201, response.json
    assert response.json == {"received": 1, "stored": 1, "duplicates": 0, "registered": []}
    listed = machine.get("/api/v1/turbines/1/metrics?since=1704427000&until=1704427100").json["metrics"]
    assert len(listed) == 1
    assert listed[0]["wind_speed_m_per_s"] == pytest.approx(74.13200003176283 / 3.6)
    assert listed[0]["power_kw"] == pytest.approx(2229.3846024355926)
    assert listed[0]["timestamp"] == pytest.approx(1704427057.340093, abs=1e-6)


def test_the_originals_accepted_extremes_stay_valid_on_a_3_mw_turbine(machine):
    response = machine.post("/api/v1/turbines/metrics", json=[metric(wind_speed=100.1, timestamp=1704427100.0),
                                                              metric(power_output_in_kwh=3000.1, timestamp=1704427101)])
    assert response.status_code == 201, response.json


@pytest.mark.parametrize(("body", "field"), [
    (json.dumps(metric(wind_speed=-0.1)), "wind_speed"),
    ('{"turbine_number": 1, "wind_speed": NaN, "power_output_in_kwh": 1, "operational_status": "ok", '
     '"timestamp": 1704427057}', "wind_speed"),
    ('{"turbine_number": 1, "wind_speed": 10, "power_output_in_kwh": Infinity, "operational_status": "ok", '
     '"timestamp": 1704427057}', "power_output_in_kwh"),
    (json.dumps(metric(power_output_in_kwh=3600.1)), "power_output_in_kwh"),
    (json.dumps(metric(power_output_in_kwh=-150.1)), "power_output_in_kwh"),
    (json.dumps(metric(operational_status="degraded")), "operational_status"),
    (json.dumps(metric(timestamp=time.time() + 3600)), "timestamp"),
    (json.dumps(metric(turbine_number=99)), "turbine_number"),
    (json.dumps(metric(wind_speed="fast")), "wind_speed"),
    (json.dumps({k: v for k, v in SEED_METRIC.items() if k != "timestamp"}), "timestamp"),
])
def test_invalid_metric_gets_422_naming_the_field_and_stores_nothing(machine, server, body, field):
    response = post_raw(machine, body)
    assert response.status_code == 422, response.json
    assert response.json["field"] == field
    assert response.json["item"] == 0
    assert field in response.json["detail"]
    assert stored(server) == 0


def test_a_batch_with_one_bad_item_is_refused_whole_naming_that_item(machine, server):
    batch = [metric(timestamp=1704427057.0 + i) for i in range(5)]
    batch[3]["wind_speed"] = 301
    response = machine.post("/api/v1/turbines/metrics", json=batch)
    assert response.status_code == 422
    assert (response.json["item"], response.json["field"]) == (3, "wind_speed")
    assert "item 3" in response.json["detail"]
    assert stored(server) == 0


def test_the_same_turbine_and_timestamp_is_stored_once(machine, server):
    batch = [metric(timestamp=1704427057.0 + i) for i in range(3)]
    first = machine.post("/api/v1/turbines/metrics", json=batch + [batch[0]])
    again = machine.post("/api/v1/turbines/metrics", json=batch)
    assert (first.status_code, first.json["stored"], first.json["duplicates"]) == (201, 3, 1)
    assert (again.status_code, again.json["stored"], again.json["duplicates"]) == (201, 0, 3)
    assert stored(server) == 3


def test_an_oversized_body_gets_413_with_a_json_message(machine, server):
    limit = server.extensions["powerdesk"].settings.turbine_max_body_bytes
    body = json.dumps([metric(timestamp=1704427057.0 + i) for i in range(limit // 100 + 10)])
    assert len(body) > limit
    response = post_raw(machine, body)
    assert response.status_code == 413
    assert response.json["error"] == "payload too large"
    assert stored(server) == 0


def test_bad_json_and_non_objects_are_refused(machine):
    assert post_raw(machine, "{not json").status_code == 400
    assert post_raw(machine, "[]").status_code == 422
    response = post_raw(machine, "[1]")
    assert (response.status_code, response.json["item"]) == (422, 0)


def test_unknown_turbine_is_registered_when_the_setting_allows(tmp_path, seeded_sqlite_url):
    from tests.conftest import build_app, make_settings

    app = build_app(make_settings(tmp_path, seeded_sqlite_url, turbine_auto_register=True), seed=False)
    db = app.server.extensions["powerdesk"].db
    client = app.server.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {create_api_key(db, 'emitter').key}"
    response = client.post("/post_metrics", json=metric(turbine_number=42))
    assert (response.status_code, response.json["registered"]) == (201, [42])
    fleet = client.get("/api/v1/turbines").json["turbines"]
    assert [(t["turbine_number"], t["rated_power_kw"]) for t in fleet] == [(42, 3000.0)]
    db.dispose()


def test_reads_fleet_metrics_window_and_repairs(machine):
    now = time.time()
    machine.post("/api/v1/turbines/metrics", json=[metric(timestamp=now - 2), metric(timestamp=now - 1,
                                                                                      operational_status="broken")])
    fleet = {t["turbine_number"]: t for t in machine.get("/api/v1/turbines").json["turbines"]}
    assert len(fleet) == 10
    assert fleet[1]["last_status"] == "broken" and fleet[2]["condition"] == "no data"
    assert fleet[1]["condition"] in ("broken", "stale")  # stale once 3 s pass without a report
    assert machine.get(f"/api/v1/turbines/1/metrics?since={now - 1.5}").json["metrics"][0]["operational_status"] \
        == "broken"
    assert machine.get("/api/v1/turbines/77/metrics").status_code == 404
    assert machine.get("/api/v1/turbines/1/metrics?since=abc").status_code == 400
    assert machine.get("/api/v1/turbines/repairs").json == {"tickets": []}
    assert machine.get("/api/v1/turbines/repairs?status=lost").status_code == 400
    assert machine.get("/api/v1/turbines/repairs?turbine=x").status_code == 400


def test_session_writes_need_a_trader_and_the_csrf_header(server, client_as):
    register_demo_fleet(server.extensions["powerdesk"].db, 3000.0)
    viewer = client_as("viewer")
    assert viewer.post("/api/v1/turbines/metrics", json=SEED_METRIC, headers=api_csrf_headers(viewer)).status_code \
        == 403
    trader = client_as("trader")
    assert trader.post("/api/v1/turbines/metrics", json=SEED_METRIC).status_code == 403
    assert trader.post("/api/v1/turbines/metrics", json=SEED_METRIC,
                       headers=api_csrf_headers(trader)).status_code == 201


def test_anonymous_ingest_is_refused(server):
    assert server.test_client().post("/post_metrics", json=SEED_METRIC).status_code == 401
