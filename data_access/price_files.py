"""Readers for price files.

Five formats (``seed``, ``mid``, ``mid_portal``, ``system``, ``epex``) are parsed by ``parse_price_file`` into a
``ParsedPrices``: the long frame of good rows (market, interval_start_utc, price_gbp_per_mwh,
line) and every rejected value with its line number and reason. Whole-file problems (not a CSV,
columns missing) raise ``PriceFileError``. Line numbers count the header as line 1.

- ``seed``: the seed task's file (``time`` as ``dd/mm/YYYY HH:MM`` UTC, ``day-ahead``,
  ``intra-day``) or the optimiser CLI's wide CSV (``interval_start_utc`` ISO 8601 with offset,
  ``day_ahead`` and/or ``intraday``) [£/MWh].
- ``mid``: Elexon Market Index Data (``StartTime`` UTC, ``SettlementDate``,
  ``SettlementPeriod``, ``Price``; newest first) into market ``market_index``. A row whose
  StartTime is not the start of its settlement date and period is rejected.
- ``mid_portal``: the Elexon portal's CSV export of MID (Latin-1, ``Settlement Date`` as
  ``01 January 2024``, ``Settlement Period``, ``Market Index Data Provider Id`` with ``APXMIDP ``
  padded by a space, ``Market Index Volume (MWh)``, ``Market Index Price (£/MWh)``) into
  ``market_index``. Only APXMIDP is stored (other providers are counted in the notes). A row with
  zero volume and a price of 0 is no trade: the interval is *missing*, never £0/MWh.
- ``system``: Elexon system (imbalance) prices (``Settlement Date`` as ``DD/MM/YYYY``,
  ``Settlement Period``, ``System Sell Price(GBP/MWh)``, ``System Buy Price(GBP/MWh)``) into
  ``system_price`` (SSP); SBP goes to ``system_buy_price`` only where it differs from SSP.
- ``epex``: EPEX wide hourly day-ahead (``Date``, 24 columns ``00-01``..``23-00``) into
  ``day_ahead``, each hour filling both of its half-hours. The format always has 24 values, so
  a 23- or 25-hour clock-change day cannot be placed: the whole day is refused, never shifted.
"""

from __future__ import annotations

import gzip
import io
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from domain.markets import MARKETS
from domain.settlement_time import LONDON, PERIOD, periods_in_day

DEMO_DIR = Path(__file__).with_name("demo_data")
SEED_PRICES_FILE = DEMO_DIR / "zenobe_da_id_prices_2023.csv"
SEED_SOURCE = "seed:zenobe-2023"
MID_DEMO_FILE = DEMO_DIR / "prices" / "elexon_mid_apxmidp_2022-10_2024-12.csv.gz"
MID_DEMO_SOURCE = "elexon-mid:apxmidp"
MID_PORTAL_2024_FILE = DEMO_DIR / "prices" / "elexon_mid_apxmidp_n2exmidp_2024.csv.gz"
MID_PORTAL_2025_FILE = DEMO_DIR / "prices" / "elexon_mid_apxmidp_n2exmidp_2025-01_2025-06.csv.gz"
MID_PORTAL_SOURCE = "elexon-mid-portal:apxmidp"
SYSTEM_DEMO_FILE = DEMO_DIR / "prices" / "elexon_system_prices_ssp_sbp_2019-01_2025-06.csv.gz"
SYSTEM_DEMO_SOURCE = "elexon:system-prices"
EPEX_DEMO_FILE = DEMO_DIR / "prices" / "epex_gb_day_ahead_hourly_2025-01_2026-08.csv.gz"
EPEX_DEMO_SOURCE = "epex:gb-daa-hourly"

FORMATS = ("seed", "mid", "mid_portal", "system", "epex")
MIN_PRICE_GBP_PER_MWH = -1_000.0
MAX_PRICE_GBP_PER_MWH = 10_000.0

