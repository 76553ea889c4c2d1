"""Scoped API keys write only for their own turbines, meters and assets; fleet keys write for all.

Every refusal is a 403 JSON with a message, and leaves the stored row counts exactly as they were."""

import pytest
from sqlalchemy import func, select

from data_access.schema import CarbonAsset, MeterReading, PowerReading, SmartMeter, TurbineMetric
from domain.key_scope import FLEET, KeyScope
from services import footprint
from services.api_keys import create_api_key
from services.meter_demo import load_plans_and_trial_meters
from services.turbines import register_demo_fleet
from tests.scope_targets import register_scope_targets

METRIC = {"turbine_number": 3, "wind_speed": 36.0, "power_output_in_kwh": 1500.0, "operational_status": "ok",
          "timestamp": 1704427057.0}
METER_BODY = {"smartMeterId": "smart-meter-1", "electricityReadings": [{"time": 1704427057, "reading": 0.6}]}
COV = {"readings": [{"time": "2019-11-25T00:00:00Z", "power_kw": 40}]}


@pytest.fixture
def db(server):
    database = server.extensions["powerdesk"].db
    register_scope_targets(database)
    footprint.register_asset(database, "site-2", "another site")
    return database


def count(db, model) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def client_with(server, db, name: str, scope: KeyScope = FLEET, username: str | None = None):
    client = server.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {create_api_key(db, name, username, scope).key}"
    return client


def metric(turbine_number: int, offset_s: float = 0.0) -> dict:
    return {**METRIC, "turbine_number": turbine_number, "timestamp": METRIC["timestamp"] + offset_s}


# --- turbines ---

@pytest.mark.parametrize("path", ["/api/v1/turbines/metrics", "/post_metrics"])
def test_a_turbine_key_posts_for_its_own_turbines(server, db, path):
    client = client_with(server, db, "turbines-3-4", KeyScope(turbines=frozenset({3, 4})))
    response = client.post(path, json=[metric(3), metric(4)])
    assert response.status_code == 201, response.json
    assert count(db, TurbineMetric) == 2


@pytest.mark.parametrize("path", ["/api/v1/turbines/metrics", "/post_metrics"])
def test_a_batch_with_one_foreign_turbine_is_refused_whole_naming_the_first(server, db, path):
    client = client_with(server, db, "turbines-3-4", KeyScope(turbines=frozenset({3, 4})))
    response = client.post(path, json=[metric(3), metric(4), metric(5), metric(6)])
    assert response.status_code == 403
    assert response.json["error"] == "forbidden"
    assert response.json["item"] == 2 and response.json["turbine_number"] == 5
    assert "turbine 5" in response.json["detail"]
    single = client.post(path, json=metric(7))
    assert single.status_code == 403 and single.json["item"] == 0 and single.json["turbine_number"] == 7
    assert count(db, TurbineMetric) == 0


def test_a_meter_key_may_not_post_turbine_metrics(server, db):
    client = client_with(server, db, "meter-1", KeyScope(meters=frozenset({"smart-meter-1"})))
    response = client.post("/api/v1/turbines/metrics", json=metric(1))
    assert response.status_code == 403 and response.json["turbine_number"] == 1
    assert count(db, TurbineMetric) == 0


def test_a_fleet_key_and_a_user_key_post_for_any_turbine(server, db):
    from services.users import create_user

    create_user(db, "scripter", "scripter-password-123", "trader")
    fleet = client_with(server, db, "gateway")
    assert fleet.post("/post_metrics", json=[metric(n) for n in range(1, 11)]).status_code == 201
    user_key = client_with(server, db, "notebook", username="scripter")
    assert user_key.post("/post_metrics", json=metric(5, offset_s=1)).status_code == 201
    assert count(db, TurbineMetric) == 11


# --- smart meters (JOI paths and /api/v1) ---

@pytest.mark.parametrize("prefix", ["", "/api/v1"])
def test_a_meter_key_stores_for_its_meter_only(server, db, prefix):
    client = client_with(server, db, "meter-1", KeyScope(meters=frozenset({"smart-meter-1"})))
    before = count(db, MeterReading)
    ok = client.post(f"{prefix}/readings/store", json=METER_BODY)
    assert ok.status_code == 200 and ok.json == METER_BODY
    assert count(db, MeterReading) == before + 1
    other = {**METER_BODY, "smartMeterId": "smart-meter-2"}
    refused = client.post(f"{prefix}/readings/store", json=other)
    assert refused.status_code == 403
    assert set(refused.json) == {"error", "detail"} and refused.json["error"] == "forbidden"
    assert "'smart-meter-2'" in refused.json["detail"]
    new_meter = client.post(f"{prefix}/readings/store", json={**METER_BODY, "smartMeterId": "meter-new"})
    assert new_meter.status_code == 403
    assert count(db, MeterReading) == before + 1
    assert count(db, SmartMeter) == 5  # the refused unknown meter was not created either


def test_a_turbine_key_may_not_store_meter_readings_but_a_fleet_key_may(server, db):
    before = count(db, MeterReading)
    turbine_key = client_with(server, db, "turbine-3", KeyScope(turbines=frozenset({3})))
    assert turbine_key.post("/readings/store", json=METER_BODY).status_code == 403
    assert count(db, MeterReading) == before
    fleet = client_with(server, db, "gateway")
    assert fleet.post("/readings/store", json={**METER_BODY, "smartMeterId": "smart-meter-4"}).status_code == 200
    assert count(db, MeterReading) == before + 1


# --- carbon assets ---

