"""Rows stored through the bulk path read back exactly as rows stored through the ORM."""

from datetime import UTC, datetime

import pandas as pd
import pytest
from sqlalchemy import select, text

from data_access.bulk_insert import insert_ignoring_duplicates, utc_column
from data_access.schema import MarketPrice

COLUMNS = ("market", "interval_start_utc", "price_gbp_per_mwh", "source", "ingested_at", "import_id")


def test_bulk_rows_read_back_like_orm_rows_and_duplicates_are_counted_out(db):
    starts = pd.DatetimeIndex([datetime(2023, 3, 26, 0, 30, 0, 250_000, tzinfo=UTC),
                              datetime(2023, 10, 29, 0, 0, tzinfo=UTC)])
    now = datetime(2024, 1, 2, 3, 4, 5, 600_000, tzinfo=UTC)
    with db.session() as session:
        session.add(MarketPrice(market="orm", interval_start_utc=starts[0].to_pydatetime(), price_gbp_per_mwh=1.5,
                                source="s", ingested_at=now))
        session.flush()
        connection = session.connection()
        rows = list(zip(["bulk", "bulk"], utc_column(starts, connection), [1.5, -2.0], ["s", "s"],
                        utc_column(pd.DatetimeIndex([now, now]), connection), [None, None], strict=True))
        assert insert_ignoring_duplicates(connection, MarketPrice.__table__, COLUMNS, rows,
                                          ("market", "interval_start_utc", "source")) == 2
        assert insert_ignoring_duplicates(connection, MarketPrice.__table__, COLUMNS, rows[:1] + rows,
                                          ("market", "interval_start_utc", "source")) == 0
    with db.session() as session:
        stored = {(p.market, p.interval_start_utc): p for p in session.scalars(select(MarketPrice))}
        raw = session.execute(text("SELECT market, interval_start_utc FROM market_prices ORDER BY id")).all()
    assert stored[("bulk", starts[0].to_pydatetime())].ingested_at == now == stored[("orm", starts[0])].ingested_at
    assert stored[("bulk", datetime(2023, 10, 29, 0, 0, tzinfo=UTC))].price_gbp_per_mwh == -2.0
    assert raw[0][1] == raw[1][1]  # the same stored form, text on SQLite and timestamptz on PostgreSQL


def test_naive_timestamps_are_refused(db):
    with db.session() as session, pytest.raises(ValueError, match="naive"):
        utc_column(pd.DatetimeIndex([datetime(2023, 1, 1)]), session.connection())
