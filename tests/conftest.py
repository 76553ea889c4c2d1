"""Shared fixtures: settings on a temporary instance folder, SQLite and PostgreSQL databases,
an app with users of each role, and logged-in test clients.

PostgreSQL, Redis and browser tests need real services. Where one is missing they skip,
unless POWERDESK_REQUIRE_SERVICES=1 (set by .ci/run), where they fail instead.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from data_access import migrate
from data_access.engine import Database
from settings import Settings

pytest_plugins = ["tests.smtp_servers"]
"""Fixtures other features share: ``smtp_inbox`` (aiosmtpd), ``refusing_port``, ``hanging_smtp_port``."""

PASSWORDS = {
    "viewer": "viewer-password-123",
    "trader": "trader-password-123",
    "admin": "admin-password-1234",
}
# Workers do not draw each finished run's view for the page here (it costs a process about a second of
# plotly after its run is stored); the tests of it turn it on (tests/jobs/test_run_views.py).
os.environ.setdefault("RUN_VIEWS_WHEN_FINISHED", "false")
POSTGRES_ADMIN_URL = os.environ.get("POWERDESK_TEST_POSTGRES_URL")
REDIS_URL = os.environ.get("POWERDESK_TEST_REDIS_URL")
CELERY_TEST_DATABASES = {
    "test_a_submitted_run_is_solved_by_a_celery_worker": 8,
    "test_a_worker_killed_mid_run_leaves_a_failed_run_that_is_not_solved_twice": 9,
    "test_a_study_is_solved_by_celery_workers": 10,
    "test_the_worker_runs_the_daily_price_email_task": 11,
    "test_twenty_distinct_runs_at_once_on_celery_and_postgresql_all_succeed": 7,
    "test_the_scheduler_runs_its_jobs_from_its_own_queue_without_a_run_worker": 12,
}


def celery_redis_url(test_name: str) -> str | None:
    """A Redis database of the Celery test's own (broker and results): tests run in parallel, and a worker
    on a shared queue would take another test's tasks (against another database), or a flush drop them."""
    if not REDIS_URL:
        return None
    return REDIS_URL.rsplit("/", 1)[0] + f"/{CELERY_TEST_DATABASES[test_name]}"
REQUIRE_SERVICES = os.environ.get("POWERDESK_REQUIRE_SERVICES") == "1"


def missing_service(message: str) -> None:
    """Fail in CI (a skipped PostgreSQL/browser test there is a hole), skip elsewhere."""
    if REQUIRE_SERVICES:
        pytest.fail(f"required service missing: {message}", pytrace=False)
    pytest.skip(message)


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'powerdesk.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    if not POSTGRES_ADMIN_URL:
        missing_service("set POWERDESK_TEST_POSTGRES_URL to run PostgreSQL tests")
    admin_url = POSTGRES_ADMIN_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    name = f"pd_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # server down or unreachable
        admin.dispose()
        missing_service(f"PostgreSQL at {admin_url} is not reachable: {error}")
    url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request) -> str:
    """Each test using this runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def db(database_url) -> Iterator[Database]:
    """A migrated database (SQLite and PostgreSQL)."""
    migrate.upgrade(database_url)
    database = Database.from_url(database_url)
    yield database
    database.dispose()


def make_settings(tmp_path, database_url: str, **overrides) -> Settings:
    values = {
        "POWERDESK_INSTANCE_PATH": str(tmp_path / "instance"),
        "database_url": database_url,
        "secret_key": "test-secret-key-not-for-production",
        "load_demo_data": True,
    }
    values.update(overrides)
    return Settings(**values)


def seed_database(database_url: str, with_demo_prices: bool = True) -> None:
    """Migrate, add one user per role (``viewer``, ``trader``, ``admin``) and the demo prices."""
    from services.prices import load_demo_prices
    from services.users import create_user

    migrate.upgrade(database_url)
    database = Database.from_url(database_url)
    for role, password in PASSWORDS.items():
        create_user(database, role, password, role)
    if with_demo_prices:
        load_demo_prices(database, feeds=("seed",))  # the MID and EPEX demo feeds: tests that need them load them
    database.dispose()


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory) -> Path:
    """A seeded SQLite file built once per test process; tests get copies (Argon2 and 10k price
    rows per test would dominate the suite's time)."""
    path = tmp_path_factory.mktemp("template") / "seeded.db"
    seed_database(f"sqlite:///{path}")
    return path


@pytest.fixture
def seeded_sqlite_url(tmp_path, seeded_template) -> str:
    path = tmp_path / "seeded.db"
    shutil.copyfile(seeded_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def settings(tmp_path, seeded_sqlite_url) -> Settings:
    return make_settings(tmp_path, seeded_sqlite_url)


def build_app(settings: Settings, seed: bool = True):
    """An app on ``settings``' database; ``seed=True`` migrates and seeds that database first."""
    from app import create_app

    if seed:
        seed_database(settings.resolved_database_url())
    dash_app = create_app(settings)
    dash_app.server.config["TESTING"] = True
    return dash_app


@pytest.fixture
def dash_app(settings):
    app = build_app(settings, seed=False)
    yield app
    app.server.extensions["powerdesk"].db.dispose()


@pytest.fixture
def server(dash_app):
    return dash_app.server


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, "login page has no CSRF token"
    return match.group(1)


def log_in(client, username: str, password: str | None = None, next_path: str = "/"):
    page = client.get("/login")
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post(
        "/login",
        data={"csrf_token": token, "username": username, "password": password or PASSWORDS[username],
              "next": next_path},
    )


@pytest.fixture
def client_as(server):
    """``client_as("trader")``: a test client logged in with that role's user."""

    def make(role: str):
        client = server.test_client()
        response = log_in(client, role)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return make


def api_csrf_headers(client) -> dict[str, str]:
    """Headers a session-authenticated client sends on API writes (POST/PUT/PATCH/DELETE)."""
    return {"X-CSRFToken": client.get("/api/v1/whoami").json["csrf_token"]}
