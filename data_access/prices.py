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


PRICE_TOLERANCE_GBP_PER_MWH = 1e-6
"""Two prices closer than this are the same price."""


@dataclass
class ImportOutcome:
    """What storing one file's good rows did. Frames carry a ``line`` column from the file."""

    added: int
    unchanged: int
    conflicts: pd.DataFrame
    """Stored beside a different price of another source: line, market, interval_start_utc,
    price_gbp_per_mwh, other_source, other_price_gbp_per_mwh (one row per disagreeing source)."""
    refused: pd.DataFrame
    """Not stored: the same source already holds a different price there. line, reason."""


def stored_prices(session: Session, markets: list[str], start_utc: datetime, end_utc: datetime) -> pd.DataFrame:
    """Every stored row of ``markets`` with ``start_utc <= interval_start_utc <= end_utc``, all sources."""
    rows = session.execute(
        select(MarketPrice.market, MarketPrice.interval_start_utc, MarketPrice.source, MarketPrice.price_gbp_per_mwh,
               MarketPrice.ingested_at)
        .where(MarketPrice.market.in_(markets), MarketPrice.interval_start_utc >= start_utc,
               MarketPrice.interval_start_utc <= end_utc)
    ).all()
    frame = pd.DataFrame(rows, columns=["market", "interval_start_utc", "source", "price_gbp_per_mwh", "ingested_at"])
    frame["interval_start_utc"] = pd.to_datetime(frame["interval_start_utc"], utc=True)
    return frame


def import_prices(session: Session, long_prices: pd.DataFrame, source: str) -> ImportOutcome:
    """Store a file's checked rows (market, interval_start_utc, price_gbp_per_mwh, line) as ``source``,
    classifying each against what is stored (vectorised):

    - refused: ``source`` itself holds a different price there; the stored one is kept (a correction
      comes in under another source name, so nothing is overwritten silently);
    - unchanged: otherwise, when some source already holds this price for the market and interval;
      nothing stored;
    - added: stored; among them the conflicts, which disagree with another source's price (both
      are kept, and the reader takes the newest import; see ``prices_between``).

    Runs inside the caller's session, so the whole import is one transaction.
    """
    empty = pd.DataFrame(columns=["line", "reason"])
    no_conflicts = pd.DataFrame(columns=["line", "market", "interval_start_utc", "price_gbp_per_mwh", "other_source",
                                         "other_price_gbp_per_mwh"])
    if long_prices.empty:
        return ImportOutcome(0, 0, no_conflicts, empty)
    new = long_prices.reset_index(drop=True).copy()
    new["interval_start_utc"] = pd.to_datetime(new["interval_start_utc"], utc=True)
    if "line" not in new.columns:
        new["line"] = range(2, len(new) + 2)
    new["row"] = range(len(new))
    stored = stored_prices(session, sorted(new["market"].unique()), new["interval_start_utc"].min().to_pydatetime(),
                           new["interval_start_utc"].max().to_pydatetime())
    key = ["market", "interval_start_utc"]
    merged = new.merge(stored.drop(columns="ingested_at").rename(
        columns={"price_gbp_per_mwh": "stored_price", "source": "stored_source"}), on=key, how="left")
    merged["same_price"] = (merged["price_gbp_per_mwh"] - merged["stored_price"]).abs() <= PRICE_TOLERANCE_GBP_PER_MWH
    merged["own_different"] = (merged["stored_source"] == source) & ~merged["same_price"]
    by_row = merged.groupby("row")[["same_price", "own_different"]].any()
    refused_mask = by_row["own_different"].to_numpy()
    unchanged = by_row["same_price"].to_numpy() & ~refused_mask
    to_store = new[~unchanged & ~refused_mask]
    refused_rows = merged[merged["own_different"] & merged["row"].isin(new["row"][refused_mask])]
    refused = pd.DataFrame({
        "line": refused_rows["line"].to_numpy(),
        "reason": [f"{m}: {p:g} £/MWh differs from the {o:g} £/MWh already stored from source '{source}' for "
                   f"{t.isoformat()}; the stored price is kept (import a correction under another source name)"
                   for m, p, o, t in zip(refused_rows["market"], refused_rows["price_gbp_per_mwh"],
                                         refused_rows["stored_price"], refused_rows["interval_start_utc"], strict=True)],
    }) if refused_mask.any() else empty
    conflicts = merged[merged["row"].isin(to_store["row"]) & merged["stored_price"].notna()]
    conflicts = conflicts.rename(columns={"stored_source": "other_source", "stored_price": "other_price_gbp_per_mwh"})[
        no_conflicts.columns].reset_index(drop=True)
    added = insert_prices(session, to_store, source)
    return ImportOutcome(added=added, unchanged=int(unchanged.sum()), conflicts=conflicts, refused=refused)


