"""Carbon footprint storage: assets, COV power readings, carbon intensity and computed footprints."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import BigInteger, String, and_, delete, func, insert, not_, select, type_coerce, update
from sqlalchemy.orm import Session

from data_access.bulk_insert import sqlite_datetime_text, utc_column
from data_access.schema import AssetFootprint, CarbonAsset, CarbonIntensity, PowerReading, RunCarbonTotals
from data_access.types import utc_now
from domain.reading_integrity import EARLIEST_READING_UTC, FUTURE_ALLOWANCE, power_limit_kw

FOOTPRINT_FIELDS = ("half_hour_id", "start_utc", "power_kw", "known_share", "energy_kwh", "intensity_g_per_kwh",
                    "intensity_kind", "footprint_g")
CHUNK = 5_000


def _none_for_nan(value):
    if value is None:
        return None
    if isinstance(value, float | np.floating) and not np.isfinite(value):
        return None
    return value.item() if isinstance(value, np.generic) else value


def _insert_chunks(session: Session, model, rows: list[dict]) -> None:
    """Core executemany on the model's table (an ORM bulk insert costs several times more per row)."""
    for start in range(0, len(rows), CHUNK):
        session.execute(insert(model.__table__), rows[start:start + CHUNK])


# --- assets ---

def list_assets(session: Session) -> list[CarbonAsset]:
    return list(session.scalars(select(CarbonAsset).order_by(CarbonAsset.asset_id)))


def get_asset(session: Session, asset_id: str) -> CarbonAsset | None:
    return session.get(CarbonAsset, asset_id)


def known_asset_ids(session: Session, asset_ids) -> set[str]:
    ids = list(asset_ids)
    if not ids:
        return set()
    return set(session.scalars(select(CarbonAsset.asset_id).where(CarbonAsset.asset_id.in_(ids))))


def add_asset(session: Session, asset_id: str, name: str, rating_kw: float | None = None) -> CarbonAsset:
    asset = CarbonAsset(asset_id=asset_id, name=name, rating_kw=rating_kw)
    session.add(asset)
    session.flush()
    return asset


# --- readings ---

def stored_readings(session: Session, asset_id: str, first_utc: datetime, last_utc: datetime) -> pd.DataFrame:
    """Readings with ``first_utc <= time_utc <= last_utc``: ``time_utc``, ``power_kw``."""
    rows = session.execute(
        select(PowerReading.time_utc, PowerReading.power_kw)
        .where(PowerReading.asset_id == asset_id, PowerReading.time_utc >= first_utc,
               PowerReading.time_utc <= last_utc)
        .order_by(PowerReading.time_utc)
    ).all()
    frame = pd.DataFrame(rows, columns=["time_utc", "power_kw"])
    frame["time_utc"] = pd.to_datetime(frame["time_utc"], utc=True)
    frame["power_kw"] = frame["power_kw"].astype(float)
    return frame


def _valid_reading(now_utc: datetime, limit_kw: float):
    """SQL condition: the row passes today's rules (``domain.reading_integrity``) and is not flagged."""
    return and_(PowerReading.invalid_reason.is_(None), PowerReading.time_utc >= EARLIEST_READING_UTC,
                PowerReading.time_utc <= now_utc + FUTURE_ALLOWANCE, func.abs(PowerReading.power_kw) <= limit_kw)


