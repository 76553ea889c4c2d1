"""The app served for real (the dev server's threads, gunicorn's workers) and clients that submit runs to it
at the same moment, for the concurrency tests. Every wait is on an event (a status read back), capped far
beyond any machine's speed so that only a hang reaches the cap."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

from data_access.engine import Database
from services.api_keys import create_api_key
from tests.faults.private_servers import wait_until
from tests.smtp_servers import free_port

ROOT = Path(__file__).resolve().parents[2]
FINAL = ("succeeded", "failed", "infeasible", "timed_out", "cancelled")
HANG_CAP_S = 900.0
"""Only a run that never ends reaches this [s]; a slow machine just takes longer below it."""


def app_environment(database_url: str, instance: Path, **extra: str) -> dict[str, str]:
    """The environment a served app reads its settings from, and nothing of this process's own settings."""
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("DATABASE_URL", "POWERDESK_", "REDIS_URL", "RUN_", "SECRET_KEY", "STUDY_"))}
    return {**clean, "PYTHONPATH": str(ROOT), "DATABASE_URL": database_url, "POWERDESK_INSTANCE_PATH": str(instance),
            "SECRET_KEY": "live-server-test-secret", **extra}


class DevServer:
    """``python app.py``: Flask's threaded development server, as ``make run`` serves it."""

    def __init__(self, env: dict[str, str], log_path: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self._log = open(log_path, "ab")  # noqa: SIM115 -- open for the server's lifetime
        self.process = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT,
                                        env={**env, "HOST": "127.0.0.1", "PORT": str(self.port)},
                                        stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            wait_until(lambda: requests.get(f"{self.base}/health", timeout=5).status_code == 200, 300,
                       "the dev server did not answer /health", interval_s=0.2)
        except TimeoutError:
            self.close()
            raise

    def kill(self) -> None:
        """SIGKILL: the server vanishes mid-request, its watcher threads with it."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()

    def log_text(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")


def trader_key(database_url: str, name: str = "concurrency") -> str:
    """An API key of the seeded ``trader`` user (a key, not a login: logins are throttled per address)."""
    db = Database.from_url(database_url)
    try:
        return create_api_key(db, name, username="trader").key
    finally:
        db.dispose()


def run_body(power_mw: float, first: str = "2023-02-01", last: str = "2023-02-01", **extra) -> dict:
    """A small run (one or two days of the seed prices), distinct per ``power_mw``."""
    return {"first_date": first, "last_date": last, "power_mw": power_mw, "energy_mwh": 2 * power_mw, **extra}


def post_all_at_once(base: str, key: str, path: str, bodies: list[dict]) -> list[requests.Response]:
    """POST every body from its own thread, released together by a barrier; the responses in order."""
    barrier = threading.Barrier(len(bodies))
    responses: list[requests.Response | BaseException | None] = [None] * len(bodies)

    def post(index: int) -> None:
        with requests.Session() as session:
            barrier.wait()
            try:
                responses[index] = session.post(f"{base}{path}", json=bodies[index], timeout=300,
                                                headers={"Authorization": f"Bearer {key}"})
            except BaseException as error:  # noqa: BLE001 -- reported below, with the others
                responses[index] = error

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    failures = [r for r in responses if not isinstance(r, requests.Response)]
    assert not failures, failures
    return responses  # type: ignore[return-value]


def wait_for_final(base: str, key: str, run_ids: list[int], alive=lambda: True) -> dict[int, dict]:
    """Read each run back until every one has a final status; returns their bodies by id."""
    bodies: dict[int, dict] = {}
    deadline = time.monotonic() + HANG_CAP_S
    with requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {key}"
        while True:
            for run_id in run_ids:
                if bodies.get(run_id, {}).get("status") not in FINAL:
                    bodies[run_id] = session.get(f"{base}/api/v1/runs/{run_id}", timeout=60).json()
            if all(body["status"] in FINAL for body in bodies.values()):
                return bodies
            pending = {run_id: body["status"] for run_id, body in bodies.items() if body["status"] not in FINAL}
            assert time.monotonic() < deadline, f"runs never finished: {pending}"
            assert alive(), f"the server stopped while runs were pending: {pending}"
            time.sleep(0.3)
