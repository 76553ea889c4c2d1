"""Benchmark COV resampling: a year of one-minute readings for one asset, to half-hours.

Run from the repository root (not part of the test suite)::

    .venv/bin/python benchmarks/footprint.py             # default: 2023, 525,600 readings
    .venv/bin/python benchmarks/footprint.py --repeat 7  # more repetitions, steadier minima

It times ``domain.footprint.time_weighted_power_kw`` (vectorised numpy: one sort, one cumulative sum,
one ``searchsorted``) on every settlement period of 2023 (17,520 half-hours including the 46- and
50-period days) and, in the same run, a naive reference: a Python loop over the readings that adds each
held segment's kW·s to the half-hours it overlaps. Both answers are compared. Best (smallest) wall-clock
times are reported, since the machine is shared.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from domain.footprint import time_weighted_power_kw  # noqa: E402
from domain.settlement_time import day_start_utc, settlement_index  # noqa: E402


def year_of_readings(year: int, seed: int = 1) -> tuple[pd.DatetimeIndex, np.ndarray, pd.DatetimeIndex]:
    """One reading a minute (with up to ±20 s jitter, shuffled like a COV file) and the year's period edges."""
    rng = np.random.default_rng(seed)
    first, last = date(year, 1, 1), date(year, 12, 31)
    start = pd.Timestamp(day_start_utc(first))
    minutes = pd.date_range(start, pd.Timestamp(day_start_utc(date(year + 1, 1, 1))), freq="1min", inclusive="left")
    times = minutes + pd.to_timedelta(rng.uniform(0, 20, len(minutes)), unit="s")
    values = np.cumsum(rng.normal(0, 25, len(minutes))).clip(-500, 1500)
    order = rng.permutation(len(times))
    index = settlement_index(first, last)
    edges = pd.DatetimeIndex(index["interval_start_utc"]).append(
        pd.DatetimeIndex([pd.Timestamp(day_start_utc(date(year + 1, 1, 1)))]))
    return times[order], values[order], edges


def naive_loop(times: pd.DatetimeIndex, values: np.ndarray, edges: pd.DatetimeIndex) -> np.ndarray:
    """Reference: sort, then a Python loop per reading spreading its held segment over the half-hours."""
    pairs = sorted(zip(times.as_unit("ns").asi8.tolist(), values.tolist(), strict=True))
    edge_ns = edges.as_unit("ns").asi8.tolist()
    n = len(edge_ns) - 1
    area = [0.0] * n
    known = [0.0] * n
    period = 0
    for i, (t, value) in enumerate(pairs):
        until = pairs[i + 1][0] if i + 1 < len(pairs) else edge_ns[-1]
        while period < n and edge_ns[period + 1] <= t:
            period += 1
        p = period
        while p < n and edge_ns[p] < until:
            lo, hi = max(t, edge_ns[p]), min(until, edge_ns[p + 1])
            if hi > lo:
                area[p] += value * (hi - lo)
                known[p] += hi - lo
            if edge_ns[p + 1] >= until:
                break
            p += 1
    return np.array([a / k if k else np.nan for a, k in zip(area, known, strict=True)])


def best_of(repeat: int, function, *args) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        gc.collect()
        began = time.perf_counter()
        result = function(*args)
        best = min(best, time.perf_counter() - began)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=2023)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    times, values, edges = year_of_readings(args.year)
    print(f"{len(times):,} one-minute readings (shuffled) over {len(edges) - 1:,} half-hours of {args.year}")
    fast_s, fast = best_of(args.repeat, lambda: time_weighted_power_kw(times, values, edges).power_kw)
    slow_s, slow = best_of(max(1, args.repeat // 3), naive_loop, times, values, edges)
    difference = float(np.nanmax(np.abs(fast - slow)))
    print(f"vectorised (domain.footprint):   {fast_s * 1000:9.1f} ms")
    print(f"naive Python loop per reading:   {slow_s * 1000:9.1f} ms")
    print(f"ratio naive / vectorised:        {slow_s / fast_s:9.1f} x")
    print(f"largest difference:              {difference:.2e} kW")
    if difference > 1e-6:
        raise SystemExit("the two answers differ")


if __name__ == "__main__":
    main()
