"""Carbon footprint of metered assets: import COV power readings, keep carbon intensity, compute,
store and query half-hourly footprints (HalfHourId = settlement period of the UK local date).

Footprints are stored per asset, date and HalfHourId. New readings for an asset drop its stored
footprints from the first affected date on (a reading holds forward); changed intensities
recompute the footprints that used them. A date not stored yet is computed when first asked for.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy.exc import IntegrityError

from data_access import carbon as store
from data_access.carbon_intensity import (
    CarbonIntensityClient,
    IntensityDataError,
    read_intensity_file,
    read_intensity_folder,
)
from data_access.engine import Database
from data_access.power_files import PowerFileError, read_cov_csv, readings_frame
from data_access.types import utc_now
from domain.footprint import day_footprint, range_footprint
from domain.reading_integrity import UNRATED_LIMIT_KW, reading_problems
from domain.settlement_time import (
    day_period_starts_utc,
    day_start_utc,
    periods_in_day,
    settlement_index,
    to_settlement_period,
)
from services import audit
from services.errors import InvalidInput, NotFound

DEMO_DIR = Path(__file__).resolve().parent.parent / "data_access" / "demo_data" / "carbon"
DEMO_INTENSITY_DIR = DEMO_DIR / "intensity"
DEMO_POWER_FILE = DEMO_DIR / "power_measurements_2019-11-25.csv"
DEMO_ASSET_ID = "abc123xyz"
DEMO_ASSET_NAME = "Open Energi demo asset (COV power, 2019-11-25)"
DEMO_DATE = date(2019, 11, 25)
EAGER_DAYS = 31
"""After an import, up to this many days of footprints are computed at once; later ones when asked for."""
MAX_JSON_READINGS = 50_000
MAX_FILE_BYTES = 50_000_000


class ImplausibleReadings(InvalidInput):
    """Readings outside today's rules; ``problems`` lists (line or item, reason) of every one. Nothing stored."""

    def __init__(self, problems: list[tuple[int, str]], item_label: str = "line"):
        self.problems = sorted(problems)
        self.item_label = item_label
        shown = "; ".join(f"{item_label} {n}: {m}" for n, m in self.problems[:20])
        more = len(self.problems) - 20
        super().__init__(f"{len(self.problems)} reading(s) are implausible; nothing was stored: {shown}"
                         + (f"; and {more} more" if more > 0 else ""))

    def as_records(self) -> list[dict]:
        return [{self.item_label: n, "reason": m} for n, m in self.problems]


# --- assets ---

@dataclass(frozen=True)
class AssetInfo:
    asset_id: str
    name: str
    first_reading_utc: datetime | None
    last_reading_utc: datetime | None


def _check_asset_id(asset_id: str) -> str:
    asset_id = (asset_id or "").strip()
    if not asset_id or len(asset_id) > 64 or "/" in asset_id:
        raise InvalidInput("an asset id is 1 to 64 characters without '/'")
    return asset_id


def list_assets(db: Database) -> list[AssetInfo]:
    with db.session() as session:
        return [AssetInfo(a.asset_id, a.name, *store.reading_span(session, a.asset_id))
                for a in store.list_assets(session)]


def asset_info(db: Database, asset_id: str) -> AssetInfo:
    with db.session() as session:
        asset = store.get_asset(session, asset_id)
        if asset is None:
            raise NotFound(f"there is no asset {asset_id!r}")
        return AssetInfo(asset.asset_id, asset.name, *store.reading_span(session, asset.asset_id))


def register_asset(db: Database, asset_id: str, name: str, actor: str = "system",
                   rating_kw: float | None = None) -> bool:
    """Register an asset (id, name, optional rating [kW]); False when it already exists (left as it is).

    Readings beyond ±10 × the rating (±10 GW without one) are refused."""
    asset_id = _check_asset_id(asset_id)
    name = (name or asset_id).strip()[:120]
    if rating_kw is not None:
        if isinstance(rating_kw, bool) or not isinstance(rating_kw, int | float) or not math.isfinite(rating_kw) \
                or not 0 < rating_kw <= UNRATED_LIMIT_KW:
            raise InvalidInput(f"rating_kw {rating_kw!r} is not a power in kW above 0 and at most "
                               f"{UNRATED_LIMIT_KW:g} (10 GW); nothing was registered")
        rating_kw = float(rating_kw)
    with db.session() as session:
        if store.get_asset(session, asset_id) is not None:
            return False
        store.add_asset(session, asset_id, name, rating_kw)
        audit.record(session, actor, "carbon.asset_registered", target=asset_id,
                     detail={"name": name, "rating_kw": rating_kw})
    return True


