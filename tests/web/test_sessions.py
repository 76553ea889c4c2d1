"""Sessions end for real: an old cookie stops working after logout, a password reset, disabling
the user and a role change; sessions also end after their lifetime and when idle."""

import time

from flask.sessions import SecureCookieSessionInterface

from security import sessions
from services.users import disable_user, reset_password, set_role
from tests.conftest import build_app, log_in, make_settings


def _cookie(client) -> str:
    return client.get_cookie("session").value


def _logout_token(client) -> str:
    layout = client.get("/_dash-layout").get_data(as_text=True)
    return layout.split('"name":"csrf_token"')[0].rsplit('"value":"', 1)[1].split('"')[0]


def test_a_cookie_saved_before_logout_no_longer_works_after_it(server, client_as):
    client = client_as("viewer")
    saved = _cookie(client)
    assert client.post("/logout", data={"csrf_token": _logout_token(client)}).status_code == 302
    replay = server.test_client()
    replay.set_cookie("session", saved)
    assert replay.get("/api/v1/whoami").status_code == 401
    assert replay.get("/_dash-layout").status_code == 401


def test_a_password_reset_ends_existing_sessions(server, client_as):
    client = client_as("trader")
    reset_password(server.extensions["powerdesk"].db, "trader", "a-brand-new-password", actor="admin")
    assert client.get("/api/v1/whoami").status_code == 401
    assert log_in(server.test_client(), "trader", "a-brand-new-password").status_code == 302


def test_disabling_and_role_change_end_sessions(server, client_as):
    db = server.extensions["powerdesk"].db
    trader, viewer = client_as("trader"), client_as("viewer")
    disable_user(db, "trader", actor="admin")
    set_role(db, "viewer", "trader", actor="admin")
    assert trader.get("/api/v1/whoami").status_code == 401
    assert viewer.get("/api/v1/whoami").status_code == 401


def test_a_cookie_signed_with_another_key_or_tampered_is_refused(server, client_as):
    client = client_as("admin")
    forged_interface = SecureCookieSessionInterface()

    class OtherKey:
        secret_key = "another-key"
        config = server.config

    serializer = forged_interface.get_signing_serializer(OtherKey)
    forged = serializer.dumps({"_user_id": "3", sessions.VERSION_KEY: 0, sessions.LOGIN_AT_KEY: int(time.time()),
                               sessions.SEEN_AT_KEY: int(time.time())})
    attacker = server.test_client()
    attacker.set_cookie("session", forged)
    assert attacker.get("/api/v1/whoami").status_code == 401
    tampered = server.test_client()
    tampered.set_cookie("session", _cookie(client)[:-3] + "abc")
    assert tampered.get("/api/v1/whoami").status_code == 401


def test_session_ends_after_its_idle_timeout_and_its_lifetime(tmp_path, seeded_sqlite_url, monkeypatch):
    app = build_app(make_settings(tmp_path, seeded_sqlite_url, session_idle_timeout_minutes=10,
                                  session_lifetime_minutes=60), seed=False)
    client = app.server.test_client()
    assert log_in(client, "viewer").status_code == 302
    start = time.time()
    monkeypatch.setattr(sessions.time, "time", lambda: start + 9 * 60)
    assert client.get("/api/v1/whoami").status_code == 200  # active: the idle clock restarts
    monkeypatch.setattr(sessions.time, "time", lambda: start + 18 * 60)
    assert client.get("/api/v1/whoami").status_code == 200
    monkeypatch.setattr(sessions.time, "time", lambda: start + 29 * 60)
    assert client.get("/api/v1/whoami").status_code == 401  # idle for 11 minutes

    client = app.server.test_client()
    assert log_in(client, "viewer").status_code == 302
    start = time.time()
    for minute in range(5, 60, 5):
        monkeypatch.setattr(sessions.time, "time", lambda m=minute: start + m * 60)
        assert client.get("/api/v1/whoami").status_code == 200
    monkeypatch.setattr(sessions.time, "time", lambda: start + 61 * 60)
    assert client.get("/api/v1/whoami").status_code == 401  # active all along, but past its lifetime


def test_login_replaces_the_session_so_a_planted_cookie_is_not_reused(server):
    client = server.test_client()
    client.get("/login")
    before = _cookie(client)
    assert log_in(client, "viewer").status_code == 302
    assert _cookie(client) != before
