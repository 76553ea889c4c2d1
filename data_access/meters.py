"""Smart meters, price plans and readings in SQL: idempotent bulk inserts and the reads the app needs."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd
from sqlalchemy import BigInteger, cast, func, select, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from data_access.schema import MarketPrice, MeterReading, PricePlan, SmartMeter
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
    rows = _fetch_plain_tuples(session, (
        select(_epoch_seconds(session, table.c.reading_time_utc), table.c.power_kw)
        .where(table.c.meter_id == meter_id)
        .order_by(table.c.reading_time_utc)
    ))
    if not rows:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    columns = np.array(rows, dtype=np.float64)  # epoch seconds < 2**53: exact in float64
    return columns[:, 0].astype(np.int64), columns[:, 1]


def read_readings_between(session: Session, meter_id: str, first_s: int, last_s: int) -> tuple[np.ndarray, np.ndarray]:
    """(epoch seconds, kW) of the meter's readings with ``first_s <= time <= last_s``, oldest first."""
    table = MeterReading.__table__
    rows = _fetch_plain_tuples(session, (
        select(_epoch_seconds(session, table.c.reading_time_utc), table.c.power_kw)
        .where(table.c.meter_id == meter_id,
               table.c.reading_time_utc >= datetime.fromtimestamp(int(first_s), UTC),
               table.c.reading_time_utc <= datetime.fromtimestamp(int(last_s), UTC))
        .order_by(table.c.reading_time_utc)
    ))
    if not rows:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    columns = np.array(rows, dtype=np.float64)
    return columns[:, 0].astype(np.int64), columns[:, 1]


def _fetch_plain_tuples(session: Session, statement) -> list[tuple]:
    """Run a SELECT on the driver's own cursor: plain tuples, not SQLAlchemy Rows, which for tens of
    thousands of readings cost more than the query (the statement is still compiled by SQLAlchemy)."""
    connection = session.connection()
    compiled = statement.compile(dialect=connection.dialect)
    params = ([compiled.params[name] for name in compiled.positiontup] if compiled.positional
              else compiled.params)
    cursor = connection.connection.driver_connection.cursor()
    try:
        cursor.execute(str(compiled), params)
        return cursor.fetchall()
    finally:
        cursor.close()


def day_ahead_prices(session: Session, first_s: int, end_s: int) -> pd.Series:
    """Stored day-ahead prices [£/MWh] of half-hours starting in ``first_s``..``end_s`` (epoch s, end
    exclusive), indexed by half-hour start (epoch s). Where several sources cover a half-hour, the most
    recently ingested wins (as in ``data_access.prices.prices_between``)."""
    table = MarketPrice.__table__
    start = datetime.fromtimestamp(first_s, UTC)
    end = datetime.fromtimestamp(end_s, UTC)
    rows = _fetch_plain_tuples(session, (
        select(_epoch_seconds(session, table.c.interval_start_utc), table.c.price_gbp_per_mwh)
        .where(table.c.market == "day_ahead", table.c.interval_start_utc >= start, table.c.interval_start_utc < end)
        .order_by(table.c.ingested_at)
    ))
    if not rows:
        return pd.Series(dtype=float)
    columns = np.array(rows, dtype=np.float64)
    prices = pd.Series(columns[:, 1], index=columns[:, 0].astype(np.int64))
    return prices[~prices.index.duplicated(keep="last")].sort_index()


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