# --- readings ---

@dataclass(frozen=True)
class PowerImportReport:
    source: str
    rows_read: int
    rows_added: int
    rows_already_stored: int
    assets: list[str]
    assets_registered: list[str] = field(default_factory=list)
    first_utc: datetime | None = None
    last_utc: datetime | None = None


def _by_asset(readings: pd.DataFrame):
    """(asset_id, rows) of every asset, in id order, as ``groupby("asset_id")`` gives them; a frame of one asset (the
    usual file) is itself, found by one comparison of the ids instead of hashing 525,600 of them per groupby."""
    ids = readings["asset_id"].to_numpy()
    if len(ids) and (ids == ids[0]).all():
        return [(ids[0], readings)]
    return list(readings.groupby("asset_id"))


def _implausible(session, groups: list[tuple[str, pd.DataFrame]], now_utc: datetime) -> list[tuple[int, str]]:
    """(line, reason) of every reading, grouped by asset (``_by_asset``), outside today's rules
    (``domain.reading_integrity``)."""
    problems = []
    for asset_id, rows in groups:
        asset = store.get_asset(session, asset_id)
        reasons = reading_problems(rows["time_utc"], rows["power_kw"], asset.rating_kw if asset else None,
                                   now_utc)
        bad = reasons.notna().to_numpy()
        problems.extend((int(line), f"asset {asset_id}: {reason}")
                        for line, reason in zip(rows["line"].to_numpy()[bad], reasons[bad], strict=True))
    return problems


@dataclass(frozen=True)
class PowerPreview:
    """What importing a COV file would do (nothing stored): per asset, readings new and already stored."""

    source: str
    rows_read: int
    new: dict[str, int]
    already_stored: dict[str, int]
    assets_to_register: list[str]
    first_utc: datetime | None
    last_utc: datetime | None

    @property
    def rows_new(self) -> int:
        return sum(self.new.values())


def _check_readings(session, readings: pd.DataFrame, register_assets: bool,
                    now_utc: datetime) -> tuple[list[str], pd.DataFrame, dict[str, int]]:
    """Every check an import makes before storing: (assets to register, new readings, already stored per
    asset). Raises InvalidInput (or ImplausibleReadings) naming every problem; writes nothing."""
    groups = _by_asset(readings)
    assets = [asset_id for asset_id, _ in groups]
    known = store.known_asset_ids(session, assets)
    unknown = [a for a in assets if a not in known]
    if unknown and not register_assets:
        raise InvalidInput(
            f"unknown asset(s) {', '.join(unknown)}: register them first, or import with --register-assets "
            "(the 'register unknown assets' option); nothing was stored")
    for asset_id in unknown:
        _check_asset_id(asset_id)
    implausible = _implausible(session, groups, now_utc)
    if implausible:
        raise ImplausibleReadings(implausible)
    problems = []
    to_insert = []
    unchanged: dict[str, int] = {}
    for asset_id, rows in groups:
        stored = store.stored_readings(session, asset_id, rows["time_utc"].min().to_pydatetime(),
                                       rows["time_utc"].max().to_pydatetime())
        if stored.empty:  # nothing stored in the file's span (a first import): every reading is new, no join
            unchanged[asset_id] = 0
            to_insert.append(rows[["asset_id", "time_utc", "power_kw"]])
            continue
        merged = rows.merge(stored, on="time_utc", how="left", suffixes=("", "_stored"))
        present = merged["power_kw_stored"].notna()
        differs = present & ~np.isclose(merged["power_kw"], merged["power_kw_stored"].fillna(0.0))
        for line, when, new, old in merged.loc[differs, ["line", "time_utc", "power_kw",
                                                         "power_kw_stored"]].itertuples(index=False):
            problems.append((int(line), f"asset {asset_id} already has {old:g} kW stored at {when.isoformat()}, "
                                        f"not {new:g} kW"))
        unchanged[asset_id] = int((present & ~differs).sum())
        to_insert.append(merged.loc[~present, ["asset_id", "time_utc", "power_kw"]])
    if problems:
        problems.sort()
        shown = "; ".join(f"line {n}: {m}" for n, m in problems[:20])
        raise InvalidInput(f"{len(problems)} reading(s) contradict stored ones; nothing was stored: {shown}")
    return unknown, pd.concat(to_insert, ignore_index=True), unchanged


