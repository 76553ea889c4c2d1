"""Benchmark the optimiser against the same formulation written in raw highspy.

Run from the repository root (not part of the test suite)::

    .venv/bin/python benchmarks/optimiser.py            # or: make bench
    .venv/bin/python benchmarks/optimiser.py --repeat 5 # more repetitions, steadier minima

It prints, for each case, the optimiser's model-building and solving seconds,
the raw-highspy implementation's seconds (``benchmarks/raw_highspy.py``: one
HiGHS model per day shape and stage, updated with bulk array calls, the same
LP-then-MILP fallback), and the ratio of the two, measured in the same run:

1. one day (2023-02-01, ``da+id``);
2. the whole seed range, 2023-01-14..2023-04-29, rolling ``da+id``;
3. a 365-day rolling ``da+id`` backtest over the 2023 settlement dates (both clock changes), on prices made
   by repeating the seed file's whole hours;
4. the seed range again with every day solved as a MILP (``always_binary``).

Each case runs ``--repeat`` times, alternating the two implementations after a garbage collection, and the
best (smallest) wall-clock and CPU times are reported: the machine is shared, so the minimum is the fairest
figure. Baselines (naive and
joint) are switched off so both sides solve exactly the same problems; the last line times one full
``optimise`` call with baselines for reference.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
# First, even when PYTHONPATH already lists the repository: the script's own folder comes before
# PYTHONPATH, and this file's name would shadow the optimiser package.
sys.path.insert(0, str(REPO))

from benchmarks.raw_highspy import run_raw  # noqa: E402
from domain.settlement_time import settlement_index  # noqa: E402
from optimiser import BatteryParams, SolverSettings, optimise, read_price_csv  # noqa: E402

SEED_FILE = REPO / "data_access" / "demo_data" / "zenobe_da_id_prices_2023.csv"


def year_of_prices(seed: pd.DataFrame, first: date, last: date) -> pd.DataFrame:
    """Prices for every period of ``first``..``last``, repeating the seed's whole hours in order."""
    starts = pd.DatetimeIndex(settlement_index(first, last)["interval_start_utc"])
    usable = len(seed) - len(seed) % 2  # whole hours only, so DA stays equal within each clock hour
    picks = np.arange(len(starts)) % usable
    return pd.DataFrame(
        {"day_ahead": seed["day_ahead"].to_numpy()[picks], "intraday": seed["intraday"].to_numpy()[picks]},
        index=starts,
    )


@dataclass
class Timing:
    wall: float = float("inf")
    cpu: float = float("inf")
    build: float = float("inf")
    solve: float = float("inf")
    net_revenue: float = float("nan")
    solves: int = 0
    binary_days: int = 0

    def keep_best(self, wall: float, cpu: float, **other) -> None:
        if wall < self.wall:
            self.wall, self.cpu = wall, min(self.cpu, cpu)
            for key, value in other.items():
                setattr(self, key, value)
        self.cpu = min(self.cpu, cpu)


def measure(prices, first, last, battery, settings, repeat) -> tuple[Timing, Timing]:
    ours, raw = Timing(), Timing()
    for _ in range(repeat):
        gc.collect()  # start each timed run without the previous run's garbage
        wall, cpu = time.perf_counter(), time.process_time()
        result = optimise(prices, first, last, battery, markets="da+id", solver=settings, baselines=False)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        assert result.ok, result.message
        ours.keep_best(
            wall,
            cpu,
            build=result.solver.build_seconds,
            solve=result.solver.solve_seconds,
            net_revenue=result.totals.net_revenue_gbp,
            solves=result.solver.solves,
            binary_days=len(result.solver.binary_days),
        )
        gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        yardstick = run_raw(prices, first, last, battery, "da+id", settings)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        raw.keep_best(wall, cpu, net_revenue=yardstick.totals.net_revenue_gbp, binary_days=yardstick.binary_days)
    return ours, raw


def report(name: str, days: int, ours: Timing, raw: Timing) -> None:
    print(f"\n{name} ({days} days, {ours.solves} solves, {ours.binary_days} days with binaries)")
    print(
        f"  optimiser : {ours.wall:7.3f} s wall ({ours.cpu:7.3f} s CPU)  build {ours.build:6.3f} s, solve {ours.solve:6.3f} s"
    )
    print(f"  raw highspy: {raw.wall:7.3f} s wall ({raw.cpu:7.3f} s CPU)")
    print(f"  ratio      : {ours.wall / raw.wall:5.2f}x wall, {ours.cpu / raw.cpu:5.2f}x CPU")
    print(f"  net revenue: optimiser £{ours.net_revenue:,.2f}, raw £{raw.net_revenue:,.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per case; the best is reported")
    args = parser.parse_args()
    seed = read_price_csv(SEED_FILE)
    battery = BatteryParams()
    lp = SolverSettings()
    cases = [
        ("1 day, da+id", seed, date(2023, 2, 1), date(2023, 2, 1), lp),
        ("seed range, rolling da+id", seed, date(2023, 1, 14), date(2023, 4, 29), lp),
        ("365 days, rolling da+id", year_of_prices(seed, date(2023, 1, 1), date(2023, 12, 31)), date(2023, 1, 1),
         date(2023, 12, 31), lp),
        ("seed range, rolling da+id, every day a MILP", seed, date(2023, 1, 14), date(2023, 4, 29),
         SolverSettings(always_binary=True)),
    ]  # fmt: skip
    print(f"Battery: {battery.model_dump()}")
    print(f"Best of {args.repeat} runs each; wall-clock and CPU seconds.")
    for name, prices, first, last, settings in cases:
        ours, raw = measure(prices, first, last, battery, settings, args.repeat)
        report(name, (last - first).days + 1, ours, raw)
    wall = time.perf_counter()
    full = optimise(seed, date(2023, 1, 14), date(2023, 4, 29), battery)
    wall = time.perf_counter() - wall
    print(
        f"\nseed range with both baselines (naive, joint): {wall:.3f} s wall; capture of joint bound "
        f"{full.totals.net_revenue_gbp / full.baselines.joint_net_revenue_gbp:.1%}, naive / optimised "
        f"{full.baselines.naive_net_revenue_gbp / full.totals.net_revenue_gbp:.1%}"
    )


if __name__ == "__main__":
    main()
