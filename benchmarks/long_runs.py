"""Long runs on real series (issue 20): 365, 730 and 2,344 days, timed from submit to stored.

Each case runs in a fresh spawned process, so its peak RSS is its own. Printed per case: the optimiser's
own time (``optimise``: validation, every daily solve, baselines), end-to-end time (``run_optimisation``:
checks, queue, load prices, solve, store every interval), the ratio of the two (the reference measured
in the same run: what storage and bookkeeping add to the solve), peak RSS, and the issue's targets
(365 days end-to-end <= 5 s; 2,344 days <= 30 s; peak RSS <= 1 GB), and the CPU seconds end to end, the
fairer figure on a loaded machine. Run on demand:

    .venv/bin/python benchmarks/long_runs.py [--cases 365,730,2344]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CASES = {
    # days: (first, last, request fields) — real series only.
    365: ("2024-06-01", "2025-05-31", {"da_series": "market_index", "id_series": "system_price",
                                       "markets": "da+id", "skip_missing_days": True}),
    730: ("2023-06-02", "2025-05-31", {"da_series": "market_index", "id_series": "system_price",
                                       "markets": "da+id", "skip_missing_days": True}),
    2344: ("2019-01-01", "2025-06-01", {"da_series": "system_price", "id_series": "system_price",
                                        "markets": "id"}),
}
TARGET_S = {365: 5.0, 2344: 30.0}
TARGET_RSS_MB = 1024.0
BATTERY = {"power_mw": 50, "energy_mwh": 50, "charge_efficiency": 0.9, "discharge_efficiency": 0.9}


def load(url: str) -> None:
    from data_access import migrate
    from data_access.engine import Database
    from services.prices import load_demo_prices

    migrate.upgrade(url)
    db = Database.from_url(url)
    load_demo_prices(db, feeds=("mid", "mid_2024", "mid_2025", "system"))
    db.dispose()


def one_case(url: str, days: int) -> dict:
    from data_access.engine import Database
    from data_access.schema import OptimisationRun
    from services.optimisation_runs import run_optimisation
    from services.run_requests import parse_request

    first, last, fields = CASES[days]
    db = Database.from_url(url)
    request = parse_request({**BATTERY, **fields, "first_date": first, "last_date": last})
    started, cpu = time.perf_counter(), time.process_time()
    outcome = run_optimisation(db, request)
    end_to_end, cpu = time.perf_counter() - started, time.process_time() - cpu
    with db.session() as session:
        run = session.get(OptimisationRun, outcome.run_id)
        status, stats, totals = run.status, run.solver_stats or {}, run.totals or {}
    return {"days": days, "status": status, "end_to_end_s": end_to_end, "cpu_s": cpu,
            "optimiser_s": float(stats.get("total_seconds") or float("nan")),
            "solves": stats.get("solves"), "skipped": len(totals.get("skipped_days") or []),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", default=",".join(str(d) for d in CASES))
    cases = [int(c) for c in parser.parse_args().cases.split(",")]
    spawn = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/long_runs.db"
        tick = time.perf_counter()
        with spawn.Pool(1) as pool:
            pool.apply(load, (url,))
        print(f"loaded the demo MID and system prices in {time.perf_counter() - tick:.1f} s")
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; wall seconds, and the CPU seconds "
              "end to end (HiGHS's threads included), which load inflates less")
        print(f"{'days':>6}{'status':>11}{'optimiser':>11}{'end-to-end':>12}{'e2e CPU':>10}{'e2e/opt':>9}{'target':>9}"
              f"{'peak RSS':>11}{'RSS target':>12}{'skipped':>9}")
        for days in cases:
            with spawn.Pool(1, maxtasksperchild=1) as pool:
                row = pool.apply(one_case, (url, days))
            target = TARGET_S.get(days)
            verdict = "" if target is None else (" ok" if row["end_to_end_s"] <= target else " MISSED")
            rss = " ok" if row["peak_rss_mb"] <= TARGET_RSS_MB else " MISSED"
            print(f"{days:>6}{row['status']:>11}{row['optimiser_s']:>10.2f}s{row['end_to_end_s']:>11.2f}s"
                  f"{row['cpu_s']:>9.2f}s"
                  f"{row['end_to_end_s'] / row['optimiser_s']:>8.2f}×"
                  f"{(f'≤{target:g}s' if target else '–'):>9}{verdict:<7}{row['peak_rss_mb']:>8.0f} MB"
                  f"{'≤1 GB':>9}{rss:<7}{row['skipped']:>5}")


if __name__ == "__main__":
    main()
