"""SMTP down or hanging while mail goes out: each send is retried a bounded number of times, each
attempt bounded by MAIL_TIMEOUT_S, and the web app on the same database keeps answering (reads and
writes) meanwhile. The unit tests in tests/services cover the retry rules one by one; these run the
scheduled job and a run's mail against a server that accepts connections and never speaks.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, date, datetime

from data_access.engine import Database
from data_access.schema import OptimisationRun, User
from jobs.price_email import send_daily_price_email
from optimiser import BatteryParams
from services import price_email
from services.optimisation_runs import RunRequest, run_optimisation
from tests.conftest import build_app, log_in, make_settings

DAY = date(2023, 3, 26)
SEVEN_UK = datetime(2023, 3, 27, 6, 0, tzinfo=UTC)
"""07:00 BST the next morning: the daily email's time."""
TIMEOUT_S = 0.5
ATTEMPTS = 3
LATENCY_BOUND_S = 3.0
"""The web app answers each request within this long while the mail hangs [s]."""


def _mail_settings(tmp_path, url, port, **overrides):
    return make_settings(tmp_path, url, mail_server="127.0.0.1", mail_port=port, mail_timeout_s=TIMEOUT_S,
                         price_email_attempts=ATTEMPTS, price_email_backoff_s=0.05, **overrides)


def test_a_hanging_smtp_server_bounds_the_daily_email_and_the_app_keeps_serving(tmp_path, seeded_sqlite_url,
                                                                                 hanging_smtp_port, smtp_inbox):
    db = Database.from_url(seeded_sqlite_url)
    for user in ("trader", "viewer"):
        price_email.set_preference(db, user, f"{user}@example.com", True, actor=user)
    hanging = _mail_settings(tmp_path, seeded_sqlite_url, hanging_smtp_port)
    app = build_app(hanging, seed=False)
    client = app.server.test_client()
    assert log_in(client, "trader").status_code == 302

    elapsed: list[float] = []

    def scheduled_job() -> None:
        started = time.monotonic()
        send_daily_price_email(hanging, now_utc=SEVEN_UK)
        elapsed.append(time.monotonic() - started)

    job = threading.Thread(target=scheduled_job, daemon=True)
    job.start()
    latencies = []
    while job.is_alive():
        started = time.monotonic()
        assert client.get("/api/v1/whoami").status_code == 200
        assert log_in(app.server.test_client(), "viewer").status_code == 302  # a write: last login, audit row
        latencies.append(time.monotonic() - started)
        time.sleep(0.05)
    job.join()
    # bounded: three silent attempts for the first address; the server is then taken to be down for all
    assert elapsed and ATTEMPTS * TIMEOUT_S * 0.9 < elapsed[0] < ATTEMPTS * TIMEOUT_S + 10
    assert latencies and max(latencies) < LATENCY_BOUND_S, latencies
    trader = price_email.get_preference(db, "trader")
    assert trader.last_email.startswith(f"{DAY.isoformat()} failed") and "timed out" in trader.last_email.lower()

    inbox, port = smtp_inbox  # the server answers again: the next trigger sends each message once
    send_daily_price_email(_mail_settings(tmp_path, seeded_sqlite_url, port), now_utc=SEVEN_UK)
    assert sorted(envelope[0] for envelope in inbox.envelopes) == ["trader@example.com", "viewer@example.com"]
    assert client.get("/api/v1/whoami").status_code == 200
    db.dispose()


def test_a_hanging_smtp_server_bounds_a_runs_mail_and_the_run_still_succeeds(tmp_path, seeded_sqlite_url,
                                                                             hanging_smtp_port, caplog):
    db = Database.from_url(seeded_sqlite_url)
    with db.session() as session:
        user = User(username="olive@example.com", password_hash="x", role="trader")
        session.add(user)
        session.flush()
        user_id = user.id
    settings = _mail_settings(tmp_path, seeded_sqlite_url, hanging_smtp_port, run_email_after_s=0)
    request = RunRequest(date(2023, 2, 1), date(2023, 2, 1), BatteryParams(power_mw=10, energy_mwh=20))
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="services.run_mail"):
        outcome = run_optimisation(db, request, user_id=user_id, settings=settings)
    assert "could not email olive@example.com" in caplog.text and "timed out" in caplog.text.lower()
    assert time.monotonic() - started < 30  # the solve plus one mail attempt of TIMEOUT_S, never a hang
    with db.session() as session:
        assert session.get(OptimisationRun, outcome.run_id).status == "succeeded"
    db.dispose()
