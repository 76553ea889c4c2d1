"""Login throttling through the real login form: per address, per user name, form bodies only."""

import pytest

from security.login_views import FORM_ONLY, TOO_MANY_FROM_ADDRESS
from services import audit
from tests.conftest import build_app, csrf_token_from, log_in, make_settings


def _from(client, address):
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_password_spraying_from_one_address_is_stopped_while_other_addresses_log_in(tmp_path, seeded_sqlite_url):
    app = build_app(make_settings(tmp_path, seeded_sqlite_url, login_address_failure_limit=4), seed=False)
    attacker = _from(app.server.test_client(), "198.51.100.9")
    for number in range(4):
        assert log_in(attacker, f"name{number}", password="spray-password-1").status_code == 401
    refused = log_in(attacker, "name99", password="spray-password-1")
    assert refused.status_code == 429 and TOO_MANY_FROM_ADDRESS in refused.get_data(as_text=True)
    assert int(refused.headers["Retry-After"]) > 0
    assert log_in(_from(app.server.test_client(), "198.51.100.10"), "viewer").status_code == 302


def test_a_user_is_delayed_not_locked_out_and_can_log_in_after_the_delay(tmp_path, seeded_sqlite_url):
    app = build_app(make_settings(tmp_path, seeded_sqlite_url, login_backoff_base_s=30), seed=False)
    throttle = app.server.extensions["powerdesk.login_throttle"]
    now = [1_000_000.0]
    throttle.clock = lambda: now[0]
    for _ in range(5):
        assert log_in(app.server.test_client(), "trader", password="wrong-password-x").status_code == 401
    delayed = log_in(app.server.test_client(), "trader")
    assert delayed.status_code == 429 and delayed.headers["Retry-After"] == "30"
    now[0] += 31
    assert log_in(app.server.test_client(), "trader").status_code == 302


def test_a_json_login_body_is_refused_with_415(server):
    client = server.test_client()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", json={"csrf_token": token, "username": "admin", "password": "x" * 12})
    assert response.status_code == 415 and response.json["detail"] == FORM_ONLY


def test_logins_and_failures_are_audited(server):
    assert log_in(server.test_client(), "viewer", password="wrong-password-x").status_code == 401
    assert log_in(server.test_client(), "viewer").status_code == 302
    events = audit.list_events(server.extensions["powerdesk"].db, action_prefix="login")
    assert [(e.action, e.actor, e.remote_addr) for e in events] == [
        ("login.succeeded", "viewer", "127.0.0.1"), ("login.failed", "viewer", "127.0.0.1")]


@pytest.mark.parametrize("proxies, expected", [(0, "127.0.0.1"), (1, "203.0.113.5")])
def test_the_client_address_comes_from_a_trusted_proxy_only(tmp_path, seeded_sqlite_url, proxies, expected):
    app = build_app(make_settings(tmp_path, seeded_sqlite_url, trusted_proxy_count=proxies), seed=False)
    client = app.server.test_client()
    client.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.5"
    log_in(client, "viewer", password="wrong-password-x")
    events = audit.list_events(app.server.extensions["powerdesk"].db, action_prefix="login.failed")
    assert events[0].remote_addr == expected


def test_with_redis_down_people_still_log_in_and_guessing_is_still_slowed(tmp_path, seeded_sqlite_url,
                                                                        refusing_port, caplog):
    settings = make_settings(tmp_path, seeded_sqlite_url, redis_url=f"redis://127.0.0.1:{refusing_port}/0",
                             login_address_failure_limit=3)
    app = build_app(settings, seed=False)
    assert log_in(_from(app.server.test_client(), "198.51.100.20"), "viewer").status_code == 302
    attacker = _from(app.server.test_client(), "198.51.100.9")
    for number in range(3):
        assert log_in(attacker, f"name{number}", password="spray-password-1").status_code == 401
    assert log_in(attacker, "name99", password="spray-password-1").status_code == 429
    assert "Redis did not answer" in caplog.text


def test_fifty_failures_from_one_address_stop_that_address_but_not_the_owner_elsewhere(tmp_path, seeded_sqlite_url):
    """Someone who knows a user name cannot lock its owner out by failing on purpose."""
    app = build_app(make_settings(tmp_path, seeded_sqlite_url), seed=False)
    throttle = app.server.extensions["powerdesk.login_throttle"]
    now = [2_000_000.0]
    throttle.clock = lambda: now[0]  # no time passes: the attacker fails as fast as the form answers
    attacker = _from(app.server.test_client(), "198.51.100.66")
    statuses = [log_in(attacker, "trader", password="wrong-password-x").status_code for _ in range(50)]
    assert set(statuses) == {401, 429} and statuses[:5] == [401] * 5
    right_password_from_a = log_in(attacker, "trader")
    assert right_password_from_a.status_code == 429  # A is stopped, even with the right password
    owner = _from(app.server.test_client(), "203.0.113.20")
    assert log_in(owner, "trader").status_code == 302  # B gets in
    identity = owner.get("/api/v1/whoami").json
    assert identity["name"] == "trader"