def readings_for_window(session: Session, asset_id: str, start_utc: datetime, end_utc: datetime,
                        now_utc: datetime | None = None) -> pd.DataFrame:
    """Readings in [start_utc, end_utc) plus the last one before ``start_utc`` (the value held into the window).

    Rows that fail today's rules (flagged, or stored by an older version that did not check) are left out
    (``skipped_readings`` counts them)."""
    now_utc = now_utc or utc_now()
    asset = session.get(CarbonAsset, asset_id)
    valid = _valid_reading(now_utc, power_limit_kw(asset.rating_kw if asset is not None else None))
    before = session.execute(
        select(PowerReading.time_utc, PowerReading.power_kw)
        .where(PowerReading.asset_id == asset_id, PowerReading.time_utc < start_utc, valid)
        .order_by(PowerReading.time_utc.desc()).limit(1)
    ).all()
    in_window = (PowerReading.asset_id == asset_id, PowerReading.time_utc >= start_utc,
                 PowerReading.time_utc < end_utc)
    if session.get_bind().dialect.name == "postgresql":
        # Integer microseconds, not a datetime object per row (a year is 525,600 rows).
        when = func.floor(func.extract("epoch", PowerReading.time_utc) * 1_000_000).cast(BigInteger)
    elif session.get_bind().dialect.name == "sqlite":
        when = type_coerce(PowerReading.time_utc, String)  # the stored text, parsed below in one pass
    else:
        when = PowerReading.time_utc
    result = session.connection().execute(
        select(when, PowerReading.power_kw).where(*in_window, valid).order_by(PowerReading.time_utc))
    try:  # the driver's own tuples: both columns need no result processing, and a Row per reading costs 1 s a year
        inside = result.cursor.fetchall()
    finally:
        result.close()
    times, power = (list(column) for column in zip(*inside, strict=True)) if inside else ([], [])
    if session.get_bind().dialect.name == "postgresql":
        parsed = pd.to_datetime(np.asarray(times, dtype=np.int64), unit="us", utc=True)
    else:
        parsed = pd.to_datetime(pd.Series(times, dtype=object), format="ISO8601", utc=True)
    held = pd.DatetimeIndex(pd.to_datetime([t for t, _ in before], utc=True)).as_unit("ns")
    frame = pd.DataFrame({"time_utc": held.append(pd.DatetimeIndex(parsed).as_unit("ns")),
                          "power_kw": np.asarray([p for _, p in before] + power, dtype=float)})
    return frame


def insert_readings(session: Session, readings: pd.DataFrame, source: str) -> None:
    """Insert ``asset_id, time_utc, power_kw`` rows (the caller has removed those already stored).

    One bulk statement in the session's transaction, not an ORM insert of a dict per row (a year of one-minute
    readings is 525,600 rows), in key order. Times are written as ``UTCDateTime`` stores them: on SQLite its
    ``YYYY-MM-DD HH:MM:SS.ffffff`` text, made for every row at once, in multi-row INSERTs; on PostgreSQL one binary
    ``COPY`` into the table (``timestamptz`` sent as integer microseconds since 2000)."""
    if readings.empty:
        return
    times = pd.DatetimeIndex(readings["time_utc"])
    if times.tz is None:
        raise ValueError("refusing to store naive reading times: pass aware UTC values")
    micros = times.tz_convert("UTC").as_unit("us").asi8
    power = readings["power_kw"].to_numpy(dtype=float)
    ids = readings["asset_id"].to_numpy()
    if (ids == ids[0]).all():  # one asset, the usual import: no 525,600 ids hashed
        asset_index, assets = np.zeros(len(ids), dtype=np.intp), np.asarray([str(ids[0])], dtype=object)
    else:
        asset_index, assets = pd.factorize(readings["asset_id"].astype(str), sort=True)  # hashed, not sorted
    order = np.lexsort((micros, asset_index))  # in key order: each row lands at the end of the index, not inside
    micros, power, asset_index = micros[order], power[order], asset_index[order]
    now = utc_now()
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        _copy_readings_postgres(connection, assets, asset_index, micros, power, source, now)
        return
    if connection.dialect.name != "sqlite":  # any other dialect: the type's own bind processing
        _insert_chunks(session, PowerReading, [
            {"asset_id": assets[k], "time_utc": t.to_pydatetime(), "power_kw": float(v), "source": source,
             "ingested_at": now} for k, t, v in zip(asset_index, pd.DatetimeIndex(micros * 1000, tz=UTC), power,
                                                    strict=True)])
        return
    # ASCII bytes widened to UCS-4 in one pass (astype("U26") decodes string by string, 0.16 s of a year)
    text = np.frombuffer(sqlite_datetime_text(micros).tobytes(), dtype=np.uint8).astype(np.uint32).view("U26")
    ingested = utc_column(pd.DatetimeIndex([now]), connection)[0]
    bounds = np.searchsorted(asset_index, np.arange(len(assets) + 1))
    cursor = connection.connection.driver_connection.cursor()
    try:
        for k, asset in enumerate(assets):
            _insert_sqlite_rows(cursor, str(asset), source, ingested, text[bounds[k]:bounds[k + 1]],
                                power[bounds[k]:bounds[k + 1]])
    finally:
        cursor.close()