def _store_readings(db: Database, readings: pd.DataFrame, source: str, register_assets: bool,
                    actor: str, now_utc: datetime | None = None) -> PowerImportReport:
    """Store checked readings in one transaction: all new ones, or none when anything is wrong.

    ``now_utc`` is the clock of the plausibility check (default: now)."""
    with db.session() as session:
        unknown, new, unchanged_by_asset = _check_readings(session, readings, register_assets, now_utc or utc_now())
        assets = list(unchanged_by_asset)  # every asset of the file, in id order
        unchanged = sum(unchanged_by_asset.values())
        for asset_id in unknown:
            store.add_asset(session, asset_id, asset_id)
        store.insert_readings(session, new, source)
        new_by_asset = _by_asset(new) if len(new) else []
        for asset_id, rows in new_by_asset:
            first_day = to_settlement_period(rows["time_utc"].min().to_pydatetime()).settlement_date
            store.forget_footprints_from(session, asset_id, first_day)
        audit.record(session, actor, "carbon.power_imported", target=source[:120],
                     detail={"rows_read": len(readings), "rows_added": len(new), "assets": assets,
                             "registered": unknown})
    for asset_id, rows in new_by_asset:
        first_day = to_settlement_period(rows["time_utc"].min().to_pydatetime()).settlement_date
        last_day = to_settlement_period(rows["time_utc"].max().to_pydatetime()).settlement_date
        asset_footprints(db, asset_id, first_day, min(last_day, first_day + timedelta(days=EAGER_DAYS - 1)))
    return PowerImportReport(source, len(readings), len(new), unchanged, assets, unknown,
                             readings["time_utc"].min().to_pydatetime(), readings["time_utc"].max().to_pydatetime())


def _read_power_file(content: bytes, filename: str) -> pd.DataFrame:
    if len(content) > MAX_FILE_BYTES:
        raise InvalidInput(f"{filename} is larger than {MAX_FILE_BYTES // 1_000_000} MB; split it")
    try:
        return read_cov_csv(content, filename)
    except PowerFileError as error:
        raise InvalidInput(str(error)) from error


def preview_power_file(db: Database, content: bytes, filename: str, register_assets: bool = False,
                       now_utc: datetime | None = None) -> PowerPreview:
    """What ``import_power_file`` would do, with every check it makes, storing nothing."""
    readings = _read_power_file(content, filename)
    with db.session() as session:
        unknown, new, unchanged = _check_readings(session, readings, register_assets, now_utc or utc_now())
    counts = new.groupby("asset_id").size()
    return PowerPreview(f"file:{filename}"[:120], len(readings),
                        {a: int(counts.get(a, 0)) for a in sorted(readings["asset_id"].unique())}, unchanged,
                        unknown, readings["time_utc"].min().to_pydatetime(), readings["time_utc"].max().to_pydatetime())


def import_power_file(db: Database, content: bytes, filename: str, register_assets: bool = False,
                      actor: str = "system", now_utc: datetime | None = None) -> PowerImportReport:
    """Import a COV CSV (``Time, Variable, AssetId, Value`` in kW) whole or not at all; re-import adds nothing."""
    readings = _read_power_file(content, filename)
    return _store_readings(db, readings, f"file:{filename}"[:120], register_assets, actor, now_utc)


def import_readings(db: Database, asset_id: str, readings: list, actor: str = "system",
                    now_utc: datetime | None = None) -> PowerImportReport:
    """Readings posted as JSON for one registered asset: ``[{"time": ISO 8601, "power_kw": number}, …]``.

    Problems name the item's position (``item 0`` is the first)."""
    with db.session() as session:
        if store.get_asset(session, asset_id) is None:
            raise NotFound(f"there is no asset {asset_id!r}; register it first")
    if not isinstance(readings, list) or not readings:
        raise InvalidInput("send a non-empty list 'readings' of {\"time\", \"power_kw\"} objects")
    if len(readings) > MAX_JSON_READINGS:
        raise InvalidInput(f"send at most {MAX_JSON_READINGS:,} readings per request")
    items = [item if isinstance(item, dict) else {} for item in readings]
    try:
        frame = readings_frame([i.get("time") for i in items], [asset_id] * len(items),
                               [i.get("power_kw") for i in items], list(range(len(items))))
    except PowerFileError as error:
        raise InvalidInput(str(error).replace("line ", "item ")) from error
    try:
        return _store_readings(db, frame, f"api:{actor}"[:120], False, actor, now_utc)
    except ImplausibleReadings as error:
        raise ImplausibleReadings(error.problems, item_label="item") from None


