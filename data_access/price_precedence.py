"""Which source a market's interval is read from when several sources hold a price for it.

Every source is of one kind: ``upload`` (a file a trader uploaded on the Prices page, source
``upload:…``), ``seed`` (the seed task's file, ``seed:…``) or ``feed`` (everything else: the
published feeds fetched or imported by an operator, e.g. ``elexon-mid``, ``mid:…``, ``epex:…``).
Each market has an order of kinds, best first (default ``feed, seed, upload``: published feeds
and the seed outrank manual uploads), stored in ``price_precedence`` when changed. Between two
sources of the same kind, the newest import wins.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.schema import PricePrecedence
from data_access.types import utc_now
from domain.markets import MARKETS

SOURCE_KINDS = ("feed", "seed", "upload")
DEFAULT_ORDER = ("feed", "seed", "upload")
_PREFIX_KINDS = (("upload:", "upload"), ("seed:", "seed"))


class PrecedenceError(ValueError):
    """An order that is not a permutation of the source kinds, or an unknown market."""


def source_kind(source: str) -> str:
    """``upload``, ``seed`` or ``feed`` for a stored source name."""
    for prefix, kind in _PREFIX_KINDS:
        if source.startswith(prefix):
            return kind
    return "feed"


def precedence(session: Session) -> dict[str, tuple[str, ...]]:
    """Every market's order of source kinds, best first (the default where none is stored)."""
    orders = {market: DEFAULT_ORDER for market in MARKETS}
    for row in session.scalars(select(PricePrecedence)):
        orders[row.market] = tuple(row.order.split(","))
    return orders


def parse_order(text: str) -> tuple[str, ...]:
    """``feed,seed,upload`` (any order of all three kinds) as a tuple; PrecedenceError otherwise."""
    order = tuple(part.strip().lower() for part in str(text).split(",") if part.strip())
    if sorted(order) != sorted(SOURCE_KINDS):
        raise PrecedenceError(f"the order must name each of {', '.join(SOURCE_KINDS)} once, best first "
                              f"(e.g. {','.join(DEFAULT_ORDER)}); got {text!r}")
    return order


def set_precedence(session: Session, market: str, order: tuple[str, ...], actor: str) -> None:
    if market not in MARKETS:
        raise PrecedenceError(f"unknown market {market!r}; use one of {', '.join(MARKETS)}")
    order = parse_order(",".join(order))
    row = session.get(PricePrecedence, market)
    if row is None:
        session.add(PricePrecedence(market=market, order=",".join(order), updated_at=utc_now(), updated_by=actor))
    else:
        row.order, row.updated_at, row.updated_by = ",".join(order), utc_now(), actor


def ranks(markets: pd.Series, sources: pd.Series, orders: dict[str, tuple[str, ...]]) -> np.ndarray:
    """Rank of each (market, source) pair: 0 is best. Vectorised over the few distinct pairs."""
    if len(markets) == 0:
        return np.zeros(0, dtype=int)
    pairs = pd.DataFrame({"market": np.asarray(markets, dtype=object), "source": np.asarray(sources, dtype=object)})
    distinct = pairs.drop_duplicates()
    distinct = distinct.assign(rank=[orders.get(m, DEFAULT_ORDER).index(source_kind(str(s)))
                                     for m, s in zip(distinct["market"], distinct["source"], strict=True)])
    return pairs.merge(distinct, on=["market", "source"], how="left")["rank"].to_numpy(dtype=int)
