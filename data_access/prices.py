"""Market prices in SQL: idempotent inserts, what an import would change, and the queries the app needs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd
from sqlalchemy import func, select, type_coerce, update
from sqlalchemy.orm import Session
from sqlalchemy.types import NullType

from data_access.bulk_insert import insert_ignoring_duplicates, utc_column
from data_access.price_precedence import precedence, ranks
from data_access.schema import MarketPrice, PriceImport, PriceImportDisplaced
from data_access.types import utc_now


def insert_prices(session: Session, long_prices: pd.DataFrame, source: str, import_id: int | None = None) -> int:
    """Insert rows (market, interval_start_utc, price_gbp_per_mwh); existing ones are left alone.

    Returns how many rows were new. Running it twice with the same data inserts nothing.
    ``import_id`` is the ``price_imports`` row the new rows belong to (undo removes them by it).
    """
    if long_prices.empty:
        return 0
    connection = session.connection()
    count = len(long_prices)
    ingested = utc_column(pd.DatetimeIndex([utc_now()]), connection) * count
    rows = list(zip(long_prices["market"].astype(str), utc_column(long_prices["interval_start_utc"], connection),
                    long_prices["price_gbp_per_mwh"].astype(float).tolist(), [source] * count, ingested,
                    [import_id] * count, strict=True))
    return insert_ignoring_duplicates(
        connection, MarketPrice.__table__,
        ("market", "interval_start_utc", "price_gbp_per_mwh", "source", "ingested_at", "import_id"), rows,
        unique=("market", "interval_start_utc", "source"))


PRICE_TOLERANCE_GBP_PER_MWH = 1e-6
"""Two prices closer than this are the same price."""


def has_live_import(session: Session, content_sha256: str, source: str, actor: str) -> bool:
    """Whether ``actor`` stored a file with this SHA-256 as ``source`` by an import not undone since."""
    return session.scalar(
        select(PriceImport.id).where(PriceImport.content_sha256 == content_sha256, PriceImport.source == source,
                                     PriceImport.actor == actor, PriceImport.undone_at.is_(None)).limit(1)) is not None


def mark_import_digest(session: Session, content_sha256: str, source: str, file_name: str, actor: str) -> None:
    """Give ``content_sha256`` to ``actor``'s live imports of ``file_name`` as ``source`` recorded without one
    (before digests were kept)."""
    session.execute(update(PriceImport).where(
        PriceImport.content_sha256.is_(None), PriceImport.source == source, PriceImport.file_name == file_name,
        PriceImport.actor == actor, PriceImport.undone_at.is_(None)).values(content_sha256=content_sha256))


def stored_prices(session: Session, markets: list[str], start_utc: datetime, end_utc: datetime) -> pd.DataFrame:
    """Every stored row of ``markets`` with ``start_utc <= interval_start_utc <= end_utc``, all sources."""
    rows = session.execute(
        select(MarketPrice.market, MarketPrice.interval_start_utc, MarketPrice.source, MarketPrice.price_gbp_per_mwh,
               MarketPrice.ingested_at)
        .where(MarketPrice.market.in_(markets), MarketPrice.interval_start_utc >= start_utc,
               MarketPrice.interval_start_utc <= end_utc)
        .order_by(MarketPrice.ingested_at, MarketPrice.id)
    ).all()
    frame = pd.DataFrame(rows, columns=["market", "interval_start_utc", "source", "price_gbp_per_mwh", "ingested_at"])
    frame["interval_start_utc"] = pd.to_datetime(frame["interval_start_utc"], utc=True)
    return frame


STATUSES = ("added", "unchanged", "conflicting", "refused")


@dataclass
class Classification:
    """What importing a file's checked rows as one source would do, row by row; nothing is stored."""

    rows: pd.DataFrame
    """One row per price of the file: line, market, interval_start_utc, price_gbp_per_mwh, status
    (``STATUSES``), used_source and used_price_gbp_per_mwh (what readers use today; NaN where nothing
    is stored), takes_over (True when readers would use the new price after the import)."""
    refused: pd.DataFrame
    """line, column, reason: the source itself already holds a different price there."""

    def count(self, status: str) -> int:
        return int((self.rows["status"] == status).sum())


def _used_rows(stored: pd.DataFrame, orders: dict[str, tuple[str, ...]]) -> pd.DataFrame:
    """The stored row readers use per market interval, with its rank (see ``used_prices``)."""
    if stored.empty:
        return stored.assign(rank=pd.Series(dtype=int))
    stored = stored.sort_values("ingested_at", kind="stable")
    stored = stored.assign(rank=ranks(stored["market"], stored["source"], orders))
    stored = stored.iloc[np.argsort(-stored["rank"].to_numpy(), kind="stable")]
    return stored.drop_duplicates(["market", "interval_start_utc"], keep="last")