def conflicts_between(session: Session, start_utc: datetime, end_utc: datetime,
                      markets: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Market intervals in ``[start_utc, end_utc)`` where stored sources disagree on the price.

    One row per stored row of such an interval: market, interval_start_utc, source,
    price_gbp_per_mwh, ingested_at, used (True for the row ``prices_between`` reads).
    """
    query = (
        select(MarketPrice.market, MarketPrice.interval_start_utc, MarketPrice.source, MarketPrice.price_gbp_per_mwh,
               MarketPrice.ingested_at, MarketPrice.id)
        .where(MarketPrice.interval_start_utc >= start_utc, MarketPrice.interval_start_utc < end_utc)
    )
    if markets:
        query = query.where(MarketPrice.market.in_(markets))
    # Only intervals held by more than one source can disagree.
    multi = (
        select(MarketPrice.market, MarketPrice.interval_start_utc)
        .where(MarketPrice.interval_start_utc >= start_utc, MarketPrice.interval_start_utc < end_utc)
        .group_by(MarketPrice.market, MarketPrice.interval_start_utc)
        .having(func.max(MarketPrice.price_gbp_per_mwh) - func.min(MarketPrice.price_gbp_per_mwh)
                > PRICE_TOLERANCE_GBP_PER_MWH)
        .subquery()
    )
    query = query.join(multi, (multi.c.market == MarketPrice.market)
                       & (multi.c.interval_start_utc == MarketPrice.interval_start_utc))
    rows = session.execute(query).all()
    frame = pd.DataFrame(rows, columns=["market", "interval_start_utc", "source", "price_gbp_per_mwh", "ingested_at",
                                        "id"])
    if frame.empty:
        return frame.drop(columns="id").assign(used=pd.Series(dtype=bool))
    frame["interval_start_utc"] = pd.to_datetime(frame["interval_start_utc"], utc=True)
    frame = frame.sort_values(["market", "interval_start_utc", "ingested_at", "id"])
    frame["used"] = ~frame.duplicated(["market", "interval_start_utc"], keep="last")
    return frame.drop(columns="id").reset_index(drop=True)


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


def interval_starts(session: Session, market: str) -> pd.DatetimeIndex:
    """Every distinct stored interval start of ``market`` (aware UTC), for its coverage and gaps."""
    rows = session.connection().execute(
        select(MarketPrice.interval_start_utc).where(MarketPrice.market == market).distinct()).scalars().all()
    return pd.DatetimeIndex(pd.to_datetime(pd.Series(rows, dtype=object), utc=True))


def prices_between(
    session: Session, start_utc: datetime, end_utc: datetime, markets: tuple[str, ...] | None = None
) -> pd.DataFrame:
    """Prices with ``start_utc <= interval_start_utc < end_utc`` as a wide frame.

    Index: ``interval_start_utc`` (aware UTC); one column per market [£/MWh]. Where several
    sources cover one interval, the most recently ingested wins (ties: the later row), so a
    correction imported under a new source name takes over and the older price stays stored
    (``conflicts_between`` lists such disagreements).
    """
    table = MarketPrice.__table__.c
    query = (
        select(table.market, table.interval_start_utc, table.price_gbp_per_mwh)
        .where(table.interval_start_utc >= start_utc, table.interval_start_utc < end_utc)
        .order_by(table.ingested_at, table.id)
    )
    if markets:
        query = query.where(table.market.in_(markets))
    # Core rows, unpacked by column: a year of two markets is 35,000 rows, and ORM rows (or handing Row
    # objects to pandas, which probes each for attributes) tripled the cost.
    rows = session.connection().execute(query).all()
    if not rows:
        return pd.DataFrame(index=pd.DatetimeIndex([], tz="UTC", name="interval_start_utc"))
    names, starts, prices = zip(*rows, strict=True)
    long = pd.DataFrame({"market": names, "interval_start_utc": starts, "price_gbp_per_mwh": prices})
    long["interval_start_utc"] = pd.to_datetime(long["interval_start_utc"], utc=True)
    long = long.drop_duplicates(["market", "interval_start_utc"], keep="last")
    wide = long.pivot(index="interval_start_utc", columns="market", values="price_gbp_per_mwh").sort_index()
    wide.columns.name = None
    return wide
