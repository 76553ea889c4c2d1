"""Carbon footprint storage: assets, COV power readings, carbon intensity and computed footprints."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd
from sqlalchemy import and_, delete, func, insert, not_, select, update
from sqlalchemy.orm import Session

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
    for start in range(0, len(rows), CHUNK):
        session.execute(insert(model), rows[start:start + CHUNK])


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
    inside = session.execute(
        select(PowerReading.time_utc, PowerReading.power_kw).where(*in_window, valid)
        .order_by(PowerReading.time_utc)
    ).all()
    frame = pd.DataFrame([*before, *inside], columns=["time_utc", "power_kw"])
    frame["time_utc"] = pd.to_datetime(frame["time_utc"], utc=True)
    return frame


def insert_readings(session: Session, readings: pd.DataFrame, source: str) -> None:
    """Insert ``asset_id, time_utc, power_kw`` rows (the caller has removed those already stored)."""
    now = utc_now()
    rows = [{"asset_id": a, "time_utc": t.to_pydatetime(), "power_kw": float(v), "source": source, "ingested_at": now}
            for a, t, v in zip(readings["asset_id"], readings["time_utc"], readings["power_kw"], strict=True)]
    _insert_chunks(session, PowerReading, rows)


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