# --- intensity ---

@dataclass(frozen=True)
class IntensityReport:
    source: str
    intervals: int
    changed: int
    footprints_recomputed: int
    problem: str | None = None


def store_intensity(db: Database, frame: pd.DataFrame, source: str) -> IntensityReport:
    """Store fetched intensities and recompute the stored footprints whose half-hours changed."""
    with db.session() as session:
        changed = store.store_intensity(session, frame, source)
        keys = store.footprint_keys_touching(session, [t.to_pydatetime() for t in changed])
    for asset_id, day in keys:
        _compute_and_store(db, asset_id, day)
    return IntensityReport(source, len(frame), len(changed), len(keys))


def load_intensity_files(db: Database, folder: Path) -> IntensityReport:
    try:
        frame = read_intensity_folder(folder)
    except IntensityDataError as error:
        raise InvalidInput(str(error)) from error
    return store_intensity(db, frame, f"file:{folder.name}")


def load_intensity_file(db: Database, path: Path) -> IntensityReport:
    try:
        frame = read_intensity_file(path)
    except IntensityDataError as error:
        raise InvalidInput(str(error)) from error
    return store_intensity(db, frame, f"file:{path.name}")


def fetch_intensity(db: Database, client: CarbonIntensityClient, first: date, last: date) -> IntensityReport:
    """Fetch settlement dates ``first``..``last`` from the API (or the fallback folder) and store them."""
    if last < first:
        raise InvalidInput(f"the end date {last.isoformat()} is before the start date {first.isoformat()}")
    if (last - first).days > 400:
        raise InvalidInput("fetch at most 400 days at a time")
    for day in (first, last):
        parse_date(day.isoformat())  # refuses dates outside the supported years
    try:
        fetched = client.fetch(day_start_utc(first), day_start_utc(last + timedelta(days=1)))
    except IntensityDataError as error:
        raise InvalidInput(str(error)) from error
    report = store_intensity(db, fetched.frame, fetched.source)
    return IntensityReport(report.source, report.intervals, report.changed, report.footprints_recomputed,
                           fetched.problem)


def intensity_series(db: Database, start_utc: datetime, end_utc: datetime) -> pd.DataFrame:
    """Stored intensity used per half-hour in [start_utc, end_utc): ``intensity_g_per_kwh`` (actual, else
    forecast) and ``intensity_kind``; indexed by interval start. Half-hours not stored are absent."""
    with db.session() as session:
        stored = store.intensity_between(session, start_utc, end_utc)
    has_actual = stored["actual_g_per_kwh"].notna()
    value = stored["actual_g_per_kwh"].where(has_actual, stored["forecast_g_per_kwh"])
    kind = pd.Series(np.where(has_actual, "actual", np.where(stored["forecast_g_per_kwh"].notna(), "forecast",
                                                             None)), index=stored.index, dtype=object)
    return pd.DataFrame({"intensity_g_per_kwh": value, "intensity_kind": kind})


# --- footprints ---

def _compute_and_store(db: Database, asset_id: str, settlement_date: date) -> pd.DataFrame:
    start = day_start_utc(settlement_date)
    end = day_start_utc(settlement_date + timedelta(days=1))
    with db.session() as session:
        readings = store.readings_for_window(session, asset_id, start, end)
        intensity = store.intensity_between(session, start, end).reindex(day_period_starts_utc(settlement_date))
    frame = day_footprint(settlement_date, readings["time_utc"], readings["power_kw"].to_numpy(dtype=float),
                          intensity["actual_g_per_kwh"].to_numpy(), intensity["forecast_g_per_kwh"].to_numpy())
    try:
        with db.session() as session:
            store.replace_footprint(session, asset_id, settlement_date, frame)
    except IntegrityError:
        pass  # another request stored the same day at the same moment; the computed rows are the same
    return frame