def classify_prices(session: Session, long_prices: pd.DataFrame, source: str) -> Classification:
    """Compare a file's checked rows (market, interval_start_utc, price_gbp_per_mwh, line) with what
    is stored (vectorised):

    - refused: ``source`` itself holds a different price there (a correction comes in under
      another source name, so nothing is overwritten silently);
    - unchanged: otherwise, when some source already holds this price there;
    - conflicting: another source holds a different price; stored beside it, and used instead of
      it only when the market's precedence puts this source's kind at least as high (``takes_over``);
    - added: nothing is stored there yet.
    """
    columns = ["line", "market", "interval_start_utc", "price_gbp_per_mwh", "status", "used_source",
               "used_price_gbp_per_mwh", "takes_over"]
    refused_empty = pd.DataFrame(columns=["line", "column", "reason"])
    if long_prices.empty:
        return Classification(pd.DataFrame(columns=columns), refused_empty)
    new = long_prices.reset_index(drop=True).copy()
    new["interval_start_utc"] = pd.to_datetime(new["interval_start_utc"], utc=True)
    if "line" not in new.columns:
        new["line"] = range(2, len(new) + 2)
    new["row"] = range(len(new))
    stored = stored_prices(session, sorted(new["market"].unique()), new["interval_start_utc"].min().to_pydatetime(),
                           new["interval_start_utc"].max().to_pydatetime())
    key = ["market", "interval_start_utc"]
    merged = new[["row", *key, "price_gbp_per_mwh"]].merge(
        stored.drop(columns="ingested_at").rename(columns={"price_gbp_per_mwh": "stored_price",
                                                           "source": "stored_source"}), on=key, how="left")
    merged["same_price"] = (merged["price_gbp_per_mwh"] - merged["stored_price"]).abs() <= PRICE_TOLERANCE_GBP_PER_MWH
    merged["own_different"] = (merged["stored_source"] == source) & ~merged["same_price"]
    by_row = merged.groupby("row")[["same_price", "own_different"]].any()
    any_stored = merged.groupby("row")["stored_price"].count().to_numpy() > 0
    refused_mask = by_row["own_different"].to_numpy()
    unchanged = by_row["same_price"].to_numpy() & ~refused_mask
    orders = precedence(session)
    used = _used_rows(stored, orders).rename(columns={"source": "used_source",
                                                       "price_gbp_per_mwh": "used_price_gbp_per_mwh"})
    rows = new.merge(used[[*key, "used_source", "used_price_gbp_per_mwh", "rank"]], on=key, how="left")
    rows = rows.sort_values("row").reset_index(drop=True)
    rows["status"] = np.select([refused_mask, unchanged, any_stored], ["refused", "unchanged", "conflicting"],
                               default="added")
    new_rank = ranks(pd.Series([m for m in rows["market"]]), pd.Series([source] * len(rows)), orders)
    rows["takes_over"] = (rows["status"] == "added") | (
        (rows["status"] == "conflicting") & (new_rank <= rows["rank"].fillna(len(new_rank) + 99).to_numpy()))
    refused_rows = merged[merged["own_different"] & merged["row"].isin(new["row"][refused_mask])]
    refused_rows = refused_rows.merge(new[["row", "line"]], on="row")
    refused = pd.DataFrame({
        "line": refused_rows["line"].to_numpy(),
        "column": refused_rows["market"].to_numpy(),
        "reason": [f"{m}: {p:g} £/MWh differs from the {o:g} £/MWh already stored from source '{source}' for "
                   f"{t.isoformat()}; the stored price is kept (import a correction under another source name)"
                   for m, p, o, t in zip(refused_rows["market"], refused_rows["price_gbp_per_mwh"],
                                         refused_rows["stored_price"], refused_rows["interval_start_utc"], strict=True)],
    }) if refused_mask.any() else refused_empty
    return Classification(rows[columns], refused)


def store_classified(session: Session, classification: Classification, source: str, import_id: int | None) -> int:
    """Store the added and conflicting rows of ``classification`` as ``source`` under ``import_id``,
    recording each stored price they take over from in ``price_import_displaced``. Returns rows added."""
    rows = classification.rows
    to_store = rows[rows["status"].isin(["added", "conflicting"])]
    added = insert_prices(session, to_store, source, import_id)
    displaced = to_store[(to_store["status"] == "conflicting") & to_store["takes_over"]]
    if import_id is not None and not displaced.empty:
        starts = pd.DatetimeIndex(displaced["interval_start_utc"]).tz_convert("UTC").to_pydatetime()
        session.execute(PriceImportDisplaced.__table__.insert(), [
            {"import_id": import_id, "market": m, "interval_start_utc": t, "source": s, "price_gbp_per_mwh": float(p)}
            for m, t, s, p in zip(displaced["market"], starts, displaced["used_source"],
                                  displaced["used_price_gbp_per_mwh"], strict=True)])
    return added


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
    frame = frame.sort_values(["market", "interval_start_utc", "ingested_at", "id"]).reset_index(drop=True)
    used = _used_rows(frame, precedence(session))
    frame["used"] = frame["id"].isin(used["id"])
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