SQLITE_ROWS_PER_INSERT = 400
"""Readings per multi-row ``INSERT`` on SQLite: 3 + 2 × 400 parameters, under the 999 of SQLite before 3.32."""


def _insert_sqlite_rows(cursor, asset: str, source: str, ingested: str, text: np.ndarray, power: np.ndarray) -> None:
    """One asset's rows (in key order) as multi-row ``INSERT``s of ``SQLITE_ROWS_PER_INSERT`` rows, run as one
    executemany: a statement per row costs SQLite a step and a reset and the driver 5 bindings per reading (2.9 s
    against 1.0 s for a year under load). The asset, source and ingested time are bound once per statement (``?1``
    to ``?3``), each row's time and power after them."""

    def statement(rows: int) -> str:
        values = ",".join(f"(?{4 + 2 * r},?1,?{5 + 2 * r},?2,?3)" for r in range(rows))
        return f"INSERT INTO power_readings (time_utc, asset_id, power_kw, source, ingested_at) VALUES {values}"

    flat = np.empty(2 * len(text), dtype=object)  # time, power, time, power, … as the driver's str and float
    flat[0::2] = text.tolist()
    flat[1::2] = power.tolist()
    per = SQLITE_ROWS_PER_INSERT
    whole = len(text) // per * per
    head = (asset, source, ingested)
    if whole:
        cursor.executemany(statement(per), (head + tuple(chunk) for chunk in flat[:2 * whole].reshape(-1, 2 * per)))
    if whole < len(text):
        cursor.execute(statement(len(text) - whole), head + tuple(flat[2 * whole:]))


_POSTGRES_EPOCH_US = 946_684_800_000_000
"""2000-01-01 00:00 UTC in microseconds since 1970: PostgreSQL's binary ``timestamptz`` counts from there."""


def _copy_row_dtype(asset_bytes: int, source_bytes: int) -> np.dtype:
    """One row of PostgreSQL's binary COPY format for ``(asset_id, time_utc, power_kw, source, ingested_at)``:
    the field count, then each field's length in bytes and its value (text as its bytes, times as µs since 2000)."""
    fields = [("fields", ">i2"), ("asset_len", ">i4"), ("asset", f"S{asset_bytes}"), ("time_len", ">i4"),
              ("time", ">i8"), ("power_len", ">i4"), ("power", ">f8"), ("source_len", ">i4"),
              ("source", f"S{source_bytes}"), ("ingested_len", ">i4"), ("ingested", ">i8")]
    return np.dtype([f for f in fields if f[1] != "S0"])


