"""Smart meters, price plans and readings in SQL: idempotent bulk inserts and the reads the app needs."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
from sqlalchemy import BigInteger, cast, func, select, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from data_access.schema import MeterReading, PricePlan, SmartMeter
from data_access.types import utc_now


def _insert(session: Session):
    return postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def ensure_meter(session: Session, meter_id: str, owner: str = "", price_plan_id: str | None = None) -> bool:
    """Create the meter unless it exists (an existing meter is left as it is). True when created."""
    statement = (
        _insert(session)(SmartMeter.__table__)
        .values(id=meter_id, owner=owner, price_plan_id=price_plan_id, created_at=utc_now())
        .on_conflict_do_nothing(index_elements=["id"])
        .returning(SmartMeter.__table__.c.id)
    )
    return session.connection().execute(statement).first() is not None


def ensure_plan(session: Session, values: dict) -> bool:
    """Create the plan (a dict of ``price_plans`` columns) unless its id exists. True when created."""
    table = PricePlan.__table__
    statement = (_insert(session)(table).values(**values).on_conflict_do_nothing(index_elements=["id"])
                 .returning(table.c.id))
    return session.connection().execute(statement).first() is not None


_POSTGRES_INSERT_READINGS = text(
    "INSERT INTO meter_readings (meter_id, reading_time_utc, power_kw) "
    "SELECT :meter_id, to_timestamp(u.t), u.p "
    "FROM unnest(CAST(:times AS bigint[]), CAST(:powers AS double precision[])) AS u(t, p) "
    "ON CONFLICT (meter_id, reading_time_utc) DO NOTHING"
)


def insert_readings(session: Session, meter_id: str, times_s: np.ndarray, power_kw: np.ndarray) -> int:
    """Insert readings (epoch seconds, kW); a reading already stored for that meter and instant is
    kept as it was. Returns how many were new; posting the same readings again adds none."""
    if len(times_s) == 0:
        return 0
    if session.get_bind().dialect.name == "postgresql":
        # One statement over two arrays: ten times faster than an executemany of row tuples.
        result = session.connection().execute(_POSTGRES_INSERT_READINGS, {
            "meter_id": meter_id, "times": np.asarray(times_s, dtype=np.int64).tolist(),
            "powers": np.asarray(power_kw, dtype=np.float64).tolist()})
        return result.rowcount
    instants = pd.to_datetime(np.asarray(times_s, dtype=np.int64), unit="s", utc=True).to_pydatetime()
    records = [{"meter_id": meter_id, "reading_time_utc": instant, "power_kw": float(power)}
               for instant, power in zip(instants, power_kw, strict=True)]
    table = MeterReading.__table__
    statement = (
        sqlite_insert(table)
        .on_conflict_do_nothing(index_elements=["meter_id", "reading_time_utc"])
        .returning(table.c.meter_id)
    )
    # One executemany of a compiled statement; RETURNING counts the new rows.
    return len(session.connection().execute(statement, records).all())


def _epoch_seconds(session: Session, column):
    """SQL for a stored instant as whole epoch seconds (UTC), so reads skip per-row datetime objects."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.extract("epoch", column), BigInteger)
    return cast(func.strftime("%s", column), BigInteger)  # SQLite stores naive UTC text


def read_readings(session: Session, meter_id: str) -> tuple[np.ndarray, np.ndarray]:
    """(epoch seconds int64, power kW float64) of the meter's readings, oldest first."""
    table = MeterReading.__table__
    rows = session.connection().execute(
        select(_epoch_seconds(session, table.c.reading_time_utc), table.c.power_kw)
        .where(table.c.meter_id == meter_id)
        .order_by(table.c.reading_time_utc)
    ).all()
    if not rows:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    times, power = zip(*rows, strict=True)  # np.array over Row objects is 100× slower
    return np.array(times, dtype=np.int64), np.array(power, dtype=np.float64)


def get_meter(session: Session, meter_id: str) -> SmartMeter | None:
    return session.get(SmartMeter, meter_id)


def list_meters(session: Session) -> list[tuple[SmartMeter, int, datetime | None, datetime | None]]:
    """Every meter with its reading count and first and last reading instants, by owner then id."""
    table = MeterReading.__table__
    stats = (
        select(table.c.meter_id, func.count().label("n"), func.min(table.c.reading_time_utc).label("first"),
               func.max(table.c.reading_time_utc).label("last"))
        .group_by(table.c.meter_id)
        .subquery()
    )
    rows = session.execute(
        select(SmartMeter, stats.c.n, stats.c.first, stats.c.last)
        .outerjoin(stats, stats.c.meter_id == SmartMeter.id)
        .order_by(SmartMeter.owner, SmartMeter.id)
    ).all()
    return [(meter, int(n or 0), first, last) for meter, n, first, last in rows]


def list_plans(session: Session) -> list[PricePlan]:
    return list(session.scalars(select(PricePlan).order_by(PricePlan.id)))


def get_plan(session: Session, plan_id: str) -> PricePlan | None:
    return session.get(PricePlan, plan_id)
