"""Benchmark a year of one-minute COV readings for one asset (525,600 rows): import, then every day's footprint.

Run from the repository root (not part of the test suite)::

    .venv/bin/python benchmarks/carbon_year.py
    .venv/bin/python benchmarks/carbon_year.py --postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres

Each backend gets a fresh database (SQLite in a temporary folder; on PostgreSQL a scratch database created and
dropped here). "import" is ``services.footprint.import_power_file`` end to end on a 2023 COV file (the readings
of ``benchmarks/footprint.py``, shuffled, about 30 MB): parsing, every validation, the check against stored
readings, the insert and the footprints it computes at once. "footprints" then computes and stores the
footprint of every day of 2023 that is not stored yet (``services.footprint.asset_footprints``), and reads them
back per day as a page does. The reference, measured in the same run, is the vectorised calculation alone
(``domain.footprint.time_weighted_power_kw`` over the year), which no storage change can make cheaper.

Targets: ≤ 2 s import and ≤ 2 s footprints, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # ahead of benchmarks/ (optimiser.py)

from benchmarks.footprint import year_of_readings  # noqa: E402
from data_access import migrate  # noqa: E402
from data_access.engine import Database  # noqa: E402
from domain.footprint import time_weighted_power_kw  # noqa: E402
from services import footprint  # noqa: E402

YEAR = 2023
ASSET = "BENCH0001"
TARGET_S = 2.0
NOW = datetime(YEAR + 1, 1, 2, tzinfo=UTC)
BEFORE = """measured on branch speed2, 2 cores shared with other test runs (load average in brackets):
  before (main's storage: ORM bulk insert through UTCDateTime, every footprint date its own session, read and
  ORM insert) [load 6.1, with another benchmark running]:
    SQLite import 125.5 s, footprints 46.8 s; PostgreSQL import 83.1 s, footprints 45.7 s
  after [load 1.3; the reference took 0.06 s, a quiet machine's figure]:
    SQLite import 5.2 s (MISSED), footprints 1.5 s (met); PostgreSQL import 6.6 s (MISSED), footprints 1.6 s (met)
  what is left of an import (SQLite, profiled): parsing and checking the 27 MB file 2.1 s (to_datetime, to_numeric,
  the duplicate check), the executemany into the (asset_id, time_utc) primary key 1.4 s plus 0.5 s making its rows;
  of footprints, reading the year's 525,600 readings back (the driver's fetchall and parsing the times)
branch carbon5, the import's CPU seconds (load 8.4-9.5; benchmarks/README.md): SQLite 5.9-7.2 -> 3.5;
  PostgreSQL client 3.0-3.3 -> 1.6 plus the server's 4.5 -> 3.8 (binary COPY straight into the table)
branch speed-carbon (issue 21), main (ad8f882) and the branch run in turn, 3 times each, in one session
  [load 2.3 falling to 1.4; the reference took 0.06-0.07 s, a quiet machine's figure]:
    before: SQLite import 2.87-3.43 s, footprints 1.44-1.49 s; PostgreSQL import 4.62-5.36 s, footprints 1.56-2.01 s
    after:  SQLite import 1.87-1.98 s (met), footprints 1.32-1.48 s; PostgreSQL import 1.83-1.98 s (met),
            footprints 1.60-1.86 s
  the import's CPU (load 1.3): SQLite 2.6-2.9 -> 1.6-1.7 s; PostgreSQL client 1.1-1.2 -> 1.0 s, server 3.1-3.2 -> 1.0 s.
  Met with little to spare: at load 4-6 the branch's imports took 2.3-3.7 s (main's 4.0-7.6 s)"""


def cov_file(times: pd.DatetimeIndex, values: np.ndarray) -> bytes:
    frame = pd.DataFrame({"Time": times.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "Variable": "Power",
                          "AssetId": ASSET, "Value": np.round(values, 3)})
    return frame.to_csv(index=False).encode()


def timed(function):
    gc.collect()
    began = time.perf_counter()
    result = function()
    return time.perf_counter() - began, result


def measure(url: str, content: bytes) -> dict[str, float]:
    migrate.upgrade(url)
    db = Database.from_url(url)
    try:
        footprint.register_asset(db, ASSET, "Benchmark asset")
        import_s, report = timed(lambda: footprint.import_power_file(db, content, "year.csv", now_utc=NOW))
        assert report.rows_added == len(pd.read_csv(pd.io.common.BytesIO(content))), report
        first, last = date(YEAR, 1, 1), date(YEAR, 12, 31)
        footprint_s, days = timed(lambda: footprint.asset_footprints(db, ASSET, first, last))
        read_s, _ = timed(lambda: [footprint.asset_day_footprint(db, ASSET, first + timedelta(days=d))
                                   for d in range(0, 365, 30)])
        assert len(days) == 17_520, len(days)
        return {"import": import_s, "footprints": footprint_s, "read 13 days": read_s}
    finally:
        db.dispose()


def postgres_scratch(admin_url: str):
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"bench_carbon_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    return admin, name, make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres-url", default=os.environ.get("POWERDESK_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    times, values, edges = year_of_readings(YEAR)
    content = cov_file(times, values)
    reference_s, _ = timed(lambda: time_weighted_power_kw(times, values, edges))
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        results["SQLite"] = measure(f"sqlite:///{Path(folder) / 'carbon.db'}", content)
    if args.postgres_url:
        from sqlalchemy import text

        admin, name, url = postgres_scratch(args.postgres_url)
        try:
            results["PostgreSQL"] = measure(url, content)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    load = os.getloadavg()
    print(f"machine load average (1/5/15 min): {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} on {os.cpu_count()} cores")
    print(f"{len(times):,} one-minute COV readings of one asset over {YEAR} ({len(content) / 1e6:.1f} MB file)")
    print(f"  reference: vectorised resampling alone        {reference_s:6.2f} s")
    for backend, figures in results.items():
        for what, seconds in figures.items():
            verdict = ""
            if what in ("import", "footprints"):
                verdict = f"  target ≤ {TARGET_S} s: {'met' if seconds <= TARGET_S else 'MISSED'}"
            print(f"  {backend:<10} {what:<34} {seconds:6.2f} s{verdict}")
    print(BEFORE)


if __name__ == "__main__":
    main()