def _copy_readings_postgres(connection, assets: np.ndarray, asset_index: np.ndarray, micros: np.ndarray,
                            power: np.ndarray, source: str, now: datetime) -> None:
    """Binary ``COPY`` straight into ``power_readings``, rows in key order; the rows of each asset (sorted by asset)
    are one fixed-width numpy record array."""
    driver = connection.connection.driver_connection
    encoding = driver.info.encoding
    source_bytes = source.encode(encoding)
    ingested = (now.astimezone(UTC) - datetime(2000, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
    bounds = np.searchsorted(asset_index, np.arange(len(assets) + 1))
    parts = [b"PGCOPY\n\xff\r\n\x00" + b"\x00" * 8]
    for k, asset in enumerate(assets):
        name = str(asset).encode(encoding)
        rows = np.empty(bounds[k + 1] - bounds[k], dtype=_copy_row_dtype(len(name), len(source_bytes)))
        rows["fields"], rows["time_len"], rows["power_len"], rows["ingested_len"] = 5, 8, 8, 8
        rows["asset_len"], rows["source_len"] = len(name), len(source_bytes)
        if name:
            rows["asset"] = name
        if source_bytes:
            rows["source"] = source_bytes
        rows["time"] = micros[bounds[k]:bounds[k + 1]] - _POSTGRES_EPOCH_US
        rows["power"] = power[bounds[k]:bounds[k + 1]]
        rows["ingested"] = ingested
        parts.append(rows.tobytes())
    parts.append(b"\xff\xff")
    with driver.cursor() as cursor, cursor.copy(
            "COPY power_readings (asset_id, time_utc, power_kw, source, ingested_at) FROM STDIN (FORMAT BINARY)") as copy:
        for part in parts:
            copy.write(part)


def reading_span(session: Session, asset_id: str,
                 now_utc: datetime | None = None) -> tuple[datetime | None, datetime | None]:
    """First and last valid reading (rows failing today's rules are left out)."""
    asset = session.get(CarbonAsset, asset_id)
    valid = _valid_reading(now_utc or utc_now(), power_limit_kw(asset.rating_kw if asset is not None else None))
    return session.execute(select(func.min(PowerReading.time_utc), func.max(PowerReading.time_utc))
                           .where(PowerReading.asset_id == asset_id, valid)).one()


def skipped_readings(session: Session, asset_id: str, start_utc: datetime, end_utc: datetime,
                     now_utc: datetime | None = None) -> int:
    """How many stored readings that fail today's rules a read of [start_utc, end_utc) left out: those inside
    the window and those before it but after the valid reading held into it (they would have been held)."""
    asset = session.get(CarbonAsset, asset_id)
    valid = _valid_reading(now_utc or utc_now(), power_limit_kw(asset.rating_kw if asset is not None else None))
    held_from = session.scalar(select(func.max(PowerReading.time_utc))
                               .where(PowerReading.asset_id == asset_id, PowerReading.time_utc < start_utc, valid))
    conditions = [PowerReading.asset_id == asset_id, PowerReading.time_utc < end_utc, not_(valid)]
    if held_from is not None:
        conditions.append(PowerReading.time_utc > held_from)
    return int(session.scalar(select(func.count()).select_from(PowerReading).where(*conditions)) or 0)


# --- intensity ---

def intensity_between(session: Session, start_utc: datetime, end_utc: datetime) -> pd.DataFrame:
    """Stored intensities in [start_utc, end_utc), indexed by interval start: forecast, actual [gCO2/kWh]."""
    rows = session.execute(
        select(CarbonIntensity.interval_start_utc, CarbonIntensity.forecast_g_per_kwh,
               CarbonIntensity.actual_g_per_kwh, CarbonIntensity.source)
        .where(CarbonIntensity.interval_start_utc >= start_utc, CarbonIntensity.interval_start_utc < end_utc)
        .order_by(CarbonIntensity.interval_start_utc)
    ).all()
    frame = pd.DataFrame(rows, columns=["interval_start_utc", "forecast_g_per_kwh", "actual_g_per_kwh", "source"])
    frame["interval_start_utc"] = pd.to_datetime(frame["interval_start_utc"], utc=True)
    for column in ("forecast_g_per_kwh", "actual_g_per_kwh"):
        frame[column] = frame[column].astype(float)
    return frame.set_index("interval_start_utc")


def store_intensity(session: Session, fetched: pd.DataFrame, source: str) -> pd.DatetimeIndex:
    """Insert new half-hours and update changed ones (a later actual, a revised forecast).

    A null never overwrites a stored value. Returns the interval starts that were added or changed.
    """
    if fetched.empty:
        return pd.DatetimeIndex([], tz="UTC")
    start = fetched["interval_start_utc"].min().to_pydatetime()
    end = fetched["interval_start_utc"].max().to_pydatetime()
    stored = intensity_between(session, start, end + pd.Timedelta(minutes=30))
    incoming = fetched.set_index("interval_start_utc")
    merged = incoming.join(stored[["forecast_g_per_kwh", "actual_g_per_kwh"]].add_suffix("_stored"), how="left")
    is_new = ~merged.index.isin(stored.index)
    forecast = merged["forecast_g_per_kwh"].fillna(merged["forecast_g_per_kwh_stored"])
    actual = merged["actual_g_per_kwh"].fillna(merged["actual_g_per_kwh_stored"])
    changed = ~is_new & (~np.isclose(forecast, merged["forecast_g_per_kwh_stored"], equal_nan=True)
                         | ~np.isclose(actual, merged["actual_g_per_kwh_stored"], equal_nan=True))
    now = utc_now()
    new_rows = [{"interval_start_utc": t.to_pydatetime(), "forecast_g_per_kwh": _none_for_nan(f),
                 "actual_g_per_kwh": _none_for_nan(a),
                  "index_label": label if isinstance(label, str) else None, "source": source[:120], "fetched_at": now}
                for t, f, a, label in zip(merged.index[is_new], forecast[is_new], actual[is_new],
                                          merged["index_label"][is_new], strict=True)]
    _insert_chunks(session, CarbonIntensity, new_rows)
    for t, f, a in zip(merged.index[changed], forecast[changed], actual[changed], strict=True):
        session.execute(update(CarbonIntensity).where(CarbonIntensity.interval_start_utc == t.to_pydatetime())
                        .values(forecast_g_per_kwh=_none_for_nan(f), actual_g_per_kwh=_none_for_nan(a),
                                source=source[:120], fetched_at=now))
    if (is_new | changed).any():
        # Runs' carbon totals were computed against the intensity stored until now: computed again when next shown.
        session.execute(delete(RunCarbonTotals))
    return merged.index[is_new | changed]


def intensity_span(session: Session) -> tuple[datetime | None, datetime | None]:
    return session.execute(select(func.min(CarbonIntensity.interval_start_utc),
                                  func.max(CarbonIntensity.interval_start_utc))).one()


# --- footprints ---

def stored_footprint(session: Session, asset_id: str, settlement_date: date) -> pd.DataFrame:
    rows = session.execute(
        select(*(getattr(AssetFootprint, name) for name in FOOTPRINT_FIELDS))
        .where(AssetFootprint.asset_id == asset_id, AssetFootprint.settlement_date == settlement_date)
        .order_by(AssetFootprint.half_hour_id)
    ).all()
    frame = pd.DataFrame(rows, columns=list(FOOTPRINT_FIELDS))
    frame["start_utc"] = pd.to_datetime(frame["start_utc"], utc=True)
    for column in ("power_kw", "energy_kwh", "intensity_g_per_kwh", "footprint_g", "known_share"):
        frame[column] = frame[column].astype(float)
    return frame


def replace_footprint(session: Session, asset_id: str, settlement_date: date, frame: pd.DataFrame) -> None:
    session.execute(delete(AssetFootprint).where(AssetFootprint.asset_id == asset_id,
                                                 AssetFootprint.settlement_date == settlement_date))
    now = utc_now()
    rows = [{"asset_id": asset_id, "settlement_date": settlement_date, "computed_at": now,
             **{name: _none_for_nan(record[name]) for name in FOOTPRINT_FIELDS}}
            for record in frame.to_dict("records")]
    for row in rows:
        row["start_utc"] = row["start_utc"].to_pydatetime()
        row["half_hour_id"] = int(row["half_hour_id"])
    _insert_chunks(session, AssetFootprint, rows)


def footprint_day_counts(session: Session, asset_id: str, first: date, last: date) -> dict[date, int]:
    """How many half-hours of each date ``first``..``last`` have a stored footprint (dates without any left out)."""
    rows = session.execute(
        select(AssetFootprint.settlement_date, func.count())
        .where(AssetFootprint.asset_id == asset_id, AssetFootprint.settlement_date >= first,
               AssetFootprint.settlement_date <= last)
        .group_by(AssetFootprint.settlement_date)
    ).all()
    return {day: int(count) for day, count in rows}


def stored_footprints_between(session: Session, asset_id: str, first: date, last: date) -> pd.DataFrame:
    """The stored footprints of dates ``first``..``last``: ``settlement_date`` and ``FOOTPRINT_FIELDS``."""
    rows = session.execute(
        select(AssetFootprint.settlement_date, *(getattr(AssetFootprint, name) for name in FOOTPRINT_FIELDS))
        .where(AssetFootprint.asset_id == asset_id, AssetFootprint.settlement_date >= first,
               AssetFootprint.settlement_date <= last)
        .order_by(AssetFootprint.settlement_date, AssetFootprint.half_hour_id)
    ).all()
    frame = pd.DataFrame(rows, columns=["settlement_date", *FOOTPRINT_FIELDS])
    frame["start_utc"] = pd.to_datetime(frame["start_utc"], utc=True)
    for column in ("power_kw", "energy_kwh", "intensity_g_per_kwh", "footprint_g", "known_share"):
        frame[column] = frame[column].astype(float)
    return frame


def replace_footprints(session: Session, asset_id: str, frame: pd.DataFrame) -> None:
    """Store the footprints of every date in ``frame`` (``settlement_date`` and ``FOOTPRINT_FIELDS``), replacing
    what those dates had: one DELETE and one executemany for the lot."""
    days = sorted(set(frame["settlement_date"]))
    for start in range(0, len(days), 500):
        session.execute(delete(AssetFootprint).where(AssetFootprint.asset_id == asset_id,
                                                     AssetFootprint.settlement_date.in_(days[start:start + 500])))
    now = utc_now()
    columns = {name: frame[name].to_numpy(dtype=object) for name in ("settlement_date", *FOOTPRINT_FIELDS)}
    columns["start_utc"] = frame["start_utc"].dt.to_pydatetime()
    columns["half_hour_id"] = frame["half_hour_id"].to_numpy(dtype=int).tolist()
    for name in ("power_kw", "known_share", "energy_kwh", "intensity_g_per_kwh", "footprint_g"):
        values = frame[name].to_numpy(dtype=float)
        columns[name] = np.where(np.isfinite(values), values, None).tolist()
    names = list(columns)
    rows = [{"asset_id": asset_id, "computed_at": now, **dict(zip(names, values, strict=True))}
            for values in zip(*(columns[name] for name in names), strict=True)]
    _insert_chunks(session, AssetFootprint, rows)


def forget_footprints_from(session: Session, asset_id: str, first_date: date) -> None:
    """Drop an asset's stored footprints from ``first_date`` on (new readings hold forward and change them)."""
    session.execute(delete(AssetFootprint).where(AssetFootprint.asset_id == asset_id,
                                                 AssetFootprint.settlement_date >= first_date))


def footprint_keys_touching(session: Session, starts_utc: list[datetime]) -> list[tuple[str, date]]:
    """(asset, date) pairs with a stored footprint at any of these half-hour starts."""
    keys: set[tuple[str, date]] = set()
    for start in range(0, len(starts_utc), 500):
        keys.update(session.execute(
            select(AssetFootprint.asset_id, AssetFootprint.settlement_date).distinct()
            .where(AssetFootprint.start_utc.in_(starts_utc[start:start + 500]))
        ).all())
    return sorted(keys)