_SEED_COLUMNS = {"day-ahead": "day_ahead", "intra-day": "intraday"}
_EPEX_HOURS = [f"{h:02d}-{(h + 1) % 24:02d}" for h in range(24)]
_LONG_COLUMNS = ["market", "interval_start_utc", "price_gbp_per_mwh", "line"]
_PORTAL_COLUMNS = {"Settlement Date": "date", "Settlement Period": "period",
                   "Market Index Data Provider Id": "provider", "Market Index Volume (MWh)": "volume"}
_PORTAL_PRICE_PREFIX = "Market Index Price"
"""The portal's price header carries a pound sign in Latin-1; matched by its prefix."""
_SYSTEM_COLUMNS = {"Settlement Date": "date", "Settlement Period": "period",
                   "System Sell Price(GBP/MWh)": "ssp", "System Buy Price(GBP/MWh)": "sbp"}


class PriceFileError(ValueError):
    """A price file cannot be read at all; the message names the file and the problem."""


@dataclass
class ParsedPrices:
    """Good rows of a file and what was rejected, with line numbers."""

    format: str
    prices: pd.DataFrame
    """market, interval_start_utc (aware UTC), price_gbp_per_mwh, line."""
    rejected: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["line", "column", "reason"]))
    """line (int), column (the file's column name, str), reason (str), sorted by line."""
    refused_days: list[str] = field(default_factory=list)
    """Whole days refused (EPEX clock-change days), as messages."""
    missing: int = 0
    """Intervals the file itself marks as having no price (MID portal zero-volume, zero-price rows)."""
    notes: list[str] = field(default_factory=list)
    """What the reader left out on purpose (missing intervals per day, other providers' rows)."""


