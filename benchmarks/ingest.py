"""Turbine metric ingest throughput: HTTP through gunicorn against the same work done in-process.

    python benchmarks/ingest.py [--rows 100000] [--batch 500] [--clients 4] [--workers 2]
                                [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

For SQLite (and PostgreSQL when ``--postgres-url`` names a server whose user may create
databases; a scratch database is created and dropped), it:

1. serves the app with gunicorn (``--workers`` sync workers) on a fresh database with the demo
   fleet and an API key;
2. posts ``--rows`` metrics in batches of ``--batch`` from ``--clients`` concurrent clients and
   reports rows/s over the wall-clock time;
3. checks that the rows stored equal the rows acknowledged with 201;
4. as the reference, in the same run, ingests the same batches in-process (validation and the
   bulk insert, no HTTP, one thread) on another fresh database, and prints the ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests
from sqlalchemy import create_engine, func, select, text

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from data_access import migrate  # noqa: E402
from data_access.engine import Database  # noqa: E402
from data_access.schema import TurbineMetric  # noqa: E402
from services.api_keys import create_api_key  # noqa: E402
from services.turbine_ingest import ingest_metrics  # noqa: E402
from services.turbines import register_demo_fleet  # noqa: E402

TURBINES = 10


def make_batches(rows: int, batch: int) -> list[list[dict]]:
    """Distinct (turbine, timestamp) metrics over the last few hours, within every validation rule."""
    start = time.time() - 4 * 3600
    metrics = [{"turbine_number": i % TURBINES + 1, "wind_speed": 20.0 + (i % 170), "power_output_in_kwh":
                float(i % 3000), "operational_status": "broken" if i % 97 == 0 else "ok",
                "timestamp": start + (i // TURBINES) * 0.1} for i in range(rows)]
    return [metrics[i:i + batch] for i in range(0, rows, batch)]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def prepare(url: str) -> str:
    """Migrate, register the demo fleet, return a fresh API key."""
    migrate.upgrade(url)
    db = Database.from_url(url)
    register_demo_fleet(db, 3000.0)
    key = create_api_key(db, f"bench-{uuid.uuid4().hex[:8]}").key
    db.dispose()
    return key


def stored_rows(url: str) -> int:
    engine = create_engine(url)
    with engine.connect() as connection:
        count = connection.execute(select(func.count()).select_from(TurbineMetric.__table__)).scalar_one()
    engine.dispose()
    return count


def http_run(url: str, instance: Path, bodies: list[bytes], rows_per_body: list[int], clients: int,
             workers: int) -> dict:
    key = prepare(url)
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "POWERDESK_INSTANCE_PATH": str(instance),
           "SECRET_KEY": "benchmark-only-secret", "REDIS_URL": ""}
    env.pop("REDIS_URL")
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}",
                               "--log-level", "warning", "app:server"], cwd=REPO, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                if requests.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.time() > deadline:
                raise RuntimeError("gunicorn did not become healthy within 60 s")
            time.sleep(0.3)
        acknowledged, failures = [0] * clients, [0] * clients

        def client(index: int) -> None:
            session = requests.Session()
            session.headers.update({"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
            for body, rows in zip(bodies[index::clients], rows_per_body[index::clients], strict=True):
                response = session.post(f"{base}/api/v1/turbines/metrics", data=body, timeout=60)
                if response.status_code == 201:
                    acknowledged[index] += rows
                else:
                    failures[index] += 1

        threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {"elapsed_s": elapsed, "acknowledged": sum(acknowledged), "failed_batches": sum(failures),
            "stored": stored_rows(url)}


def direct_run(url: str, batches: list[list[dict]]) -> float:
    """Seconds to ingest every batch in-process (validation + bulk insert, one commit per batch)."""
    prepare(url)
    db = Database.from_url(url)
    started = time.perf_counter()
    for batch in batches:
        ingest_metrics(db, batch, time.time(), auto_register=False, default_rating_kw=3000.0, actor="bench")
    elapsed = time.perf_counter() - started
    db.dispose()
    return elapsed


class PostgresScratch:
    """A scratch database on the server at ``admin_url``, dropped on exit."""

    def __init__(self, admin_url: str):
        self.admin = create_engine(admin_url.replace("postgresql://", "postgresql+psycopg://", 1),
                                   isolation_level="AUTOCOMMIT")
        self.names: list[str] = []

    def new(self) -> str:
        name = f"pd_bench_{uuid.uuid4().hex[:10]}"
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        self.names.append(name)
        return self.admin.url.set(database=name).render_as_string(hide_password=False)

    def close(self) -> None:
        with self.admin.connect() as connection:
            for name in self.names:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


def report(label: str, rows: int, result: dict, direct_s: float) -> bool:
    http_rate = result["acknowledged"] / result["elapsed_s"]
    direct_rate = rows / direct_s
    ok = result["stored"] == result["acknowledged"] == rows and result["failed_batches"] == 0
    print(f"{label:<11} HTTP {http_rate:>8,.0f} rows/s ({result['elapsed_s']:.1f} s)   in-process "
          f"{direct_rate:>8,.0f} rows/s   ratio {http_rate / direct_rate:.2f}   acknowledged {result['acknowledged']:,}"
          f"  stored {result['stored']:,}  failed batches {result['failed_batches']}  {'OK' if ok else 'MISMATCH'}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--postgres-url", default=None)
    args = parser.parse_args(argv)
    batches = make_batches(args.rows, args.batch)
    bodies = [json.dumps(batch).encode() for batch in batches]
    sizes = [len(batch) for batch in batches]
    print(f"{args.rows:,} metrics in {len(batches)} batches of {args.batch}, {args.clients} clients, "
          f"gunicorn {args.workers} workers; load average {os.getloadavg()[0]:.1f}")
    all_ok = True
    with tempfile.TemporaryDirectory(prefix="pd-bench-ingest-") as scratch:
        root = Path(scratch)
        result = http_run(f"sqlite:///{root / 'http.db'}", root / "instance", bodies, sizes, args.clients,
                          args.workers)
        all_ok &= report("SQLite", args.rows, result, direct_run(f"sqlite:///{root / 'direct.db'}", batches))
        if args.postgres_url:
            scratch_pg = PostgresScratch(args.postgres_url)
            try:
                result = http_run(scratch_pg.new(), root / "instance-pg", bodies, sizes, args.clients, args.workers)
                all_ok &= report("PostgreSQL", args.rows, result, direct_run(scratch_pg.new(), batches))
            finally:
                scratch_pg.close()
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
