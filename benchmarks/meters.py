"""Benchmark the meters API: storing 10,000 readings in one request, and compare-all over two years.

Run from the repository root (not part of the test suite)::

    .venv/bin/python benchmarks/meters.py                     # SQLite in a temporary folder
    .venv/bin/python benchmarks/meters.py --repeat 7
    .venv/bin/python benchmarks/meters.py --database-url postgresql+psycopg://user@host/empty_db

Each case goes through the whole Flask stack in-process (request guard with an API key, JSON parsing,
validation, SQL, costing, JSON response) and is timed ``--repeat`` times; the best wall-clock time is
reported, as the machine is shared. Two references are measured in the same run:

1. ``POST /readings/store`` with 10,000 readings, each repeat for a new meter (a repeat of the same
   readings inserts nothing). Reference: the same 10,000 rows put into a bare SQLite table with
   ``sqlite3.executemany`` (no HTTP, no checks, no ORM): the floor for storing them.
2. ``GET /price-plans/compare-all/<meter>`` over two years of half-hourly readings (35,088), on the four
   demo plans including the day-ahead tracker (the demo day-ahead prices cover part of the window).
   Reference: the pure costing (``domain.price_plans.compare_plans``) on the same arrays in memory.

Target: well under a second for each request.
"""

from __future__ import annotations

import argparse
import gc
import json
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from app import create_app  # noqa: E402
from data_access import migrate  # noqa: E402
from domain.price_plans import compare_plans  # noqa: E402
from services import meters as meter_service  # noqa: E402
from services.api_keys import create_api_key  # noqa: E402
from services.meter_demo import load_plans_and_trial_meters  # noqa: E402
from services.prices import load_demo_prices  # noqa: E402
from settings import Settings  # noqa: E402

READINGS_PER_REQUEST = 10_000
TWO_YEARS_START = "2022-05-01T00:00:00Z"
TWO_YEARS_HALF_HOURS = 35_088  # 731 days (2024 is a leap year) × 48
TARGET_S = 1.0


def best_of(repeat: int, run) -> float:
    times = []
    for index in range(repeat):
        gc.collect()
        start = time.perf_counter()
        run(index)
        times.append(time.perf_counter() - start)
    return min(times)


def store_body(meter_id: str) -> bytes:
    times = 1_600_000_000 + 60 * np.arange(READINGS_PER_REQUEST)
    power = np.round(np.random.default_rng(1).uniform(0.1, 3.0, READINGS_PER_REQUEST), 3)
    readings = [{"time": int(t), "reading": float(p)} for t, p in zip(times, power, strict=True)]
    return json.dumps({"smartMeterId": meter_id, "electricityReadings": readings}).encode()


def bare_sqlite_insert(body: bytes) -> None:
    readings = json.loads(body)["electricityReadings"]
    with tempfile.TemporaryDirectory() as folder:
        connection = sqlite3.connect(Path(folder) / "bare.db")
        connection.execute("CREATE TABLE r (meter TEXT, t INTEGER, kw REAL, PRIMARY KEY (meter, t))")
        connection.executemany("INSERT INTO r VALUES ('m', ?, ?)", [(r["time"], r["reading"]) for r in readings])
        connection.commit()
        connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url", default=None, help="an empty database (default: SQLite in a temp folder)")
    args = parser.parse_args()

    folder = tempfile.TemporaryDirectory()
    url = args.database_url or f"sqlite:///{folder.name}/bench.db"
    settings = Settings(POWERDESK_INSTANCE_PATH=folder.name, database_url=url, secret_key="benchmark-only-key")
    migrate.upgrade(settings.resolved_database_url())
    app = create_app(settings)
    db = app.server.extensions["powerdesk"].db
    load_demo_prices(db)
    load_plans_and_trial_meters(db)
    headers = {"Authorization": f"Bearer {create_api_key(db, 'benchmark').key}", "Content-Type": "application/json"}
    client = app.server.test_client()
    print(f"database: {db.engine.dialect.name}; best of {args.repeat}")

    bodies = [store_body(f"bench-store-{i}") for i in range(args.repeat)]

    def store(index: int) -> None:
        response = client.post("/readings/store", data=bodies[index], headers=headers)
        assert response.status_code == 200 and response.headers["X-Readings-Added"] == str(READINGS_PER_REQUEST)

    store_s = best_of(args.repeat, store)
    bare_s = best_of(args.repeat, lambda index: bare_sqlite_insert(bodies[index]))
    print(f"store {READINGS_PER_REQUEST:,} readings in one request: {store_s:.3f} s "
          f"(bare sqlite3 insert of the same rows {bare_s:.3f} s, ratio {store_s / bare_s:.1f}×)")

    starts = pd.date_range(TWO_YEARS_START, periods=TWO_YEARS_HALF_HOURS, freq="30min")
    times = starts.as_unit("s").asi8
    hours = np.asarray(starts.hour, dtype=float)
    power = np.round(0.3 + 0.8 * np.exp(-((hours - 18.5) ** 2) / 3), 3)
    for first in range(0, times.size, READINGS_PER_REQUEST):
        chunk = slice(first, first + READINGS_PER_REQUEST)
        body = {"smartMeterId": "bench-two-years",
                "electricityReadings": [{"time": int(t), "reading": float(p)}
                                        for t, p in zip(times[chunk], power[chunk], strict=True)]}
        assert client.post("/readings/store", json=body, headers=headers).status_code == 200
    meter_service.change_plan(db, "benchmark", "bench-two-years", "price-plan-1")

    def compare(_index: int) -> None:
        response = client.get("/price-plans/compare-all/bench-two-years", headers=headers)
        assert response.status_code == 200, response.json

    compare_s = best_of(args.repeat, compare)
    comparison = meter_service.compare_meter(db, "bench-two-years")
    with db.session() as session:
        day_ahead = meter_service.day_ahead_by_half_hour(session, int(times[0]), int(times[-1]))
    plans = list(comparison.plans.values())
    pure_s = best_of(args.repeat, lambda _index: compare_plans(plans, times, power, day_ahead))
    answer = client.get("/price-plans/compare-all/bench-two-years", headers=headers).json
    print(f"compare-all over {TWO_YEARS_HALF_HOURS:,} half-hourly readings (two years): {compare_s:.3f} s "
          f"(pure costing in memory {pure_s:.3f} s, ratio {compare_s / pure_s:.1f}×); "
          f"{len(answer['pricePlanComparisons'])} plans ranked, {len(answer['notCosted'])} partly priced")
    for name, seconds in (("store", store_s), ("compare-all", compare_s)):
        print(f"  {name}: {'met' if seconds < TARGET_S else 'NOT met'} (target < {TARGET_S:.0f} s)")
    app.server.extensions["powerdesk"].db.dispose()
    folder.cleanup()


if __name__ == "__main__":
    main()
