"""Market prices in SQL: idempotent inserts and the queries the app needs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from data_access.schema import MarketPrice
from data_access.types import utc_now


def insert_prices(session: Session, long_prices: pd.DataFrame, source: str) -> int:
    """Insert rows (market, interval_start_utc, price_gbp_per_mwh); existing ones are left alone.

    Returns how many rows were new. Running it twice with the same data inserts nothing.
    """
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    ingested_at = utc_now()
    starts = pd.DatetimeIndex(long_prices["interval_start_utc"]).tz_convert("UTC").to_pydatetime()
    records = [
        {"market": market, "interval_start_utc": start, "price_gbp_per_mwh": float(price), "source": source,
         "ingested_at": ingested_at}
        for market, start, price in zip(long_prices["market"], starts, long_prices["price_gbp_per_mwh"], strict=True)
    ]
    if not records:
        return 0
    table = MarketPrice.__table__
    statement = (
        insert(table)
        .on_conflict_do_nothing(index_elements=["market", "interval_start_utc", "source"])
        .returning(table.c.id)
    )
    # An executemany of one compiled statement; RETURNING counts the new rows on every
    # driver (rowcount is not reliable for batched inserts).
    return len(session.connection().execute(statement, records).all())


@dataclass(frozen=True)
class MarketCoverage:
    market: str
    first_interval_utc: datetime
    last_interval_utc: datetime
    intervals: int


def coverage(session: Session) -> list[MarketCoverage]:
    """First and last stored interval and the row count, per market."""
    rows = session.execute(
        select(
            MarketPrice.market,
            func.min(MarketPrice.interval_start_utc),
            func.max(MarketPrice.interval_start_utc),
            func.count(MarketPrice.id),
        )
        .group_by(MarketPrice.market)
        .order_by(MarketPrice.market)
    ).all()
    return [MarketCoverage(*row) for row in rows]


def prices_between(
    session: Session, start_utc: datetime, end_utc: datetime, markets: tuple[str, ...] | None = None
) -> pd.DataFrame:
    """Prices with ``start_utc <= interval_start_utc < end_utc`` as a wide frame.

    Index: ``interval_start_utc`` (aware UTC); one column per market [£/MWh]. Where several
    sources cover one interval, the most recently ingested wins.
    """
    query = (
        select(
            MarketPrice.market,
            MarketPrice.interval_start_utc,
            MarketPrice.price_gbp_per_mwh,
            MarketPrice.ingested_at,
        )
        .where(MarketPrice.interval_start_utc >= start_utc, MarketPrice.interval_start_utc < end_utc)
        .order_by(MarketPrice.ingested_at)
    )
    if markets:
        query = query.where(MarketPrice.market.in_(markets))
    rows = session.execute(query).all()
    long = pd.DataFrame(rows, columns=["market", "interval_start_utc", "price_gbp_per_mwh", "ingested_at"])
    if long.empty:
        return pd.DataFrame(index=pd.DatetimeIndex([], tz="UTC", name="interval_start_utc"))
    long["interval_start_utc"] = pd.to_datetime(long["interval_start_utc"], utc=True)
    long = long.drop_duplicates(["market", "interval_start_utc"], keep="last")
    wide = long.pivot(index="interval_start_utc", columns="market", values="price_gbp_per_mwh").sort_index()
    wide.columns.name = None
    return wide
