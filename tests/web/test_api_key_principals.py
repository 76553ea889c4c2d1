"""A user key is its user, checked on every request; a machine key is its scopes; key use is audited."""

from __future__ import annotations

import pytest

from services import audit
from services.api_keys import create_api_key
from services.errors import InvalidInput
from services.users import disable_user, enable_user, set_role

METRIC = [{"turbine_number": 1, "wind_speed": 5.0, "power_output_in_kwh": 10.0, "timestamp": 1_700_000_000}]


def _bearer(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


def test_a_role_change_or_disable_applies_to_the_users_key_at_its_next_call(server):
    db = server.extensions["powerdesk"].db
    key = _bearer(create_api_key(db, "viewer-script", username="viewer").key)
    client = server.test_client()
    assert client.post("/api/v1/turbines/metrics", json=METRIC, headers=key).status_code == 403
    set_role(db, "viewer", "trader")
    assert client.post("/api/v1/turbines/metrics", json=[], headers=key).status_code not in (401, 403)
    assert client.get("/api/v1/whoami", headers=key).json == {
        "kind": "user", "credential": "user_key", "key": "viewer-script", "name": "viewer", "role": "trader"}
    disable_user(db, "viewer")
    refused = client.get("/api/v1/prices?start=2025-01-01&end=2025-01-01", headers=key)
    assert refused.status_code == 401 and "disabled" in refused.json["detail"]
    enable_user(db, "viewer")
    assert client.get("/api/v1/whoami", headers=key).status_code == 200


def test_a_viewers_key_cannot_write_what_a_machine_writes_and_nothing_is_stored(server):
    db = server.extensions["powerdesk"].db
    key = _bearer(create_api_key(db, "viewer-nb", username="viewer").key)
    client = server.test_client()
    for path, body in (("/api/v1/turbines/metrics", METRIC), ("/post_metrics", METRIC),
                       ("/readings/store", {"smartMeterId": "smart-meter-0",
                                            "electricityReadings": [{"time": 1_700_000_000, "reading": 1.0}]}),
                       ("/api/v1/footprint/assets", {"asset_id": "site-1"})):
        response = client.post(path, json=body, headers=key)
        assert response.status_code == 403, (path, response.json)
        assert "you are a viewer" in response.json["detail"]
    assert client.get("/readings/read/smart-meter-0", headers=key).status_code == 404  # no meter: nothing stored
    denied = audit.list_events(db, action_prefix="apikey.denied")
    assert len(denied) == 4 and {event.actor for event in denied} == {"apikey:viewer-nb"}


def test_machine_keys_act_only_within_their_scope(server):
    db = server.extensions["powerdesk"].db
    meter = _bearer(create_api_key(db, "meter-17", scopes={"meters:write"}).key)
    client = server.test_client()
    assert client.get("/api/v1/whoami", headers=meter).json["scopes"] == ["meters:write"]
    assert client.post("/api/v1/turbines/metrics", json=METRIC, headers=meter).status_code == 403
    assert client.get("/readings/read/smart-meter-0", headers=meter).status_code == 403
    stored = client.post("/readings/store", headers=meter, json={
        "smartMeterId": "smart-meter-0", "electricityReadings": [{"time": 1_700_000_000, "reading": 1.5}]})
    assert stored.status_code == 200


def test_scopes_are_checked_when_a_key_is_made(server):
    db = server.extensions["powerdesk"].db
    with pytest.raises(InvalidInput, match="unknown scope"):
        create_api_key(db, "m1", scopes={"everything"})
    with pytest.raises(InvalidInput, match="at least one scope"):
        create_api_key(db, "m2", scopes=set())
    with pytest.raises(InvalidInput, match="takes no machine scopes"):
        create_api_key(db, "u1", username="viewer", scopes={"meters:write"})


def test_first_use_from_a_new_address_is_audited_once(server):
    db = server.extensions["powerdesk"].db
    key = _bearer(create_api_key(db, "gateway", scopes={"prices:read"}).key)
    client = server.test_client()
    for address in ("10.0.0.1", "10.0.0.1", "10.0.0.2", "10.0.0.1"):
        client.get("/api/v1/whoami", headers=key, environ_base={"REMOTE_ADDR": address})
    events = audit.list_events(db, action_prefix="apikey.new_address")
    assert sorted(event.remote_addr for event in events) == ["10.0.0.1", "10.0.0.2"]
