"""Benchmark N = 1, 5, 10, 20 optimisation runs submitted at the same moment, on each back end available:
local processes (the forkserver, as the web server starts them) and, when Redis answers, Celery workers.

Run from the repository root (not part of the test suite)::

    .venv/bin/python benchmarks/concurrency.py                 # 30-day runs, N = 1 5 10 20
    .venv/bin/python benchmarks/concurrency.py --days 7 --counts 1 5   # quicker

For each N it prints the time until all N runs have finished, the slowest run's queue wait (created ->
claimed by a worker) and, beside them, the reference measured in the same run: N runs solved one after
another in this process (N x the mean of a few sequential solves). Targets (issue 17): total time within
1.3x of that reference, and no run waiting longer than the runs ahead of it need (for W Celery workers,
about (ceil(N / W) - 1) sequential solves; for local processes, which all start at once, next to nothing).
Every run is distinct (its own power), on a fresh copy of one SQLite database with the seed prices.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # ahead of benchmarks/, whose optimiser.py would shadow the package

from sqlalchemy import select  # noqa: E402

from data_access import migrate  # noqa: E402
from data_access.engine import Database  # noqa: E402
from data_access.schema import OptimisationRun  # noqa: E402
from jobs.background import start_run_job  # noqa: E402
from optimiser import BatteryParams  # noqa: E402
from services.optimisation_runs import RunRequest, execute_run, queue_run  # noqa: E402
from services.prices import load_demo_prices  # noqa: E402
from settings import Settings  # noqa: E402

TARGET_RATIO = 1.3
FIRST = date(2023, 2, 1)
FINAL = ("succeeded", "failed", "infeasible", "timed_out", "cancelled")


def template_database(folder: Path) -> Path:
    path = folder / "template.db"
    url = f"sqlite:///{path}"
    migrate.upgrade(url)
    db = Database.from_url(url)
    load_demo_prices(db, feeds=("seed",))
    db.dispose()
    return path


def fresh_copy(template: Path, name: str) -> str:
    path = template.with_name(f"{name}.db")
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


def request(days: int, power_mw: float) -> RunRequest:
    return RunRequest(FIRST, FIRST + timedelta(days=days - 1), BatteryParams(power_mw=power_mw, energy_mwh=2 * power_mw))


def sequential_solve_s(template: Path, days: int, samples: int) -> float:
    """The mean time [s] of one run solved in this process, from ``samples`` solved one after another."""
    db = Database.from_url(fresh_copy(template, "sequential"))
    times = []
    for sample in range(samples):
        queued = queue_run(db, request(days, 50.0 + sample))
        started = time.perf_counter()
        assert execute_run(db, queued.run_id).status == "succeeded"
        times.append(time.perf_counter() - started)
    db.dispose()
    return statistics.mean(times)


def wait_all(db: Database, run_ids: list[int], cap_s: float = 3600) -> list[OptimisationRun]:
    started = time.perf_counter()
    while True:
        with db.session() as session:
            rows = list(session.scalars(select(OptimisationRun).where(OptimisationRun.id.in_(run_ids))))
        if all(row.status in FINAL for row in rows):
            return rows
        if time.perf_counter() - started > cap_s:
            raise TimeoutError(f"runs still pending after {cap_s:.0f} s")
        time.sleep(0.05)


def aware(moment):
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def concurrent(settings: Settings, days: int, count: int, offset: int) -> tuple[float, float]:
    """Submit ``count`` distinct runs at once; (seconds until all finished, slowest queue wait [s])."""
    db = Database.from_url(settings.resolved_database_url())
    run_ids = [queue_run(db, request(days, 100.0 + offset + n)).run_id for n in range(count)]
    started = time.perf_counter()
    for run_id in run_ids:
        start_run_job(settings, run_id)
    rows = wait_all(db, run_ids)
    total = time.perf_counter() - started
    db.dispose()
    bad = [(row.id, row.status, row.message) for row in rows if row.status != "succeeded"]
    assert not bad, bad
    return total, max((aware(row.started_at) - aware(row.created_at)).total_seconds() for row in rows)


def celery_workers(url: str, redis_url: str, instance: Path, workers: int) -> list[subprocess.Popen]:
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": redis_url, "SECRET_KEY": "benchmark",
           "POWERDESK_INSTANCE_PATH": str(instance), "PYTHONPATH": str(REPO)}
    return [subprocess.Popen([sys.executable, "-m", "celery", "-A", "jobs.celery_worker", "worker", "--pool=solo",
                              "--loglevel=error", "--without-heartbeat", "--without-gossip", "--without-mingle",
                              "-n", f"concurrency{i}@%h"], cwd=REPO, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for i in range(workers)]


def wait_for_workers(settings: Settings, workers: int, cap_s: float = 300) -> None:
    from jobs.background import celery_app_for

    deadline = time.monotonic() + cap_s
    while len(celery_app_for(settings).control.ping(timeout=1.0) or []) < workers:
        if time.monotonic() > deadline:
            raise TimeoutError("the Celery workers did not answer a ping")


def print_row(backend: str, count: int, total: float, wait: float, single: float, allowed_wait: float) -> None:
    reference = count * single
    ratio = total / reference
    verdict = "ok" if ratio <= TARGET_RATIO and wait <= allowed_wait + single else "MISSED"
    print(f"  {backend:<18} {count:>3} {total:>9.1f} {reference:>13.1f} {ratio:>6.2f} (<= {TARGET_RATIO}) "
          f"{wait:>9.1f} {allowed_wait:>12.1f}  {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--counts", type=int, nargs="+", default=[1, 5, 10, 20])
    parser.add_argument("--samples", type=int, default=3, help="sequential solves measured for the reference")
    parser.add_argument("--celery-workers", type=int, default=2)
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14"))
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}; runs of {args.days} days from {FIRST}")
    with tempfile.TemporaryDirectory() as folder:
        template = template_database(Path(folder))
        single = sequential_solve_s(template, args.days, args.samples)
        print(f"  one run solved in this process: {single:.2f} s (mean of {args.samples})")
        print(f"  {'back end':<18} {'N':>3} {'all done':>9} {'N sequential':>13} {'ratio':>6} {'':>8} "
              f"{'max wait':>9} {'wait allowed':>12}  [s]")
        local = Settings(database_url=fresh_copy(template, "local"), POWERDESK_INSTANCE_PATH=str(Path(folder) / "i"),
                         POWERDESK_BACKGROUND="diskcache")
        concurrent(local, 1, 1, offset=10_000)  # start the forkserver (it preloads the optimiser once)
        for number, count in enumerate(args.counts):
            total, wait = concurrent(local, args.days, count, offset=number * 100)
            print_row("local processes", count, total, wait, single, 0.0)
        try:
            import redis

            redis.Redis.from_url(args.redis_url).ping()
        except Exception as error:  # no Redis: the local figures stand alone
            print(f"  Celery: skipped ({type(error).__name__}: Redis not reachable at {args.redis_url})")
            return
        url = fresh_copy(template, "celery")
        celery = Settings(database_url=url, redis_url=args.redis_url, POWERDESK_INSTANCE_PATH=str(Path(folder) / "c"))
        procs = celery_workers(url, args.redis_url, Path(folder) / "w", args.celery_workers)
        try:
            wait_for_workers(celery, args.celery_workers)
            for number, count in enumerate(args.counts):
                total, wait = concurrent(celery, args.days, count, offset=number * 100)
                allowed = (math.ceil(count / args.celery_workers) - 1) * single
                print_row(f"celery x{args.celery_workers}", count, total, wait, single, allowed)
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                proc.wait(timeout=60)


if __name__ == "__main__":
    main()
