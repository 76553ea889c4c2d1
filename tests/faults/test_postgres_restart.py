"""PostgreSQL restarted, stopped and started again, and the app's connections terminated, during a
stream of turbine metric ingests from several machine clients to the app served by gunicorn.

The database is a private cluster on a free port (the shared server is never restarted). Clients
retry on 503; none ever gets a 500 or a traceback, every 503 is JSON with a message and
Retry-After, the rows stored equal the rows acknowledged (ingest is idempotent, so a retried batch
whose first commit did land adds nothing), and after each fault the same gunicorn answers again.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import pytest
import requests
from sqlalchemy import create_engine, func, select, text

from data_access import migrate
from data_access.engine import Database
from data_access.schema import TurbineMetric
from services.api_keys import create_api_key
from services.turbines import register_demo_fleet
from tests.faults.private_servers import GunicornApp, PrivatePostgres, wait_until

pytestmark = pytest.mark.postgres
CLIENTS = 4
BATCH = 25
"""Metrics per request."""
BATCH_DEADLINE_S = 45.0
"""A batch not acknowledged within this long, retries included, fails the test."""
OUTAGE_S = 3.0
"""How long the server stays stopped [s]."""


@dataclass
class Stream:
    """What the clients saw: every status, bad answers, and the metrics acknowledged with 201."""

    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: dict[int, int] = field(default_factory=dict)
    bad: list[str] = field(default_factory=list)
    acknowledged: set[tuple[int, float]] = field(default_factory=set)
    acknowledged_batches: int = 0

    def note(self, status: int) -> None:
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1

    def acks(self) -> int:
        with self.lock:
            return self.acknowledged_batches


def _metrics(turbine: int, batch: int, start_epoch_s: float) -> list[dict]:
    return [{"turbine_number": turbine, "wind_speed": 30.0 + i, "power_output_in_kwh": 1000.0 + i,
             "operational_status": "ok", "timestamp": start_epoch_s + (batch * BATCH + i) * 0.5}
            for i in range(BATCH)]


def _client(base: str, key: str, turbine: int, start_epoch_s: float, stream: Stream) -> None:
    """Post batches until told to stop, each retried on 503 until it is acknowledged."""
    session = requests.Session()
    session.headers.update({"Authorization": f"Bearer {key}"})
    batch = 0
    while not stream.stop.is_set():
        metrics = _metrics(turbine, batch, start_epoch_s)
        deadline = time.monotonic() + BATCH_DEADLINE_S
        while True:
            try:
                response = session.post(f"{base}/api/v1/turbines/metrics", json=metrics, timeout=30)
            except requests.RequestException as error:
                with stream.lock:
                    stream.bad.append(f"turbine {turbine} batch {batch}: no answer from the app: {error!r}")
                return
            stream.note(response.status_code)
            body = response.text
            if response.status_code == 201:
                with stream.lock:
                    stream.acknowledged.update((turbine, m["timestamp"]) for m in metrics)
                    stream.acknowledged_batches += 1
                break
            problem = None
            if response.status_code != 503 or "Traceback" in body:
                problem = f"HTTP {response.status_code}: {body[:300]}"
            else:
                try:
                    payload = response.json()
                except ValueError:
                    payload = {}
                if not payload.get("detail") or payload.get("error") != "service unavailable" \
                        or not response.headers.get("Retry-After"):
                    problem = f"a 503 without a JSON message and Retry-After: {response.headers} {body[:300]}"
            if problem or time.monotonic() > deadline:
                with stream.lock:
                    stream.bad.append(f"turbine {turbine} batch {batch}: "
                                      f"{problem or f'not acknowledged within {BATCH_DEADLINE_S:.0f} s'}")
                return
            time.sleep(0.1)  # the client's retry (Retry-After says 2 s; the test is impatient)
        batch += 1


def _wait_for_more_acks(stream: Stream, more: int, what: str, timeout_s: float = 30.0) -> None:
    target = stream.acks() + more
    wait_until(lambda: stream.acks() >= target or bool(stream.bad), timeout_s,
               f"the clients did not get {more} more batches acknowledged {what}")
    assert not stream.bad, stream.bad[:3]


def _terminate_backends(cluster: PrivatePostgres, database: str, seconds: float) -> int:
    engine = create_engine(cluster.url(), isolation_level="AUTOCOMMIT")
    terminated, until = 0, time.monotonic() + seconds
    with engine.connect() as connection:
        while time.monotonic() < until:
            terminated += connection.execute(text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": database}).scalar()
            time.sleep(0.05)
    engine.dispose()
    return terminated


@pytest.fixture
def cluster():
    server = PrivatePostgres()
    try:
        server.start()
        yield server
    finally:
        server.close()


def test_postgres_restart_and_outage_during_ingest_give_503_and_lose_no_acknowledged_row(cluster, tmp_path):
    admin = create_engine(cluster.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("CREATE DATABASE powerdesk"))
    admin.dispose()
    url = cluster.url("powerdesk")
    migrate.upgrade(url)
    db = Database.from_url(url)
    register_demo_fleet(db, 3000.0)
    key = create_api_key(db, "fault-emitter").key
    db.dispose()

    app = GunicornApp({"DATABASE_URL": url, "SECRET_KEY": "fault-test-secret",
                       "POWERDESK_INSTANCE_PATH": str(tmp_path / "instance")}, tmp_path / "gunicorn.log")
    stream = Stream()
    start_epoch_s = float(int(time.time()) - 3 * 3600)  # whole seconds: exact in timestamptz
    clients = [threading.Thread(target=_client, args=(app.base, key, turbine, start_epoch_s, stream), daemon=True)
               for turbine in range(1, CLIENTS + 1)]
    try:
        for thread in clients:
            thread.start()
        _wait_for_more_acks(stream, 8, "before any fault")

        first_postmaster = cluster.postmaster_pid()
        cluster.restart()
        assert cluster.postmaster_pid() != first_postmaster
        _wait_for_more_acks(stream, 8, "after the restart")

        terminated = _terminate_backends(cluster, "powerdesk", 1.5)
        _wait_for_more_acks(stream, 8, "after terminating the app's connections")

        cluster.stop()
        outage_started = stream.statuses.get(503, 0)
        time.sleep(OUTAGE_S)
        refused_during_outage = stream.statuses.get(503, 0) - outage_started
        cluster.start()
        _wait_for_more_acks(stream, 8, "after the server came back")
    finally:
        stream.stop.set()
        for thread in clients:
            thread.join(BATCH_DEADLINE_S + 5)
    try:
        assert not stream.bad, stream.bad[:5]
        assert terminated > 0, "no connection of the app was terminated"
        assert refused_during_outage >= CLIENTS, "the clients were not answered 503 while the server was down"
        assert set(stream.statuses) <= {201, 503}, stream.statuses
        # recovered without restarting the app: the same gunicorn master answers
        assert app.process.poll() is None
        ready = requests.get(f"{app.base}/ready", timeout=10)
        assert ready.status_code == 200, ready.text
        fleet = requests.get(f"{app.base}/api/v1/turbines", headers={"Authorization": f"Bearer {key}"}, timeout=10)
        assert fleet.status_code == 200 and len(fleet.json()["turbines"]) >= CLIENTS
        log = app.log_text()
    finally:
        app.close()

    db = Database.from_url(url)
    with db.session() as session:
        stored = set(session.execute(select(TurbineMetric.turbine_number, TurbineMetric.measured_at)).all())
        count = session.scalar(select(func.count()).select_from(TurbineMetric))
    db.dispose()
    assert count == len(stored) == len(stream.acknowledged), (count, len(stored), len(stream.acknowledged))
    assert {(turbine, at.timestamp()) for turbine, at in stored} == stream.acknowledged
    assert "unhandled error" not in log, log[-3000:]
