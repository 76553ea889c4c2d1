"""Servers of a fault test's own, so stopping, restarting or killing them harms nobody else's tests:
a PostgreSQL cluster (initdb into a temporary folder), a redis-server and the app under gunicorn,
each on a free port. The shared PostgreSQL on 5432 and Redis on 6379 are never touched.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from tests.conftest import missing_service
from tests.smtp_servers import free_port

ROOT = Path(__file__).resolve().parents[2]


def wait_until(check, timeout_s: float, what: str, interval_s: float = 0.1) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        with contextlib.suppress(Exception):
            if check():
                return
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} within {timeout_s:.0f} s")
        time.sleep(interval_s)


def _postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if not found:
        missing_service("PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb) are not installed")
    return Path(found[-1]).parent


class PrivatePostgres:
    """A PostgreSQL cluster of this test's own on 127.0.0.1:``port`` (trust auth, user ``postgres``).

    initdb refuses to run as root, so as root the cluster belongs to the ``postgres`` OS user."""

    def __init__(self):
        self.bin = _postgres_bin()
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="pd-faults-pg-"))
        self.data = self.root / "data"
        self.run_as: list[str] = []
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                missing_service("running as root, a private PostgreSQL cluster needs the postgres OS user")
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
            self.run_as = ["runuser", "-u", "postgres", "--"]
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")

    def _run(self, program: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run([*self.run_as, str(self.bin / program), *args], check=check, capture_output=True,
                              text=True, timeout=60, stdin=subprocess.DEVNULL)

    def _pg_ctl(self, action: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        return self._run("pg_ctl", action, "-D", str(self.data), "-w", "-t", "30", "-o", options,
                         "-l", str(self.root / "server.log"), *args, check=check)

    def start(self) -> None:
        self._pg_ctl("start")

    def stop(self, mode: str = "fast") -> None:
        self._pg_ctl("stop", "-m", mode)

    def restart(self, mode: str = "fast") -> None:
        self._pg_ctl("restart", "-m", mode)

    def postmaster_pid(self) -> int:
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def close(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._pg_ctl("stop", "-m", "immediate", check=False)
        shutil.rmtree(self.root, ignore_errors=True)


class PrivateRedis:
    """A redis-server of this test's own on 127.0.0.1:``port``, nothing persisted."""

    def __init__(self):
        if shutil.which("redis-server") is None:
            missing_service("redis-server is not installed")
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        import redis

        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        client = redis.Redis.from_url(self.url, socket_timeout=1, socket_connect_timeout=1)
        wait_until(client.ping, 15, "the private redis-server did not answer")

    def kill(self) -> None:
        """SIGKILL: the server vanishes without closing anything, as in a crash."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)


class GunicornApp:
    """The app served by gunicorn (sync workers) from the repository, configured by environment only."""

    def __init__(self, env: dict[str, str], log_path: Path, workers: int = 2):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        clean = {k: v for k, v in os.environ.items()
                 if not k.startswith(("DATABASE_URL", "POWERDESK_", "REDIS_URL", "RUN_", "SECRET_KEY"))}
        self.log_path = log_path
        self._log = open(log_path, "wb")  # noqa: SIM115 -- open for the server's lifetime
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{self.port}",
             "--timeout", "60", "--log-level", "warning", "app:server"],
            cwd=ROOT, env={**clean, "PYTHONPATH": str(ROOT), **env}, stdout=self._log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL)
        try:
            wait_until(lambda: requests.get(f"{self.base}/health", timeout=2).status_code == 200, 90,
                       "gunicorn did not answer /health", interval_s=0.3)
        except TimeoutError:
            self.close()
            raise

    def log_text(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