def asset_day_footprint(db: Database, asset_id: str, settlement_date: date) -> pd.DataFrame:
    """The stored footprint of one asset and date (all its 46/48/50 half-hours), computed and stored first
    when missing. Columns as ``domain.footprint.day_footprint``; NaN/None where unknown."""
    with db.session() as session:
        if store.get_asset(session, asset_id) is None:
            raise NotFound(f"there is no asset {asset_id!r}")
        stored = store.stored_footprint(session, asset_id, settlement_date)
    if len(stored) == periods_in_day(settlement_date):
        return stored
    return _compute_and_store(db, asset_id, settlement_date)


def asset_footprints(db: Database, asset_id: str, first: date, last: date) -> pd.DataFrame:
    """Every half-hour's footprint of ``first``..``last``, with a ``settlement_date`` column; the dates not yet
    stored are computed in one vectorised pass over one read of their readings and intensities, and stored in one
    bulk write (each date's rows equal ``asset_day_footprint``'s)."""
    with db.session() as session:
        if store.get_asset(session, asset_id) is None:
            raise NotFound(f"there is no asset {asset_id!r}")
        counts = store.footprint_day_counts(session, asset_id, first, last)
    dates = [first + timedelta(days=offset) for offset in range((last - first).days + 1)]
    missing = [day for day in dates if counts.get(day, 0) != periods_in_day(day)]
    if missing:
        _compute_and_store_range(db, asset_id, missing[0], missing[-1], set(missing))
    with db.session() as session:
        return store.stored_footprints_between(session, asset_id, first, last)


def _compute_and_store_range(db: Database, asset_id: str, first: date, last: date, days: set[date]) -> None:
    start = day_start_utc(first)
    end = day_start_utc(last + timedelta(days=1))
    with db.session() as session:
        readings = store.readings_for_window(session, asset_id, start, end)
        intensity = store.intensity_between(session, start, end)
    starts = settlement_index(first, last)["interval_start_utc"]
    intensity = intensity.reindex(pd.DatetimeIndex(starts))
    frame = range_footprint(first, last, readings["time_utc"], readings["power_kw"].to_numpy(dtype=float),
                            intensity["actual_g_per_kwh"].to_numpy(), intensity["forecast_g_per_kwh"].to_numpy())
    frame = frame[frame["settlement_date"].isin(days)]
    try:
        with db.session() as session:
            store.replace_footprints(session, asset_id, frame)
    except IntegrityError:
        pass  # another request stored the same days at the same moment; the computed rows are the same


@dataclass(frozen=True)
class FootprintRange:
    """Half-hours ``first``..``last`` of one asset's date, and their total [gCO2] (None if any is unknown)."""

    asset_id: str
    settlement_date: date
    first: int
    last: int
    rows: pd.DataFrame
    total_g: float | None
    known_rows: int
    skipped_readings: int = 0
    """Stored readings of that date left out because they fail today's rules (an older version stored them)."""

    @property
    def warnings(self) -> list[str]:
        if not self.skipped_readings:
            return []
        return [f"{self.skipped_readings} stored reading(s) of {self.asset_id} on {self.settlement_date.isoformat()} "
                "fail today's rules (time before 2000-01-01 or in the future, or power beyond the asset's limit) "
                "and were left out"]


EARLIEST_DATE, LATEST_DATE = date(1970, 1, 1), date(2200, 12, 31)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
SEED_ASSET_ID_LENGTHS = range(7, 15)
"""The seed API's rule: an asset id is 7 to 14 characters; a read of an unknown id of another length is a 400."""


def check_readable_asset_id(db: Database, asset_id: str) -> None:
    """InvalidInput (400) for an asset id the seed API refused by its length, unless such an asset is registered
    here (ids of 1 to 64 characters may be registered); an unknown id of a seed length stays a 404."""
    if len(asset_id) in SEED_ASSET_ID_LENGTHS:
        return
    with db.session() as session:
        if len(asset_id) <= 64 and store.get_asset(session, asset_id) is not None:
            return
    raise InvalidInput(f"an asset id is 7 to 14 characters; {asset_id[:80]!r} has {len(asset_id)}")


