import uuid

import pytest

from security.login_views import BAD_CREDENTIALS, TOO_MANY_ATTEMPTS
from tests.conftest import PASSWORDS, REDIS_URL, build_app, csrf_token_from, log_in, make_settings, missing_service


def test_login_page_has_a_csrf_protected_form(server):
    response = server.test_client().get("/login")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert csrf_token_from(html)
    assert 'name="password"' in html and 'type="password"' in html


def test_login_without_csrf_token_is_refused_and_logs_nobody_in(server):
    client = server.test_client()
    client.get("/login")
    response = client.post("/login", data={"username": "admin", "password": PASSWORDS["admin"]})
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)
    assert client.get("/_dash-layout").status_code == 401


def test_good_login_redirects_to_next_and_opens_the_app(server):
    client = server.test_client()
    response = log_in(client, "trader", next_path="/prices")
    assert response.status_code == 302 and response.headers["Location"] == "/prices"
    assert client.get("/_dash-layout").status_code == 200
    identity = client.get("/api/v1/whoami").json
    assert {key: identity[key] for key in ("kind", "name", "role")} == {"kind": "user", "name": "trader", "role": "trader"}
    assert identity["csrf_token"]


@pytest.mark.parametrize("next_path", ["//evil.example/x", "https://evil.example/", "/\\\\evil.example", "javascript:x"])
def test_next_cannot_redirect_off_site(server, next_path):
    response = log_in(server.test_client(), "viewer", next_path=next_path)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_wrong_password_and_unknown_user_get_the_same_answer(server):
    wrong = log_in(server.test_client(), "admin", password="not-the-password")
    unknown = log_in(server.test_client(), "nobody-here", password="not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert BAD_CREDENTIALS in wrong.get_data(as_text=True)
    assert BAD_CREDENTIALS in unknown.get_data(as_text=True)


def test_five_failures_lock_that_user_name_out_with_429(server):
    client = server.test_client()
    for _ in range(5):
        assert log_in(client, "trader", password="wrong-password-x").status_code == 401
    locked = log_in(client, "trader")  # even the right password, for a while
    assert locked.status_code == 429
    assert TOO_MANY_ATTEMPTS in locked.get_data(as_text=True)
    assert log_in(server.test_client(), "viewer").status_code == 302  # other users are unaffected


def test_successful_logins_do_not_count_towards_the_limit(server):
    for _ in range(7):
        assert log_in(server.test_client(), "viewer").status_code == 302


@pytest.mark.redis
def test_login_limit_is_shared_between_processes_through_redis(tmp_path, seeded_sqlite_url):
    if not REDIS_URL:
        missing_service("set POWERDESK_TEST_REDIS_URL to run Redis tests")
    # a unique user name per run keeps earlier runs' counters out of this one
    name = f"user{uuid.uuid4().hex[:10]}"
    settings = make_settings(tmp_path, seeded_sqlite_url, redis_url=REDIS_URL)
    first, second = build_app(settings, seed=False), build_app(settings, seed=False)
    for _ in range(3):
        assert log_in(first.server.test_client(), name, password="wrong-password-x").status_code == 401
    for _ in range(2):
        assert log_in(second.server.test_client(), name, password="wrong-password-x").status_code == 401
    assert log_in(first.server.test_client(), name, password="wrong-password-x").status_code == 429


def test_logout_needs_a_post_with_csrf_and_ends_the_session(server, client_as):
    client = client_as("viewer")
    client.get("/logout")  # a link or image on another site cannot log the user out
    client.post("/logout", data={})  # nor can a POST without the token
    assert client.get("/_dash-layout").status_code == 200
    layout = client.get("/_dash-layout").get_data(as_text=True)
    token = layout.split('"name":"csrf_token"')[0].rsplit('"value":"', 1)[1].split('"')[0]
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.get("/_dash-layout").status_code == 401


def test_session_cookie_is_httponly_and_samesite_lax(server):
    response = log_in(server.test_client(), "viewer")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_secure_cookie_can_be_switched_on(tmp_path, seeded_sqlite_url):
    app = build_app(make_settings(tmp_path, seeded_sqlite_url, session_cookie_secure=True), seed=False)
    response = log_in(app.server.test_client(), "viewer")
    assert "Secure" in response.headers["Set-Cookie"]


def test_disabling_a_user_ends_their_session_at_the_next_request(server, client_as):
    from services.users import disable_user

    client = client_as("trader")
    assert client.get("/_dash-layout").status_code == 200
    disable_user(server.extensions["powerdesk"].db, "trader")
    assert client.get("/_dash-layout").status_code == 401


def test_a_role_change_ends_the_session_and_the_new_role_applies_after_login(server, client_as):
    from services.users import set_role

    client = client_as("viewer")
    assert client.get("/admin/users").status_code == 403
    set_role(server.extensions["powerdesk"].db, "viewer", "admin")
    assert client.get("/_dash-layout").status_code == 401
    assert log_in(client, "viewer").status_code == 302
    assert client.get("/admin/users").status_code == 200


def test_head_on_the_login_page_answers_like_get(server):
    assert server.test_client().head("/login").status_code == 200
