"""Benchmark a sizing study fanned out to 1, 2 and 4 local worker processes (and 2 Celery workers
when Redis is reachable): wall time and speed-up against one worker, measured in the same run.

Run from the repository root (not part of the test suite)::

    .venv/bin/python benchmarks/study.py              # 24 points over a year of 2023 prices
    .venv/bin/python benchmarks/study.py --days 60    # quicker

Each configuration solves the same 24-point grid (power 50/100 MW × duration 0.5/1/2 h × cycles 1/2 ×
markets da+id/da) on a fresh copy of one SQLite database holding a year of half-hourly prices made by
repeating the seed file's whole hours (as ``benchmarks/optimiser.py`` does), so no point is reused.
The target is a speed-up within 80 % of the machine's core count.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.optimiser import SEED_FILE, year_of_prices  # noqa: E402
from data_access import migrate  # noqa: E402
from data_access.engine import Database  # noqa: E402
from data_access.prices import insert_prices  # noqa: E402
from jobs.studies import execute_points, start_points  # noqa: E402
from optimiser import read_price_csv  # noqa: E402
from services.studies import get_study, submit_study  # noqa: E402
from settings import Settings  # noqa: E402

GRID = {"power_mw": [50, 100], "duration_h": [0.5, 1, 2], "max_cycles_per_day": [1, 2], "markets": ["da+id", "da"]}


def template_database(folder: Path, first: date, last: date) -> Path:
    path = folder / "template.db"
    url = f"sqlite:///{path}"
    migrate.upgrade(url)
    prices = year_of_prices(read_price_csv(SEED_FILE), first, last)
    long = prices.rename_axis("interval_start_utc").reset_index().melt(
        id_vars="interval_start_utc", var_name="market", value_name="price_gbp_per_mwh")
    db = Database.from_url(url)
    with db.session() as session:
        insert_prices(session, long, "benchmark")
    db.dispose()
    return path


def fresh_copy(template: Path, name: str) -> tuple[Database, str]:
    path = template.with_name(f"{name}.db")
    shutil.copyfile(template, path)
    url = f"sqlite:///{path}"
    return Database.from_url(url), url


def study_body(first: date, last: date) -> dict:
    return {"name": "benchmark", "start": first.isoformat(), "end": last.isoformat(), "grid": GRID}


def time_processes(template: Path, workers: int, first: date, last: date) -> float:
    db, url = fresh_copy(template, f"processes-{workers}")
    submitted = submit_study(db, study_body(first, last), None, "benchmark", 200)
    started = time.perf_counter()
    statuses = execute_points(url, submitted.pending_run_ids, workers)
    elapsed = time.perf_counter() - started
    assert statuses == ["succeeded"] * len(GRID["power_mw"]) * 12, statuses
    db.dispose()
    return elapsed


def time_celery(template: Path, workers: int, first: date, last: date, redis_url: str) -> float | None:
    db, url = fresh_copy(template, f"celery-{workers}")
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": redis_url, "SECRET_KEY": "benchmark",
           "POWERDESK_INSTANCE_PATH": str(template.parent / "celery"), "PYTHONPATH": str(REPO)}
    procs = [subprocess.Popen([sys.executable, "-m", "celery", "-A", "jobs.celery_worker", "worker", "--pool=solo",
                               "--loglevel=error", "--without-heartbeat", "--without-gossip", "--without-mingle",
                               "-n", f"bench{i}@%h"], cwd=REPO, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for i in range(workers)]
    try:
        time.sleep(8)  # let the workers import the app and connect
        submitted = submit_study(db, study_body(first, last), None, "benchmark", 200)
        settings = Settings(database_url=url, redis_url=redis_url, POWERDESK_INSTANCE_PATH=str(template.parent))
        started = time.perf_counter()
        start_points(settings, submitted.study_id, submitted.pending_run_ids)
        while get_study(db, submitted.study_id)["status"] == "running":
            time.sleep(0.2)
            if time.perf_counter() - started > 900:
                return None
        return time.perf_counter() - started
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)
        db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14"))
    args = parser.parse_args()
    first = date(2023, 1, 1)
    last = first + timedelta(days=args.days - 1)
    cores = os.cpu_count() or 1
    print(f"machine: {cores} cores, load {os.getloadavg()[0]:.2f}; study: 24 points over {args.days} days")
    with tempfile.TemporaryDirectory() as folder:
        template = template_database(Path(folder), first, last)
        one = time_processes(template, 1, first, last)
        print(f"  1 process : {one:7.1f} s  speed-up 1.00")
        for workers in (2, 4):
            wall = time_processes(template, workers, first, last)
            print(f"  {workers} processes: {wall:7.1f} s  speed-up {one / wall:4.2f}  "
                  f"({one / wall / min(workers, cores):.0%} of the {min(workers, cores)} usable cores)")
        try:
            import redis

            redis.Redis.from_url(args.redis_url).ping()
        except Exception as error:  # Redis down: the process pool figures stand alone
            print(f"  Celery: skipped ({type(error).__name__}: Redis not reachable at {args.redis_url})")
            return
        wall = time_celery(template, 2, first, last, args.redis_url)
        print(f"  2 Celery workers: {wall:7.1f} s  speed-up {one / wall:4.2f}" if wall else "  Celery: timed out")


if __name__ == "__main__":
    main()
