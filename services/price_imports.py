"""Price imports after the fact: list them, undo one, and the per-market precedence between sources.

An import (``services.prices.import_prices``) stores its prices under its ``price_imports`` id and
records the prices it took over from. ``undo_import`` removes exactly the prices it added; the
prices it displaced were never removed (they are kept beside it), so readers use them again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, exists, func, select, update

from data_access.engine import Database
from data_access.price_precedence import DEFAULT_ORDER, PrecedenceError, parse_order, precedence
from data_access.price_precedence import set_precedence as store_precedence
from data_access.schema import MarketPrice, PriceImport, PriceImportDisplaced, PricePrecedence
from data_access.types import utc_now
from domain.markets import MARKETS
from services import audit
from services.errors import Conflict, InvalidInput, NotFound


@dataclass(frozen=True)
class ImportSummary:
    id: int
    at: datetime
    actor: str
    source: str
    file_name: str
    format: str
    good_lines_only: bool
    rows_added: int
    rows_displaced: int
    undone_at: datetime | None
    undone_by: str | None


def list_imports(db: Database, limit: int = 50) -> list[ImportSummary]:
    """The newest ``limit`` imports that stored something, newest first."""
    with db.session() as session:
        rows = session.scalars(select(PriceImport).order_by(PriceImport.id.desc()).limit(limit)).all()
        return [ImportSummary(r.id, r.at, r.actor, r.source, r.file_name, r.format, r.good_lines_only, r.rows_added,
                              r.rows_displaced, r.undone_at, r.undone_by) for r in rows]


@dataclass(frozen=True)
class UndoReport:
    import_id: int
    removed: int
    """Prices of the import taken out of ``market_prices``."""
    restored: int
    """Prices it had displaced that readers use again (those still stored)."""

    def summary(self) -> str:
        return (f"Import #{self.import_id} undone: {self.removed:,} price(s) removed, {self.restored:,} displaced "
                "price(s) in use again.")


def undo_import(db: Database, import_id: int, actor: str) -> UndoReport:
    """Remove exactly what import ``import_id`` added (audited as ``prices.import_undone``).

    The guard is one conditional UPDATE, so two undos at once remove the rows once and the second is
    told it was already undone. NotFound for an unknown id, Conflict when already undone."""
    with db.session() as session:
        marked = session.execute(
            update(PriceImport).where(PriceImport.id == import_id, PriceImport.undone_at.is_(None))
            .values(undone_at=utc_now(), undone_by=actor[:64])
        ).rowcount
        if not marked:
            record = session.get(PriceImport, import_id)
            if record is None:
                raise NotFound(f"there is no price import #{import_id}")
            raise Conflict(f"price import #{import_id} was already undone by {record.undone_by} at "
                           f"{record.undone_at:%Y-%m-%d %H:%M} UTC")
        removed = session.execute(delete(MarketPrice).where(MarketPrice.import_id == import_id)).rowcount
        still_stored = exists().where(and_(MarketPrice.market == PriceImportDisplaced.market,
                                           MarketPrice.interval_start_utc == PriceImportDisplaced.interval_start_utc,
                                           MarketPrice.source == PriceImportDisplaced.source))
        restored = session.scalar(select(func.count(PriceImportDisplaced.id))
                                  .where(PriceImportDisplaced.import_id == import_id, still_stored))
        report = UndoReport(import_id, int(removed), int(restored or 0))
        audit.record(session, actor, "prices.import_undone", target=f"price_import:{import_id}",
                     detail={"removed": report.removed, "restored": report.restored})
    return report


@dataclass(frozen=True)
class PrecedenceRow:
    market: str
    order: tuple[str, ...]
    is_default: bool
    updated_by: str | None


def market_precedence(db: Database) -> list[PrecedenceRow]:
    """Each market's order of source kinds, best first, and whether it is the default."""
    with db.session() as session:
        orders = precedence(session)
        stored = {row.market: row for row in session.scalars(select(PricePrecedence))}
    return [PrecedenceRow(m, orders[m], m not in stored, stored[m].updated_by if m in stored else None)
            for m in MARKETS]


def set_market_precedence(db: Database, market: str, order: str, actor: str) -> tuple[str, ...]:
    """Set ``market``'s order (e.g. ``feed,seed,upload``), audited as ``prices.precedence_changed``."""
    try:
        parsed = parse_order(order)
        with db.session() as session:
            before = precedence(session).get(market, DEFAULT_ORDER)
            store_precedence(session, market, parsed, actor)
            audit.record(session, actor, "prices.precedence_changed", target=market,
                         detail={"before": list(before), "after": list(parsed)})
    except PrecedenceError as error:
        raise InvalidInput(str(error)) from error
    return parsed
