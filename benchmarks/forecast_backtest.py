"""Benchmark forecast-driven backtests over 2024 on real Elexon prices: what each forecaster captures.

Run from the repository root (not part of the test suite)::

    .venv/bin/python benchmarks/forecast_backtest.py             # 2024, 1 h and 2 h batteries
    .venv/bin/python benchmarks/forecast_backtest.py --days 60   # a shorter range for a quick look
    .venv/bin/python benchmarks/forecast_backtest.py --days 30 --intraday-reoptimise hourly

Prices: the Elexon market index (APXMIDP) of 2024 (``elexon_mid_apxmidp_n2exmidp_2024.csv.gz``, complete,
autumn clock change included) is the traded intraday leg (markets ``id``: the battery trades the half-hours
at the index price); the Elexon system price (SSP, ``elexon_system_prices_ssp_sbp_2019-01_2025-06.csv.gz``)
is a second series the ``gbm`` reads. Both are gzip copies of the shared files, read here directly (no
database). History starts 120 days before 2024 so every forecaster has its window from the first day.

For each battery (1 MW / 1 MWh and 1 MW / 2 MWh, 90 % round trip) and each forecaster it prints realised
£/MW/year, the perfect-foresight £/MW/year of the same battery, the capture ratio, the forecast MAE
[£/MWh] and the wall time of the whole backtest (the perfect-foresight run included). Targets: ``gbm``
captures more than ``naive-week``; a year runs in at most 60 s (the target is for ``once``; ``hourly``
forecasts and re-optimises 23–25 times a day, and its figures are printed against the same target).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
# The repository first: this folder holds a benchmark called optimiser.py that would shadow the package.
sys.path.insert(0, str(REPO))

from domain.forecasters import make_forecaster  # noqa: E402
from domain.settlement_time import day_start_utc  # noqa: E402
from optimiser.backtest import backtest  # noqa: E402
from optimiser.params import BatteryParams  # noqa: E402
from optimiser.results import HOURS_PER_YEAR  # noqa: E402

PRICES = REPO / "data_access" / "demo_data" / "prices"
MID_FILE = PRICES / "elexon_mid_apxmidp_n2exmidp_2024.csv.gz"
SYSTEM_FILE = PRICES / "elexon_system_prices_ssp_sbp_2019-01_2025-06.csv.gz"
OLD_MID_FILE = PRICES / "elexon_mid_apxmidp_2022-10_2024-12.csv.gz"
FORECASTERS = ("naive-day", "naive-week", "gbm")
TARGET_YEAR_S = 60.0


def _starts(dates: pd.Series, periods: pd.Series) -> pd.DatetimeIndex:
    unique = {d: pd.Timestamp(day_start_utc(d)) for d in dates.unique()}
    base = pd.DatetimeIndex(dates.map(unique).to_numpy()).tz_convert("UTC")
    return base + pd.to_timedelta((periods.to_numpy(int) - 1) * 30, unit="min")


def load_history() -> pd.DataFrame:
    mid = pd.read_csv(MID_FILE, encoding="latin-1")
    mid.columns = ["date", "period", "provider", "volume", "price"]
    mid = mid[mid["provider"].str.strip() == "APXMIDP"]
    dates = pd.to_datetime(mid["date"], format="%d %B %Y").dt.date
    market_index = pd.Series(mid["price"].to_numpy(float), index=_starts(dates, mid["period"]))
    older = pd.read_csv(OLD_MID_FILE)
    older = pd.Series(older["Price"].to_numpy(float), index=pd.DatetimeIndex(pd.to_datetime(older["StartTime"],
                                                                                            utc=True)))
    market_index = pd.concat([older[older.index < market_index.index.min()], market_index])
    system = pd.read_csv(SYSTEM_FILE)
    system.columns = ["date", "period", "ssp", "sbp", "niv"]
    system = system[system["date"].str.endswith(("2023", "2024"))]
    dates = pd.to_datetime(system["date"], format="%d/%m/%Y").dt.date
    system_price = pd.Series(system["ssp"].to_numpy(float), index=_starts(dates, system["period"]))
    frame = pd.concat({"market_index": market_index[~market_index.index.duplicated()],
                       "system_price": system_price[~system_price.index.duplicated()]}, axis=1, sort=True)
    return frame.loc[pd.Timestamp("2023-09-01", tz="UTC"):pd.Timestamp("2025-01-01", tz="UTC")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=366, help="settlement dates from 2024-01-01 (default 366)")
    parser.add_argument("--intraday-reoptimise", choices=("once", "hourly"), default="once",
                        help="intraday decisions once the day before (default) or re-planned before each hour")
    parser.add_argument("--forecasters", default=",".join(FORECASTERS),
                        help=f"comma-separated forecasters to run (default {','.join(FORECASTERS)})")
    args = parser.parse_args()
    names = [name.strip() for name in args.forecasters.split(",") if name.strip()]
    first = date(2024, 1, 1)
    last = first + timedelta(days=args.days - 1)
    history = load_history()
    print(f"Backtest {first} .. {last}, markets id on market_index (APXMIDP); gbm also reads system_price; "
          f"intraday decisions {args.intraday_reoptimise}")
    print(f"{'battery':>8} {'forecaster':>11} {'£/MW/yr':>9} {'perfect':>9} {'capture':>8} {'MAE':>7} {'wall s':>7}")
    captures: dict[tuple[str, str], float] = {}
    walls: list[float] = []
    for hours in (1, 2):
        battery = BatteryParams(power_mw=1, energy_mwh=hours, charge_efficiency=0.95, discharge_efficiency=0.95,
                                max_cycles_per_day=2)
        for name in names:
            tick = time.perf_counter()
            run = backtest(history, first, last, battery, make_forecaster(name), markets="id",
                           id_column="market_index", intraday_reoptimise=args.intraday_reoptimise)
            wall = time.perf_counter() - tick
            walls.append(wall)
            run.result.raise_for_status()
            scale = HOURS_PER_YEAR / (0.5 * len(run.result.intervals))
            realised = run.result.totals.net_revenue_gbp * scale
            perfect = run.perfect_net_revenue_gbp * scale
            error = run.forecasts["id_forecast"].to_numpy() - run.result.intervals["id_price"].to_numpy()
            captures[(f"{hours}h", name)] = run.capture_ratio
            print(f"{hours:>7}h {name:>11} {realised:>9,.0f} {perfect:>9,.0f} {run.capture_ratio:>8.1%} "
                  f"{np.nanmean(np.abs(error)):>7.2f} {wall:>7.1f}")
    for hours in ("1h", "2h") if {"gbm", "naive-week"} <= set(names) else ():
        gbm, week = captures[(hours, "gbm")], captures[(hours, "naive-week")]
        verdict = "met" if gbm > week else "NOT met"
        print(f"target {hours}: gbm capture {gbm:.1%} > naive-week {week:.1%}: {verdict} "
              f"(ratio {gbm / week:.2f})")
    slowest = max(walls) * 366 / args.days
    print(f"target: a year in <= {TARGET_YEAR_S:g} s; slowest backtest scaled to a year {slowest:.1f} s "
          f"({'met' if slowest <= TARGET_YEAR_S else 'NOT met'}; ratio {slowest / TARGET_YEAR_S:.2f})")


if __name__ == "__main__":
    main()