def test_an_asset_key_posts_cov_readings_for_its_asset_only(server, db):
    client = client_with(server, db, "asset-abc", KeyScope(assets=frozenset({"abc123xyz"})))
    ok = client.post("/api/v1/footprint/assets/abc123xyz/readings", json=COV)
    assert ok.status_code == 200 and ok.json["readings_added"] == 1
    refused = client.post("/api/v1/footprint/assets/site-2/readings", json=COV)
    assert refused.status_code == 403 and refused.json["error"] == "forbidden"
    assert "'site-2'" in refused.json["detail"]
    unknown = client.post("/api/v1/footprint/assets/ghost/readings", json=COV)
    assert unknown.status_code == 403
    assert count(db, PowerReading) == 1


def test_an_asset_key_may_not_register_other_assets(server, db):
    client = client_with(server, db, "asset-abc", KeyScope(assets=frozenset({"abc123xyz"})))
    refused = client.post("/api/v1/footprint/assets", json={"asset_id": "rogue", "name": "Rogue"})
    assert refused.status_code == 403 and "'rogue'" in refused.json["detail"]
    own = client.post("/api/v1/footprint/assets", json={"asset_id": " abc123xyz ", "name": "x"})
    assert own.status_code == 200 and own.json["registered"] is False
    assert count(db, CarbonAsset) == 2


def test_a_fleet_key_posts_for_any_asset(server, db):
    fleet = client_with(server, db, "gateway")
    for asset_id in ("abc123xyz", "site-2"):
        assert fleet.post(f"/api/v1/footprint/assets/{asset_id}/readings", json=COV).status_code == 200
    assert fleet.post("/api/v1/footprint/assets", json={"asset_id": "site-3"}).status_code == 201
    assert count(db, PowerReading) == 2 and count(db, CarbonAsset) == 3


def test_reads_are_not_scoped(server, db):
    client = client_with(server, db, "meter-1", KeyScope(meters=frozenset({"smart-meter-1"})))
    assert client.get("/readings/read/smart-meter-2").status_code == 200
    assert client.get("/api/v1/turbines").status_code == 200


def test_the_openapi_document_lists_the_403s(server, db):
    spec = client_with(server, db, "gateway").get("/api/openapi.json").json
    for path in ("/api/v1/turbines/metrics", "/post_metrics", "/readings/store", "/api/v1/readings/store",
                 "/api/v1/footprint/assets", "/api/v1/footprint/assets/{asset_id}/readings"):
        assert "403" in spec["paths"][path]["post"]["responses"], path
    turbine_403 = spec["paths"]["/post_metrics"]["post"]["responses"]["403"]
    assert turbine_403["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/TurbineScopeError"}
    assert "turbine_number" in spec["components"]["schemas"]["TurbineScopeError"]["properties"]


def test_scopes_are_enforced_on_both_databases(tmp_path, database_url):
    from tests.conftest import build_app, make_settings

    app = build_app(make_settings(tmp_path, database_url, load_demo_data=False))
    server = app.server
    database = server.extensions["powerdesk"].db
    try:
        register_demo_fleet(database, 3000.0)
        load_plans_and_trial_meters(database)
        client = client_with(server, database, "site-a", KeyScope(frozenset({3}), frozenset({"smart-meter-1"})))
        before = count(database, MeterReading)
        assert client.post("/post_metrics", json=[metric(3), metric(4)]).json["item"] == 1
        assert client.post("/readings/store", json={**METER_BODY, "smartMeterId": "smart-meter-0"}).status_code == 403
        assert (count(database, TurbineMetric), count(database, MeterReading)) == (0, before)
        assert client.post("/post_metrics", json=metric(3)).status_code == 201
        assert client.post("/readings/store", json=METER_BODY).status_code == 200
        assert (count(database, TurbineMetric), count(database, MeterReading)) == (1, before + 1)
    finally:
        database.dispose()


def test_generated_writes_with_a_scoped_key_get_documented_answers_and_never_a_5xx(server, db):
    import schemathesis

    key = create_api_key(db, "scoped-fuzz", scope=KeyScope(frozenset({3}), frozenset({"smart-meter-1"}),
                                                           frozenset({"abc123xyz"}))).key
    client = server.test_client()
    headers = {"Authorization": f"Bearer {key}"}
    schema = schemathesis.openapi.from_dict(client.get("/api/openapi.json", headers=headers).json)
    writes = {"/api/v1/turbines/metrics", "/post_metrics", "/readings/store", "/api/v1/readings/store",
              "/api/v1/footprint/assets", "/api/v1/footprint/assets/{asset_id}/readings"}
    operations = [r.ok() for r in schema.get_all_operations() if r.ok().method == "post" and r.ok().path in writes]
    assert {op.path for op in operations} == writes
    statuses: set[int] = set()
    for operation in operations:
        _fuzz_writes(client, headers, operation, statuses)
    assert 403 in statuses


def _fuzz_writes(client, headers, operation, statuses: set[int]) -> None:
    from hypothesis import HealthCheck, given, settings

    @given(case=operation.as_strategy())
    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case):
        body = case.body if isinstance(case.body, dict | list) else {}  # NotSet when the schema has no body
        response = client.open(case.formatted_path, method="POST", headers=headers, json=body)
        assert response.status_code < 500, (operation.path, response.get_data(as_text=True)[:300])
        assert str(response.status_code) in operation.definition.raw["responses"], (operation.path,
                                                                                     response.status_code)
        if response.status_code >= 400:
            assert {"error", "detail"} <= set(response.json), response.json
        statuses.add(response.status_code)

    check()
