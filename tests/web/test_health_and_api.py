import re

from security.guard import API_PREFIXES
from services.api_keys import create_api_key, revoke_api_key
from tests.conftest import build_app, make_settings


def test_health_is_pure_liveness_and_reveals_nothing_about_the_database(tmp_path):
    settings = make_settings(tmp_path, "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
    app = build_app(settings, seed=False)
    response = app.server.test_client().get("/health")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_ready_checks_the_database_and_schema(server):
    response = server.test_client().get("/ready")
    assert response.status_code == 200
    assert response.json == {"status": "ready", "checks": {"database": True}}


def test_ready_is_503_when_the_database_is_unreachable(tmp_path):
    settings = make_settings(tmp_path, "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
    app = build_app(settings, seed=False)
    response = app.server.test_client().get("/ready")
    assert response.status_code == 503
    assert response.json == {"status": "not ready", "checks": {"database": False}}


def test_ready_is_503_before_migrations(tmp_path):
    app = build_app(make_settings(tmp_path, f"sqlite:///{tmp_path / 'empty.db'}"), seed=False)
    assert app.server.test_client().get("/ready").status_code == 503


def test_ready_checks_redis_when_configured(tmp_path, seeded_sqlite_url):
    down = build_app(make_settings(tmp_path, seeded_sqlite_url, redis_url="redis://127.0.0.1:1/0"), seed=False)
    response = down.server.test_client().get("/ready")
    assert response.status_code == 503 and response.json["checks"] == {"database": True, "redis": False}


def test_api_key_authenticates_a_machine_and_revocation_stops_it(server):
    db = server.extensions["powerdesk"].db
    issued = create_api_key(db, "meter-42")
    client = server.test_client()
    headers = {"Authorization": f"Bearer {issued.key}"}
    identity = client.get("/api/v1/whoami", headers=headers).json
    assert {key: identity[key] for key in ("kind", "credential", "name")} == {
        "kind": "machine", "credential": "machine_key", "name": "meter-42"}
    revoke_api_key(db, "meter-42")
    response = client.get("/api/v1/whoami", headers=headers)
    assert response.status_code == 401 and "revoked" in response.json["detail"]


def test_api_key_does_not_open_pages_or_dash_routes(server):
    issued = create_api_key(server.extensions["powerdesk"].db, "meter-43")
    client = server.test_client()
    headers = {"Authorization": f"Bearer {issued.key}"}
    assert client.get("/_dash-layout", headers=headers).status_code == 401
    assert client.get("/", headers=headers).status_code == 302


def test_prices_api_returns_settlement_periods_on_a_clock_change_day(server):
    issued = create_api_key(server.extensions["powerdesk"].db, "script")
    response = server.test_client().get("/api/v1/prices?start=2023-03-26&end=2023-03-26&market=day_ahead",
                                        headers={"Authorization": f"Bearer {issued.key}"})
    assert response.status_code == 200
    rows = response.json["prices"]
    assert len(rows) == 46
    assert [r["settlement_period"] for r in rows] == list(range(1, 47))
    assert rows[2]["interval_start_utc"] == "2023-03-26T01:00:00Z"


def test_prices_api_explains_bad_input_with_400(client_as):
    client = client_as("viewer")
    cases = {
        "/api/v1/prices?start=2023-01-01": "'end' is required",
        "/api/v1/prices?start=2023-13-01&end=2023-01-02": "not a date",
        "/api/v1/prices?start=2023-02-01&end=2023-01-01": "before the start",
        "/api/v1/prices?start=2023-01-01&end=2023-01-02&market=gas": "not one of",
    }
    for url, message in cases.items():
        response = client.get(url)
        assert response.status_code == 400, url
        assert message in response.json["detail"], url


def test_every_api_and_health_route_is_in_the_openapi_document(server, client_as):
    spec = client_as("viewer").get("/api/openapi.json").json
    assert spec["openapi"].startswith("3.1")
    # Flask writes a path parameter <int:name>, OpenAPI {name} (the seed paths keep their own names,
    # e.g. {smartMeterId}): compare with every parameter as {}. The seed systems' own API paths count too.
    documented = {re.sub(r"\{[^}]+\}", "{}", path) for path in spec["paths"]}
    routes = {re.sub(r"<[^>]+>", "{}", rule.rule) for rule in server.url_map.iter_rules()
              if rule.rule.startswith(API_PREFIXES) or rule.rule in ("/health", "/ready")}
    assert routes == documented, f"undocumented: {routes - documented}; stale: {documented - routes}"


def test_openapi_document_needs_credentials(server):
    assert server.test_client().get("/api/openapi.json").status_code == 401


def test_a_session_api_write_needs_the_csrf_token_and_an_api_key_write_does_not(server, client_as):
    from tests.conftest import api_csrf_headers

    client = client_as("trader")
    refused = client.post("/api/v1/no-such-write", json={})
    assert refused.status_code == 403 and "X-CSRFToken" in refused.json["detail"]
    passed_guard = client.post("/api/v1/no-such-write", json={}, headers=api_csrf_headers(client))
    assert passed_guard.status_code != 403
