"""schemathesis over the whole OpenAPI document: generated requests (with a fleet machine key, a
viewer's user key and a one-scope machine key) never get a 5xx and every response matches its
documented status codes and schema."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from services.api_keys import create_api_key

KEYS = {"fleet machine": {}, "viewer user key": {"username": "viewer"},
        "meters:write machine": {"scopes": {"meters:write"}}}


@pytest.mark.parametrize("kind", list(KEYS))
def test_every_documented_operation_survives_generated_requests(server, kind):
    key = create_api_key(server.extensions["powerdesk"].db, "fuzz", **KEYS[kind]).key
    client = server.test_client()
    spec = client.get("/api/openapi.json", headers={"Authorization": f"Bearer {key}"}).json
    schema = schemathesis.openapi.from_dict(spec)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/api/v1/prices", "/health", "/ready"}
    for operation in operations:
        _fuzz(operation, client, key)


def _fuzz(operation, client, key):
    @given(case=operation.as_strategy())
    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {key}"}
        response = client.open(case.formatted_path, method=case.method, query_string=case.query,
                               headers=case.headers)
        assert response.status_code < 500, (operation.path, case.query, response.get_data(as_text=True)[:300])
        documented = operation.definition.raw["responses"]
        assert str(response.status_code) in documented or "default" in documented, (
            operation.path, case.query, response.status_code)
        if response.status_code >= 400:
            assert {"error", "detail"} <= set(response.json), response.json  # some add "field", "item"

    check()