def _read_csv(source: Path | BinaryIO | bytes, label: str) -> pd.DataFrame:
    """All columns as text, so nothing is silently coerced; gzip is detected by its magic bytes."""
    if isinstance(source, Path):
        source = source.read_bytes()
    elif not isinstance(source, bytes):
        source = source.read()
    if source[:2] == b"\x1f\x8b":
        try:
            source = gzip.decompress(source)
        except (OSError, EOFError, zlib.error) as error:  # EOFError: a truncated gzip stream
            raise PriceFileError(f"{label}: not a readable gzip file") from error
    try:
        try:
            frame = pd.read_csv(io.BytesIO(source), encoding="utf-8-sig", dtype=str, keep_default_na=False)
        except UnicodeDecodeError:
            # The Elexon portal exports Latin-1 (its header's pound sign is byte 0xA3); every byte decodes.
            frame = pd.read_csv(io.BytesIO(source), encoding="latin-1", dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise PriceFileError(f"{label}: not a readable CSV file ({error.__class__.__name__})") from error
    if frame.empty:
        raise PriceFileError(f"{label}: has no rows")
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def detect_format(columns) -> str:
    """``seed``, ``mid`` or ``epex`` from a file's header; PriceFileError when none fits."""
    names = set(columns)
    if {"Settlement Date", "Settlement Period", "Market Index Data Provider Id"} <= names:
        return "mid_portal"
    if set(_SYSTEM_COLUMNS) - {"System Buy Price(GBP/MWh)"} <= names:
        return "system"
    if {"StartTime", "SettlementDate", "SettlementPeriod", "Price"} <= names:
        return "mid"
    if "Date" in names and set(_EPEX_HOURS) <= names:
        return "epex"
    if "time" in names or "interval_start_utc" in names:
        return "seed"
    raise PriceFileError(
        "the columns fit none of the formats: seed (time, day-ahead, intra-day, or interval_start_utc, "
        "day_ahead, intraday), Elexon MID (StartTime, SettlementDate, SettlementPeriod, Price), the Elexon "
        "portal's MID export (Settlement Date, Settlement Period, Market Index Data Provider Id, Market Index "
        "Volume (MWh), Market Index Price (£/MWh)), Elexon system prices (Settlement Date, Settlement Period, "
        "System Sell Price(GBP/MWh), System Buy Price(GBP/MWh)) or EPEX hourly (Date, 00-01 … 23-00)"
    )


def parse_price_file(source: Path | BinaryIO | bytes, name: str | None = None, fmt: str | None = None) -> ParsedPrices:
    """Parse a price file of format ``fmt`` (detected from the header when None)."""
    label = name or (source.name if isinstance(source, Path) else getattr(source, "name", "price file"))
    frame = _read_csv(source, label)
    fmt = fmt or _detect(frame.columns, label)
    if fmt not in FORMATS:
        raise PriceFileError(f"{label}: unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt == "mid_portal":
        price_columns = [c for c in frame.columns if str(c).startswith(_PORTAL_PRICE_PREFIX)]
        if price_columns:
            frame = frame.rename(columns={price_columns[0]: "Market Index Price"})
    required = {"mid": ["StartTime", "SettlementDate", "SettlementPeriod", "Price"], "epex": ["Date", *_EPEX_HOURS],
                "mid_portal": [*_PORTAL_COLUMNS, "Market Index Price"],
                "system": ["Settlement Date", "Settlement Period", "System Sell Price(GBP/MWh)"]}
    missing = [c for c in required.get(fmt, []) if c not in frame.columns]
    if missing:
        raise PriceFileError(f"{label}: not a {fmt} file: missing column(s) {', '.join(missing[:5])}"
                             + (" …" if len(missing) > 5 else ""))
    parser = {"seed": _parse_seed, "mid": _parse_mid, "mid_portal": _parse_mid_portal, "system": _parse_system,
              "epex": _parse_epex}[fmt]
    return parser(frame, label)


def _detect(columns, label: str) -> str:
    try:
        return detect_format(columns)
    except PriceFileError as error:
        raise PriceFileError(f"{label}: {error}") from error


def _lines(frame: pd.DataFrame) -> np.ndarray:
    return np.arange(len(frame)) + 2  # the header is line 1


def _reject(lines, reason, column="") -> pd.DataFrame:
    lines = np.asarray(lines, dtype=int)
    reasons = reason if isinstance(reason, (list, np.ndarray, pd.Series)) else [reason] * len(lines)
    columns = column if isinstance(column, (list, np.ndarray, pd.Series)) else [column] * len(lines)
    return pd.DataFrame({"line": lines, "column": list(columns), "reason": list(reasons)})


def _check_prices(long: pd.DataFrame) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    """Drop non-numeric, NaN and out-of-range prices, returning the rejections."""
    raw = long["price_gbp_per_mwh"].astype(str).str.strip()
    value = pd.to_numeric(raw, errors="coerce")
    column = long["column"] if "column" in long.columns else long["market"]
    rejects = []
    bad = value.isna() | ~np.isfinite(value.fillna(0))
    if bad.any():
        shown = raw[bad].where(raw[bad] != "", "(empty)")
        rejects.append(_reject(long.loc[bad, "line"], [f"{m}: price {v!r} is not a number"
                                                      for m, v in zip(long.loc[bad, "market"], shown, strict=True)],
                               column[bad].to_numpy()))
    out = ~bad & ((value < MIN_PRICE_GBP_PER_MWH) | (value > MAX_PRICE_GBP_PER_MWH))
    if out.any():
        rejects.append(_reject(long.loc[out, "line"], [
            f"{m}: price {v:g} £/MWh is outside {MIN_PRICE_GBP_PER_MWH:,.0f}..{MAX_PRICE_GBP_PER_MWH:,.0f}"
            for m, v in zip(long.loc[out, "market"], value[out], strict=True)], column[out].to_numpy()))
    keep = ~bad & ~out
    good = long.loc[keep].copy()
    good["price_gbp_per_mwh"] = value[keep].astype(float)
    return good, rejects


def _check_times(frame: pd.DataFrame, starts: pd.Series, lines: np.ndarray, raw: pd.Series,
                 already: np.ndarray | None = None, column: str = "") -> tuple[pd.Series, list[pd.DataFrame]]:
    """Reject unparseable, off-grid and duplicated starts (every line of a duplicate); returns the keep
    mask. Rows in ``already`` were rejected by the caller and are not reported again."""
    rejects = []
    already = np.zeros(len(frame), dtype=bool) if already is None else already
    malformed = starts.isna().to_numpy() & ~already
    if malformed.any():
        rejects.append(_reject(lines[malformed], [f"time {v!r} is not a valid time" for v in raw[malformed]], column))
    off_grid = ~malformed & ~already & ((starts.dt.minute % 30 != 0) | (starts.dt.second != 0)).fillna(False).to_numpy()
    if off_grid.any():
        rejects.append(_reject(lines[off_grid], [f"time {v!r} is not on a half-hour boundary" for v in raw[off_grid]],
                               column))
    ok = ~malformed & ~off_grid & ~already
    duplicated = ok & starts.duplicated(keep=False).to_numpy() & starts.notna().to_numpy()
    if duplicated.any():
        first_line = pd.Series(lines[duplicated]).groupby(starts[duplicated].to_numpy()).transform("min").to_numpy()
        rejects.append(_reject(lines[duplicated], [
            f"time {t.isoformat()} appears more than once (first on line {f}); all its rows are refused"
            for t, f in zip(starts[duplicated], first_line, strict=True)], column))
    return pd.Series(ok & ~duplicated, index=frame.index), rejects


def _finish(fmt: str, long: pd.DataFrame, rejects: list[pd.DataFrame], refused: list[str] | None = None) -> ParsedPrices:
    good, price_rejects = _check_prices(long)
    rejected = pd.concat([_reject([], []), *rejects, *price_rejects], ignore_index=True)
    rejected["column"] = rejected["column"].astype(str)
    rejected = rejected.sort_values("line", kind="stable").reset_index(drop=True)
    good = good.sort_values(["market", "interval_start_utc"]).reset_index(drop=True)[_LONG_COLUMNS]
    return ParsedPrices(fmt, good, rejected, refused or [])


def _melt(wide: pd.DataFrame, markets: list[str]) -> pd.DataFrame:
    long = wide.melt(id_vars=["interval_start_utc", "line"], value_vars=markets, var_name="market",
                     value_name="price_gbp_per_mwh")
    return long


def _parse_seed(frame: pd.DataFrame, label: str) -> ParsedPrices:
    lines = _lines(frame)
    if "interval_start_utc" in frame.columns:
        raw = frame["interval_start_utc"].str.strip()
        has_offset = raw.str.contains(r"(?:Z|[+-]\d\d:?\d\d)$", regex=True)
        starts = pd.to_datetime(raw.where(has_offset), utc=True, format="ISO8601", errors="coerce")
        rejects = []
        parses = pd.to_datetime(raw, format="ISO8601", errors="coerce", utc=True).notna()
        naive = (~has_offset & parses).to_numpy()
        if naive.any():
            rejects.append(_reject(lines[naive], [f"time {v!r} has no UTC offset (add Z)" for v in raw[naive]],
                                   "interval_start_utc"))
        markets = [c for c in MARKETS if c in frame.columns]
        if not markets:
            raise PriceFileError(f"{label}: needs a day_ahead, intraday or market_index column")
        wide = frame
    else:
        missing = {"time", *_SEED_COLUMNS} - set(frame.columns)
        if missing:
            raise PriceFileError(f"{label}: missing column(s) {', '.join(sorted(missing))}")
        raw = frame["time"].str.strip()
        starts = pd.to_datetime(raw, format="%d/%m/%Y %H:%M", utc=True, errors="coerce")
        rejects = []
        wide = frame.rename(columns=_SEED_COLUMNS)
        markets = list(_SEED_COLUMNS.values())
        naive = np.zeros(len(frame), dtype=bool)
    time_column = "interval_start_utc" if "interval_start_utc" in frame.columns else "time"
    keep, time_rejects = _check_times(frame, starts, lines, raw, already=naive, column=time_column)
    rejects += time_rejects
    wide = wide.assign(interval_start_utc=starts, line=lines)[keep.to_numpy()]
    long = _melt(wide, markets)
    file_columns = {market: name for name, market in _SEED_COLUMNS.items()} if time_column == "time" else {}
    long["column"] = long["market"].map(lambda m: file_columns.get(m, m))
    return _finish("seed", long, rejects)


def _parse_mid(frame: pd.DataFrame, label: str) -> ParsedPrices:
    lines = _lines(frame)
    raw = frame["StartTime"].str.strip()
    starts = pd.to_datetime(raw, utc=True, format="ISO8601", errors="coerce")
    keep, rejects = _check_times(frame, starts, lines, raw, column="StartTime")
    # The start must be the start of the stated settlement date and period (UTC offset and DST
    # are checked, so a file with local times in StartTime is refused row by row).
    sdate = pd.to_datetime(frame["SettlementDate"].str.strip(), format="%Y-%m-%d", errors="coerce")
    speriod = pd.to_numeric(frame["SettlementPeriod"].str.strip(), errors="coerce")
    speriod = speriod.where((speriod >= 1) & (speriod <= 50))  # a huge period overflows the time arithmetic
    local_midnight = sdate.dt.tz_localize(LONDON, ambiguous="NaT", nonexistent="NaT").dt.tz_convert("UTC")
    expected = local_midnight + (speriod - 1) * PERIOD
    day_length = pd.Series([periods_in_day(d.date()) if pd.notna(d) else 0 for d in sdate.unique()],
                           index=sdate.unique())
    periods = sdate.map(day_length)
    mismatch = keep.to_numpy() & ~((expected == starts) & (speriod >= 1) & (speriod <= periods)).to_numpy()
    if mismatch.any():
        rejects.append(_reject(lines[mismatch], [
            f"StartTime {t} is not settlement period {p} of {d}" for t, d, p in
            zip(raw[mismatch], frame["SettlementDate"][mismatch], frame["SettlementPeriod"][mismatch], strict=True)],
            "StartTime"))
    keep &= ~mismatch
    if "DataProvider" in frame.columns:
        other = keep.to_numpy() & (frame["DataProvider"].str.strip() != "APXMIDP").to_numpy()
        if other.any():
            rejects.append(_reject(lines[other], [f"data provider {v!r} is not APXMIDP"
                                                  for v in frame["DataProvider"][other]], "DataProvider"))
            keep &= ~other
    wide = pd.DataFrame({"interval_start_utc": starts, "line": lines, "market_index": frame["Price"]})[keep.to_numpy()]
    long = _melt(wide, ["market_index"])
    long["column"] = "Price"
    return _finish("mid", long, rejects)


def _settlement_starts(frame: pd.DataFrame, date_format: str, lines: np.ndarray
                       ) -> tuple[pd.Series, np.ndarray, list[pd.DataFrame]]:
    """UTC start of each row's ``date`` and ``period`` (local settlement date, 1-based period), the rows
    that are good, and the rejections (bad date, period outside the day's 46/48/50, duplicates)."""
    raw_date = frame["date"].str.strip()
    raw_period = frame["period"].str.strip()
    days = pd.to_datetime(raw_date, format=date_format, errors="coerce")
    period = pd.to_numeric(raw_period, errors="coerce")
    rejects = []
    bad_date = days.isna().to_numpy()
    if bad_date.any():
        rejects.append(_reject(lines[bad_date], [f"settlement date {v!r} is not a date" for v in raw_date[bad_date]]))
    unique = days.dropna().unique()
    length = pd.Series([periods_in_day(d.date()) for d in unique], index=unique, dtype=float)
    midnight = pd.Series(pd.DatetimeIndex(unique).tz_localize(LONDON).tz_convert("UTC"), index=unique)
    periods = length.reindex(days).to_numpy(dtype=float)  # NaN where no date (map gave NaT when none parsed)
    whole = period.notna().to_numpy() & (period.fillna(0) % 1 == 0).to_numpy()
    bad_period = ~bad_date & ~(whole & (period.to_numpy() >= 1) & (period.to_numpy() <= periods))
    if bad_period.any():
        rejects.append(_reject(lines[bad_period], [
            f"settlement period {p!r} does not exist on {d} ({int(n)} periods)" if n == n else f"period {p!r}"
            for p, d, n in zip(raw_period[bad_period], raw_date[bad_period], periods[bad_period], strict=True)]))
    starts = pd.Series(midnight.reindex(days).to_numpy(), index=frame.index)
    ok = ~bad_date & ~bad_period
    offset_min = (period.where(ok, 1) - 1) * 30  # only good periods: a huge one overflows the timedelta
    starts = pd.to_datetime(starts, utc=True) + pd.to_timedelta(offset_min, unit="min")
    starts = starts.where(ok)
    duplicated = ok & starts.duplicated(keep=False).to_numpy()
    if duplicated.any():
        rejects.append(_reject(lines[duplicated], [
            f"settlement period {p} of {d} appears more than once; all its rows are refused"
            for d, p in zip(raw_date[duplicated], raw_period[duplicated], strict=True)]))
    return starts, ok & ~duplicated, rejects


def _parse_mid_portal(frame: pd.DataFrame, label: str) -> ParsedPrices:
    lines = _lines(frame)
    frame = frame.rename(columns={**_PORTAL_COLUMNS, "Market Index Price": "price"})
    provider = frame["provider"].str.strip()
    apx = (provider == "APXMIDP").to_numpy()
    notes = []
    others = provider[~apx].value_counts()
    if len(others):
        notes.append("; ".join(f"{count:,} {name or '(blank)'} rows skipped" for name, count in others.items())
                     + " (only APXMIDP is stored as market_index)")
    frame, lines = frame[apx], lines[apx]
    starts, ok, rejects = _settlement_starts(frame, "%d %B %Y", lines)
    volume = pd.to_numeric(frame["volume"].str.strip(), errors="coerce")
    price = pd.to_numeric(frame["price"].str.strip(), errors="coerce")
    # No trade took place: the price is unknown, not £0/MWh.
    no_trade = ok & (volume == 0).to_numpy() & (price == 0).to_numpy()
    if no_trade.any():
        per_day = frame["date"][no_trade].str.strip().value_counts(sort=False)
        notes.append(f"{int(no_trade.sum())} intervals have zero volume and a price of 0 (no trade) and are stored as "
                     "missing, not as £0/MWh: " + ", ".join(
                         f"{pd.to_datetime(d, format='%d %B %Y'):%Y-%m-%d} ({n})" for d, n in per_day.items()))
    keep = ok & ~no_trade
    wide = pd.DataFrame({"interval_start_utc": starts, "line": lines, "market_index": frame["price"]})[keep]
    parsed = _finish("mid_portal", _melt(wide, ["market_index"]), rejects)
    parsed.missing = int(no_trade.sum())
    parsed.notes = notes
    return parsed


def _parse_system(frame: pd.DataFrame, label: str) -> ParsedPrices:
    lines = _lines(frame)
    frame = frame.rename(columns=_SYSTEM_COLUMNS)
    starts, ok, rejects = _settlement_starts(frame, "%d/%m/%Y", lines)
    wide = pd.DataFrame({"interval_start_utc": starts, "line": lines, "system_price": frame["ssp"]})
    markets = ["system_price"]
    long = _melt(wide[ok], markets)
    if "sbp" in frame.columns:
        ssp = pd.to_numeric(frame["ssp"].str.strip(), errors="coerce")
        sbp = pd.to_numeric(frame["sbp"].str.strip(), errors="coerce")
        # Since the single-price reform SBP equals SSP; it is stored only where it says something else.
        differs = ok & ~((ssp - sbp).abs() <= 1e-9).to_numpy()
        buy = pd.DataFrame({"interval_start_utc": starts, "line": lines, "system_buy_price": frame["sbp"]})[differs]
        long = pd.concat([long, _melt(buy, ["system_buy_price"])], ignore_index=True)
    return _finish("system", long, rejects)


def _parse_epex(frame: pd.DataFrame, label: str) -> ParsedPrices:
    lines = _lines(frame)
    raw = frame["Date"].str.strip()
    days = pd.to_datetime(raw, format="%Y-%m-%d", errors="coerce")
    rejects = []
    malformed = days.isna().to_numpy()
    if malformed.any():
        rejects.append(_reject(lines[malformed], [f"date {v!r} is not YYYY-MM-DD" for v in raw[malformed]], "Date"))
    duplicated = ~malformed & days.duplicated(keep=False).to_numpy()
    if duplicated.any():
        rejects.append(_reject(lines[duplicated], [f"date {v} appears more than once; all its rows are refused"
                                                   for v in raw[duplicated]], "Date"))
    ok = ~malformed & ~duplicated
    counts = np.array([periods_in_day(d.date()) if pd.notna(d) else 48 for d in days])
    clock_change = ok & (counts != 48)
    refused = []
    if clock_change.any():
        messages = [
            f"{d:%Y-%m-%d}: 24 hourly values for a {c // 2}-hour day; refused (the EPEX hourly format cannot "
            f"say which value belongs to which hour of a clock-change day, so nothing is shifted by an hour)"
            for d, c in zip(days[clock_change], counts[clock_change], strict=True)
        ]
        refused = messages
        rejects.append(_reject(lines[clock_change], messages, "Date"))
    ok &= ~clock_change
    # On a 48-period day local hour h starts h hours after local midnight (no DST change inside).
    day_rows = frame[ok]
    midnight = days[ok].dt.tz_localize(LONDON).dt.tz_convert("UTC").dt.tz_localize(None).to_numpy(
        dtype="datetime64[ns]")
    hourly = day_rows[_EPEX_HOURS].to_numpy()
    n = len(day_rows)
    hour_offsets = (np.arange(48) * 30).astype("timedelta64[m]").astype("timedelta64[ns]")
    starts = (midnight[:, None] + hour_offsets[None, :]).ravel()
    values = np.repeat(hourly, 2, axis=1).ravel()
    long = pd.DataFrame({
        "market": "day_ahead",
        "interval_start_utc": pd.DatetimeIndex(starts).tz_localize("UTC") if n else pd.DatetimeIndex([], tz="UTC"),
        "price_gbp_per_mwh": values,
        "line": np.repeat(lines[ok], 48),
        "column": np.tile(np.repeat(_EPEX_HOURS, 2), n),
    })
    parsed = _finish("epex", long, rejects, refused)
    # One bad hourly value is reported once (not for both of its half-hours).
    parsed.rejected = parsed.rejected.drop_duplicates().reset_index(drop=True)
    return parsed


def read_seed_prices(path: Path = SEED_PRICES_FILE) -> pd.DataFrame:
    """Read the seed DA/ID file: ``time`` is ``dd/mm/YYYY HH:MM`` in UTC; prices in £/MWh."""
    parsed = parse_price_file(path, fmt="seed")
    if not parsed.rejected.empty:
        row = parsed.rejected.iloc[0]
        raise PriceFileError(f"{path.name}: line {row['line']}: {row['reason']}")
    return parsed.prices.drop(columns="line")


def read_wide_price_csv(source: Path | BinaryIO, name: str | None = None) -> pd.DataFrame:
    """Read the optimiser CLI format: ``interval_start_utc`` (ISO 8601 with offset), ``day_ahead``,
    ``intraday`` [£/MWh]. ``source`` is a path or a binary file; ``name`` labels errors. Strict:
    the first rejected value raises PriceFileError."""
    label = name or getattr(source, "name", "price file")
    frame = _read_csv(source, label)
    if "interval_start_utc" not in frame.columns:
        raise PriceFileError(f"{label}: needs an interval_start_utc column")
    parsed = _parse_seed(frame, label)
    if not parsed.rejected.empty:
        row = parsed.rejected.iloc[0]
        raise PriceFileError(f"{label}: line {row['line']}: {row['reason']}")
    return parsed.prices.drop(columns="line")