def revision(session: Session) -> tuple:
    """A value that changes whenever the stored prices do: rows are added by imports (a new id above the
    last), removed by an import's undo (which marks it undone) or by hand (the count falls). Each part is
    an index lookup or SQLite's cheap count, not a scan of the rows' values."""
    count = session.scalar(select(func.count()).select_from(MarketPrice))  # apart: together, SQLite scans for both
    last_id = session.scalar(select(func.max(MarketPrice.id)))
    imports, undone = session.execute(select(func.max(PriceImport.id), func.count(PriceImport.undone_at))).one()
    return int(count or 0), last_id, imports, int(undone or 0)


def interval_starts(session: Session, market: str) -> pd.DatetimeIndex:
    """Every distinct stored interval start of ``market`` (aware UTC), for its coverage and gaps."""
    rows = session.connection().execute(
        select(MarketPrice.interval_start_utc).where(MarketPrice.market == market).distinct()).scalars().all()
    return pd.DatetimeIndex(pd.to_datetime(pd.Series(rows, dtype=object), utc=True))


def used_prices(session: Session, start_utc: datetime, end_utc: datetime,
                markets: tuple[str, ...] | None = None) -> pd.DataFrame:
    """The price readers use for each market interval with ``start_utc <= interval_start_utc < end_utc``:
    market, interval_start_utc (aware UTC), price_gbp_per_mwh, source.

    Where several sources cover one interval, the market's precedence decides
    (``data_access.price_precedence``); between sources of one kind, the most recently ingested
    wins (ties: the later row), so a correction imported under a new source name takes over and
    the older price stays stored (``conflicts_between`` lists such disagreements).
    """
    table = MarketPrice.__table__.c
    # The instants as the driver returns them (SQLite's naive UTC text, PostgreSQL's aware datetimes), parsed
    # by pandas at once below: ``UTCDateTime`` converting 35,000 of them one by one was half of a year's read.
    raw_start = type_coerce(table.interval_start_utc, NullType()).label("interval_start_utc")
    query = (
        select(table.market, raw_start, table.price_gbp_per_mwh, table.source)
        .where(table.interval_start_utc >= start_utc, table.interval_start_utc < end_utc)
        .order_by(table.ingested_at, table.id)
    )
    if markets:
        query = query.where(table.market.in_(markets))
    # Core rows, unpacked by column: a year of two markets is 35,000 rows, and ORM rows (or handing Row
    # objects to pandas, which probes each for attributes) tripled the cost.
    rows = session.connection().execute(query).all()
    if not rows:
        return pd.DataFrame({"market": pd.Series(dtype=object),
                             "interval_start_utc": pd.DatetimeIndex([], tz="UTC"),
                             "price_gbp_per_mwh": pd.Series(dtype=float), "source": pd.Series(dtype=object)})
    names, starts, prices, sources = zip(*rows, strict=True)
    long = pd.DataFrame({"market": names, "interval_start_utc": starts, "price_gbp_per_mwh": prices,
                         "source": sources})
    long["interval_start_utc"] = pd.to_datetime(long["interval_start_utc"], utc=True, format="ISO8601")
    long["rank"] = ranks(long["market"], long["source"], precedence(session))
    # Stable sort, worst rank first: the last row of each interval is the best rank, newest import.
    long = long.iloc[np.argsort(-long["rank"].to_numpy(), kind="stable")]
    long = long.drop_duplicates(["market", "interval_start_utc"], keep="last")
    return long.drop(columns="rank").reset_index(drop=True)


def wide_frame(long: pd.DataFrame, values: str) -> pd.DataFrame:
    if long.empty:
        return pd.DataFrame(index=pd.DatetimeIndex([], tz="UTC", name="interval_start_utc"))
    wide = long.pivot(index="interval_start_utc", columns="market", values=values).sort_index()
    wide.columns.name = None
    return wide


def prices_between(
    session: Session, start_utc: datetime, end_utc: datetime, markets: tuple[str, ...] | None = None
) -> pd.DataFrame:
    """Prices with ``start_utc <= interval_start_utc < end_utc`` as a wide frame.

    Index: ``interval_start_utc`` (aware UTC); one column per market [£/MWh], each the price
    ``used_prices`` picks.
    """
    return wide_frame(used_prices(session, start_utc, end_utc, markets), "price_gbp_per_mwh")


def sources_between(
    session: Session, start_utc: datetime, end_utc: datetime, markets: tuple[str, ...] | None = None
) -> pd.DataFrame:
    """Like ``prices_between``, but each cell is the source name the price is read from."""
    return wide_frame(used_prices(session, start_utc, end_utc, markets), "source")
