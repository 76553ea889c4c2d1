"""Security headers on every response, cookie flags per environment, no server banner."""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from werkzeug.serving import make_server

from security.quiet_server import QuietRequestHandler
from tests.conftest import build_app, log_in, make_settings
from tests.smtp_servers import free_port

REPO = Path(__file__).resolve().parents[2]


def _script_hashes(csp: str) -> list[str]:
    script_src = next(part for part in csp.split("; ") if part.startswith("script-src "))
    return [token for token in script_src.split()[1:] if token.startswith("'sha256-")]


@pytest.mark.parametrize("path", ["/login", "/health", "/", "/api/v1/whoami", "/assets/powerdesk.css",
                                  "/_dash-layout", "/no-such-page"])
def test_every_response_carries_the_security_headers(server, path):
    response = server.test_client().get(path)
    headers = response.headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in headers["Content-Security-Policy"].split("script-src")[1].split(";")[0]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in headers  # plain-HTTP demo
    assert headers["X-Request-ID"]


def test_the_csp_allows_exactly_the_inline_scripts_dash_writes(dash_app, client_as):
    page = client_as("viewer").get("/")
    html = page.get_data(as_text=True)
    assert "new DashRenderer" in html
    assert sorted(_script_hashes(page.headers["Content-Security-Policy"])) == sorted(dash_app.csp_hashes())


def test_request_id_is_taken_from_the_caller_or_made_up(server):
    client = server.test_client()
    assert client.get("/health", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"] == "abc-123"
    made_up = client.get("/health", headers={"X-Request-ID": "<script>"}).headers["X-Request-ID"]
    assert made_up != "<script>" and len(made_up) == 32


def test_behind_tls_the_cookie_is_secure_host_prefixed_and_hsts_is_sent(tmp_path, seeded_sqlite_url):
    app = build_app(make_settings(tmp_path, seeded_sqlite_url, behind_tls=True), seed=False)
    client = app.server.test_client()
    response = log_in(client, "viewer")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-powerdesk_session=") and "Secure" in cookie and "Path=/" in cookie
    assert "Domain" not in cookie and "HttpOnly" in cookie
    over_tls = client.get("/health", headers={"X-Forwarded-Proto": "https"})
    assert "max-age=31536000" in over_tls.headers["Strict-Transport-Security"]
    assert "Strict-Transport-Security" in client.get("/health", base_url="https://localhost").headers


@pytest.mark.parametrize("proto", ["http", ""])
def test_behind_tls_no_hsts_on_a_request_the_proxy_says_was_plain_http(tmp_path, seeded_sqlite_url, proto):
    app = build_app(make_settings(tmp_path, seeded_sqlite_url, behind_tls=True), seed=False)
    headers = {"X-Forwarded-Proto": proto} if proto else {}
    assert "Strict-Transport-Security" not in app.server.test_client().get("/health", headers=headers).headers


def test_dash_layout_and_callback_answers_are_not_cached(dash_app, client_as):
    from tests.dash_requests import callback_body

    client = client_as("viewer")
    assert client.get("/_dash-layout").headers["Cache-Control"] == "no-store"
    server_side = next(key for key, spec in dash_app.callback_map.items() if "callback" in spec)
    response = client.post("/_dash-update-component", json=callback_body(dash_app, server_side))
    assert response.headers["Cache-Control"] == "no-store"


def test_plain_http_demo_keeps_a_plain_cookie(server):
    cookie = log_in(server.test_client(), "viewer").headers["Set-Cookie"]
    assert cookie.startswith("session=") and "Secure" not in cookie


def test_the_development_server_does_not_announce_its_version(server):
    httpd = make_server("127.0.0.1", 0, server, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        response = requests.get(f"http://127.0.0.1:{httpd.server_port}/health", timeout=5)
    finally:
        httpd.shutdown()
    assert response.headers["Server"] == "powerdesk"


def test_gunicorn_does_not_announce_itself(tmp_path, seeded_sqlite_url):
    port = free_port()
    env = {**os.environ, "DATABASE_URL": seeded_sqlite_url, "POWERDESK_INSTANCE_PATH": str(tmp_path / "inst"),
           "SECRET_KEY": "test-key"}
    gunicorn = Path(sys.executable).parent / "gunicorn"
    process = subprocess.Popen([str(gunicorn), "--bind", f"127.0.0.1:{port}", "--workers", "1", "app:server"],
                               cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 60
        while True:
            try:
                response = requests.get(f"http://127.0.0.1:{port}/health", timeout=60)
                break
            except requests.ConnectionError:
                assert process.poll() is None, process.stderr.read().decode()
                assert time.time() < deadline, "gunicorn did not start"
                time.sleep(0.3)
    finally:
        process.terminate()
        process.wait(timeout=20)
    assert response.status_code == 200
    assert response.headers["Server"] == "powerdesk"
