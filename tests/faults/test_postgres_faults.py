"""PostgreSQL faults during a stream of writes: the app's connections are terminated
(``pg_terminate_backend``) again and again while a trader uploads price files.

Clients see 200 or 503 JSON with Retry-After (never a 500 or a traceback), retry on 503, and the
rows stored equal the rows acknowledged; afterwards the app serves normally without a restart.
Run with ``make test-faults``.
"""

from __future__ import annotations

import base64
import json
import threading
import time

import pandas as pd
import pytest
from sqlalchemy import create_engine, func, select, text

from data_access.schema import MarketPrice
from tests.conftest import POSTGRES_ADMIN_URL, build_app, log_in, make_settings
from tests.dash_requests import callback_body, find_callback_by_input

pytestmark = pytest.mark.postgres
UPLOADS = 24
MAX_TRIES = 80


def _price_file(day: int) -> bytes:
    starts = pd.date_range(pd.Timestamp("2031-01-01", tz="UTC") + pd.Timedelta(days=day), periods=48, freq="30min")
    frame = pd.DataFrame({"interval_start_utc": starts.strftime("%Y-%m-%dT%H:%M:%SZ"),
                          "day_ahead": [50.0 + day + i / 10 for i in range(48)]})
    return frame.to_csv(index=False).encode()


def _upload_body(dash_app, day: int) -> dict:
    content = "data:text/csv;base64," + base64.b64encode(_price_file(day)).decode()
    # The confirmation step of the upload flow (the step that writes); no digest: no preview to match.
    key = find_callback_by_input(dash_app, "prices-upload-confirm.n_clicks")
    return callback_body(dash_app, key, {"prices-upload.contents": content, "prices-upload.filename": "fault.csv",
                                         "prices-upload-confirm.n_clicks": 1,
                                         "prices-upload-pending.data": {"file_name": "fault.csv"}},
                         triggered="prices-upload-confirm.n_clicks")


class Terminator(threading.Thread):
    """Terminates every backend connected to ``database`` every ``period_s`` until stopped."""

    def __init__(self, database: str, period_s: float = 0.05):
        super().__init__(daemon=True)
        self.database, self.period_s = database, period_s
        self.stop = threading.Event()
        self.terminated = 0
        self.engine = create_engine(POSTGRES_ADMIN_URL.replace("postgresql://", "postgresql+psycopg://", 1),
                                    isolation_level="AUTOCOMMIT")

    def run(self):
        with self.engine.connect() as connection:
            while not self.stop.is_set():
                self.terminated += connection.execute(text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": self.database}).scalar()
                time.sleep(self.period_s)
        self.engine.dispose()


def test_terminated_connections_give_503_never_500_and_no_acknowledged_row_is_lost(tmp_path, postgres_url):
    app = build_app(make_settings(tmp_path, postgres_url))
    client = app.server.test_client()
    assert log_in(client, "trader").status_code == 302
    # Every 0.2 s: an upload is now a preview-checked import with its own audit and import rows, which a
    # 0.05 s terminator killed every time; 0.2 s still cuts many of them (503s asserted below).
    terminator = Terminator(postgres_url.rsplit("/", 1)[1], period_s=0.2)
    acknowledged_days, statuses = set(), []
    terminator.start()
    try:
        for day in range(UPLOADS):
            for _ in range(MAX_TRIES):
                response = client.post("/_dash-update-component", json=_upload_body(app, day))
                statuses.append(response.status_code)
                body = response.get_data(as_text=True)
                assert response.status_code in (200, 401, 503), body[:500]
                assert "Traceback" not in body
                if response.status_code == 503:
                    assert response.json["error"] == "service unavailable" and response.headers["Retry-After"]
                    time.sleep(0.05)
                    continue
                if response.status_code == 401:  # the session check itself met a dead connection
                    pytest.fail(f"a terminated connection logged the user out: {body[:300]}")
                assert " added, " in json.dumps(response.json) and "rejected" in json.dumps(response.json), body[:500]
                acknowledged_days.add(day)
                break
    finally:
        terminator.stop.set()
        terminator.join(10)
    assert terminator.terminated > 0 and 503 in statuses, "the fault was never injected"
    assert acknowledged_days == set(range(UPLOADS)), "an upload never succeeded within its retries"
    db = app.server.extensions["powerdesk"].db
    with db.session() as session:
        stored = session.scalar(select(func.count()).select_from(MarketPrice).where(MarketPrice.source == "upload:seed:fault.csv"))
    assert stored == 48 * len(acknowledged_days)
    # recovered without a restart
    assert client.get("/ready").status_code == 200
    assert client.get("/api/v1/prices?start=2031-01-01&end=2031-01-01").status_code == 200
