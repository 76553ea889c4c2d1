"""Readers for price files. Each returns a long frame: market, interval_start_utc, price_gbp_per_mwh."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import pandas as pd

DEMO_DIR = Path(__file__).with_name("demo_data")
SEED_PRICES_FILE = DEMO_DIR / "zenobe_da_id_prices_2023.csv"
SEED_SOURCE = "seed:zenobe-2023"

_SEED_COLUMNS = {"day-ahead": "day_ahead", "intra-day": "intraday"}


class PriceFileError(ValueError):
    """A price file cannot be read; the message names the file and the problem."""


def read_seed_prices(path: Path = SEED_PRICES_FILE) -> pd.DataFrame:
    """Read the seed DA/ID file: ``time`` is ``dd/mm/YYYY HH:MM`` in UTC; prices in £/MWh."""
    frame = pd.read_csv(path, encoding="utf-8-sig")
    missing = {"time", *_SEED_COLUMNS} - set(frame.columns)
    if missing:
        raise PriceFileError(f"{path.name}: missing column(s) {', '.join(sorted(missing))}")
    starts = pd.to_datetime(frame["time"], format="%d/%m/%Y %H:%M", utc=True)
    wide = frame.rename(columns=_SEED_COLUMNS).assign(interval_start_utc=starts)
    return wide_to_long(wide[["interval_start_utc", *_SEED_COLUMNS.values()]], path.name)


def read_wide_price_csv(source: Path | BinaryIO, name: str | None = None) -> pd.DataFrame:
    """Read the optimiser CLI format: ``interval_start_utc`` (ISO 8601 with offset), ``day_ahead``,
    ``intraday`` [£/MWh]. ``source`` is a path or a binary file; ``name`` labels errors."""
    label = name or getattr(source, "name", "price file")
    try:
        frame = pd.read_csv(source, encoding="utf-8-sig")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise PriceFileError(f"{label}: not a readable CSV file ({error.__class__.__name__})") from error
    if "interval_start_utc" not in frame.columns:
        raise PriceFileError(f"{label}: needs an interval_start_utc column")
    if frame.empty:
        raise PriceFileError(f"{label}: has no rows")
    raw = frame["interval_start_utc"].astype(str)
    naive = ~raw.str.contains(r"(?:Z|[+-]\d\d:?\d\d)$", regex=True)
    if naive.any():
        raise PriceFileError(f"{label}: interval_start_utc {raw[naive].iloc[0]!r} has no UTC offset (add Z)")
    try:
        frame["interval_start_utc"] = pd.to_datetime(raw, utc=True, format="ISO8601")
    except (ValueError, TypeError) as error:
        raise PriceFileError(f"{label}: interval_start_utc is not ISO 8601 ({error})") from error
    markets = [column for column in ("day_ahead", "intraday") if column in frame.columns]
    if not markets:
        raise PriceFileError(f"{label}: needs a day_ahead or intraday column")
    return wide_to_long(frame[["interval_start_utc", *markets]], label)


def wide_to_long(wide: pd.DataFrame, file_name: str) -> pd.DataFrame:
    """Melt a wide frame into market rows, refusing duplicates, off-grid times and non-numbers."""
    if wide["interval_start_utc"].duplicated().any():
        first = wide.loc[wide["interval_start_utc"].duplicated(), "interval_start_utc"].iloc[0]
        raise PriceFileError(f"{file_name}: interval {first.isoformat()} appears more than once")
    off_grid = wide["interval_start_utc"][(wide["interval_start_utc"].dt.minute % 30 != 0)
                                          | (wide["interval_start_utc"].dt.second != 0)]
    if not off_grid.empty:
        raise PriceFileError(f"{file_name}: {off_grid.iloc[0].isoformat()} is not on a half-hour boundary")
    long = wide.melt(id_vars="interval_start_utc", var_name="market", value_name="price_gbp_per_mwh")
    long["price_gbp_per_mwh"] = pd.to_numeric(long["price_gbp_per_mwh"], errors="coerce")
    bad = long[long["price_gbp_per_mwh"].isna()]
    if not bad.empty:
        row = bad.iloc[0]
        raise PriceFileError(
            f"{file_name}: {row['market']} price at {row['interval_start_utc'].isoformat()} is missing or not a number"
        )
    return long.sort_values(["market", "interval_start_utc"]).reset_index(drop=True)