def parse_date(text: str) -> date:
    """A date written exactly ``YYYY-MM-DD`` (``20191125`` and ``2019-W48-1`` are refused, as the seed API did)."""
    try:
        if not isinstance(text, str) or not _ISO_DATE.fullmatch(text):
            raise ValueError(text)
        parsed = date.fromisoformat(text)
    except (TypeError, ValueError):
        raise InvalidInput(f"{text!r} is not a date in YYYY-MM-DD form") from None
    if not EARLIEST_DATE <= parsed <= LATEST_DATE:
        raise InvalidInput(f"{parsed.isoformat()} is outside {EARLIEST_DATE.isoformat()} to {LATEST_DATE.isoformat()}")
    return parsed


def parse_half_hour(text, name: str) -> int:
    try:
        value = int(str(text).strip())
    except (TypeError, ValueError):
        raise InvalidInput(f"{name}={text!r} is not a whole HalfHourId") from None
    return value


def footprint_range(db: Database, asset_id: str, settlement_date: date, first: int | None = None,
                    last: int | None = None) -> FootprintRange:
    """Half-hours ``first``..``last`` (default the whole day). InvalidInput for a range outside the day's
    46/48/50 periods or reversed; NotFound for an unknown asset."""
    count = periods_in_day(settlement_date)
    first = 1 if first is None else first
    last = count if last is None else last
    if first > last:
        raise InvalidInput(f"from={first} is after to={last}")
    if not (1 <= first <= count and 1 <= last <= count):
        raise InvalidInput(f"{settlement_date.isoformat()} has HalfHourIds 1 to {count}; {first}-{last} is outside them")
    day = asset_day_footprint(db, asset_id, settlement_date)
    rows = day[(day["half_hour_id"] >= first) & (day["half_hour_id"] <= last)].reset_index(drop=True)
    known = rows["footprint_g"].notna()
    total = float(rows["footprint_g"].sum()) if known.all() and len(rows) else None
    with db.session() as session:
        skipped = store.skipped_readings(session, asset_id, day_start_utc(settlement_date),
                                         day_start_utc(settlement_date + timedelta(days=1)))
    return FootprintRange(asset_id, settlement_date, first, last, rows, total, int(known.sum()), skipped)


def range_records(result: FootprintRange) -> list[dict]:
    """JSON-ready rows: NaN written as null, times as ISO 8601 UTC with Z."""

    def clean(value):
        return None if value is None or (isinstance(value, float) and math.isnan(value)) else round(value, 6)

    return [{
        "half_hour_id": int(row.half_hour_id),
        "start_utc": row.start_utc.isoformat().replace("+00:00", "Z"),
        "power_kw": clean(float(row.power_kw)),
        "energy_kwh": clean(float(row.energy_kwh)),
        "intensity_g_per_kwh": clean(float(row.intensity_g_per_kwh)),
        "intensity_kind": row.intensity_kind if isinstance(row.intensity_kind, str) else None,
        "footprint_g": clean(float(row.footprint_g)),
    } for row in result.rows.itertuples(index=False)]


CSV_COLUMNS = ("asset_id", "date", "half_hour_id", "start_utc", "power_kw", "energy_kwh", "intensity_g_per_kwh",
               "intensity_kind", "footprint_g")


def range_csv(result: FootprintRange) -> str:
    """The same rows as CSV (empty cells where unknown)."""
    frame = pd.DataFrame(range_records(result), columns=list(CSV_COLUMNS[2:]))
    frame.insert(0, "date", result.settlement_date.isoformat())
    frame.insert(0, "asset_id", result.asset_id)
    return frame.to_csv(index=False)


# --- demo data ---

@dataclass(frozen=True)
class DemoReport:
    intensity_intervals_added: int
    readings_added: int


def load_demo_carbon(db: Database) -> DemoReport:
    """The shipped intensity (NESO 2023 and the reconstructed 2019-11-25 values), the demo asset and its
    COV readings; idempotent."""
    intensity = load_intensity_files(db, DEMO_INTENSITY_DIR)
    register_asset(db, DEMO_ASSET_ID, DEMO_ASSET_NAME)
    report = import_power_file(db, DEMO_POWER_FILE.read_bytes(), DEMO_POWER_FILE.name)
    return DemoReport(intensity.changed, report.rows_added)


def intensity_client(settings) -> CarbonIntensityClient:
    """The API client from settings; the fallback folder defaults to the shipped demo intensity."""
    fallback = settings.carbon_intensity_fallback_dir or DEMO_INTENSITY_DIR
    return CarbonIntensityClient(settings.carbon_intensity_api_url, settings.carbon_intensity_timeout_s, fallback)
