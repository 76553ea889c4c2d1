"""Time the price importers and the daily statistics on the shipped demo files, against references
measured in the same run: pandas.read_csv of the same bytes (parsing), a raw sqlite3 executemany
of the same rows (storing), and a plain pandas groupby mean (statistics). Run on demand:

    .venv/bin/python benchmarks/price_import.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import gzip
import io
import sqlite3
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from data_access import migrate  # noqa: E402
from data_access.engine import Database  # noqa: E402
from data_access.price_files import parse_price_file  # noqa: E402
from domain.price_statistics import daily_statistics  # noqa: E402
from services.prices import DEMO_FEEDS, import_prices, load_demo_prices, prices_for_dates  # noqa: E402


def best_of(repeat: int, function) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    repeat = parser.parse_args().repeat
    print(f"{'case':<38}{'Powerdesk':>11}{'reference':>11}{'ratio':>8}")
    for name, (path, fmt, _source) in DEMO_FEEDS.items():
        content = path.read_bytes()
        raw = gzip.decompress(content) if content[:2] == b"\x1f\x8b" else content
        ours = best_of(repeat, lambda content=content, fmt=fmt, label=path.name: parse_price_file(content, label, fmt))
        ref = best_of(repeat, lambda raw=raw: pd.read_csv(io.BytesIO(raw)))
        print(f"{'parse ' + name:<38}{ours:>10.3f}s{ref:>10.3f}s{ours / ref:>7.1f}×")
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        migrate.upgrade(url)
        db = Database.from_url(url)
        started = time.perf_counter()
        rows = load_demo_prices(db)
        first_load = time.perf_counter() - started
        long = pd.concat([parse_price_file(p.read_bytes(), p.name, f).prices for p, f, _ in DEMO_FEEDS.values()])
        connection = sqlite3.connect(f"{folder}/raw.db")
        connection.execute("CREATE TABLE p (market TEXT, t TEXT, price REAL, source TEXT, UNIQUE(market, t, source))")
        records = list(zip(long["market"], long["interval_start_utc"].astype(str), long["price_gbp_per_mwh"],
                           ["s"] * len(long), strict=True))
        started = time.perf_counter()
        connection.executemany("INSERT OR IGNORE INTO p VALUES (?, ?, ?, ?)", records)
        connection.commit()
        raw_insert = time.perf_counter() - started
        print(f"{'first load, all feeds (' + format(rows, ',') + ' rows)':<38}{first_load:>10.3f}s"
              f"{raw_insert:>10.3f}s{first_load / raw_insert:>7.1f}×")
        path, fmt, source = DEMO_FEEDS["mid"]
        again = best_of(repeat, lambda: import_prices(db, path.read_bytes(), path.name, fmt=fmt, source=source,
                                                      good_lines_only=True))
        print(f"{'re-import MID (all unchanged)':<38}{again:>10.3f}s{'':>11}{'':>8}")
        prices = prices_for_dates(db, date(2023, 1, 1), date(2023, 12, 31))
        ours = best_of(repeat, lambda: daily_statistics(prices, ("market_index", "day_ahead", "intraday")))
        ref = best_of(repeat, lambda: prices.groupby("settlement_date")[["market_index"]].agg(["min", "max", "mean"]))
        print(f"{'daily statistics, 2023 (365 days)':<38}{ours:>10.3f}s{ref:>10.3f}s{ours / ref:>7.1f}×")
        db.dispose()


if __name__ == "__main__":
    main()
