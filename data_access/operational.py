"""Operational readings in SQL: upsert a file's readings, and join them to a run's schedule."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import and_, bindparam, insert, select, update
from sqlalchemy.orm import Session

from data_access.schema import OperationalReading, RunInterval
from data_access.types import utc_now


def upsert_readings(session: Session, asset: str, readings: pd.DataFrame, source_file: str) -> tuple[int, int, int]:
    """Store readings for ``asset``, replacing a stored value for the same period; (added, changed, unchanged).

    Runs in the caller's transaction, so a file is stored whole or not at all.
    """
    starts = pd.DatetimeIndex(readings["interval_start_utc"])
    stored = pd.DataFrame(session.execute(
        select(OperationalReading.id, OperationalReading.interval_start_utc, OperationalReading.metered_mw)
        .where(OperationalReading.asset == asset,
               OperationalReading.interval_start_utc >= starts.min().to_pydatetime(),
               OperationalReading.interval_start_utc <= starts.max().to_pydatetime())
    ).all(), columns=["id", "interval_start_utc", "stored_mw"])
    frame = readings.copy()
    frame["interval_start_utc"] = starts
    if not stored.empty:
        stored["interval_start_utc"] = pd.to_datetime(stored["interval_start_utc"], utc=True)
    merged = frame.merge(stored, on="interval_start_utc", how="left")
    new = merged[merged["id"].isna()]
    existing = merged[merged["id"].notna()]
    changed = existing[(existing["stored_mw"] - existing["metered_mw"]).abs() > 1e-9]
    now = utc_now()
    if not new.empty:
        session.execute(insert(OperationalReading), [
            {"asset": asset, "interval_start_utc": t, "settlement_date": d, "settlement_period": int(p),
             "metered_mw": float(v), "source_file": source_file[:255], "imported_at": now}
            for t, d, p, v in zip(new["interval_start_utc"].dt.to_pydatetime(), new["settlement_date"],
                                  new["settlement_period"], new["metered_mw"], strict=True)
        ])
    if not changed.empty:
        session.connection().execute(
            update(OperationalReading.__table__).where(OperationalReading.__table__.c.id == bindparam("row_id"))
            .values(metered_mw=bindparam("value"), source_file=bindparam("source"), imported_at=bindparam("at")),
            [{"row_id": int(i), "value": float(v), "source": source_file[:255], "at": now}
             for i, v in zip(changed["id"], changed["metered_mw"], strict=True)],
        )
    return len(new), len(changed), len(existing) - len(changed)


def schedule_with_readings(session: Session, run_id: int, asset: str) -> pd.DataFrame:
    """Every schedule interval of a run with the asset's metered output beside it (LEFT JOIN).

    Joined on the UTC start, which is unique and unambiguous on clock-change days. Columns:
    ``interval_start_utc``, ``settlement_date``, ``settlement_period``, ``scheduled_mw``
    (discharge − charge, + exports) and ``metered_mw`` (NaN where no reading was imported).
    """
    query = (
        select(RunInterval.interval_start_utc, RunInterval.settlement_date, RunInterval.settlement_period,
               (RunInterval.discharge_mw - RunInterval.charge_mw).label("scheduled_mw"),
               OperationalReading.metered_mw)
        .select_from(RunInterval)
        .outerjoin(OperationalReading, and_(OperationalReading.interval_start_utc == RunInterval.interval_start_utc,
                                            OperationalReading.asset == asset))
        .where(RunInterval.run_id == run_id)
        .order_by(RunInterval.interval_start_utc)
    )
    frame = pd.DataFrame(session.execute(query).all(),
                         columns=["interval_start_utc", "settlement_date", "settlement_period", "scheduled_mw",
                                  "metered_mw"])
    if not frame.empty:
        frame["interval_start_utc"] = pd.to_datetime(frame["interval_start_utc"], utc=True)
        frame["metered_mw"] = pd.to_numeric(frame["metered_mw"], errors="coerce").astype(float)
    return frame


def any_reading_between(session: Session, asset: str, start_utc, end_utc) -> bool:
    """Whether the asset has a metered reading starting in [start_utc, end_utc)."""
    return session.scalar(
        select(OperationalReading.interval_start_utc)
        .where(OperationalReading.asset == asset, OperationalReading.interval_start_utc >= start_utc,
               OperationalReading.interval_start_utc < end_utc)
        .limit(1)
    ) is not None
