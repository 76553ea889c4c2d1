"""Preview, precedence between sources and undo of price imports (issue 19, Prices)."""

from datetime import date

import pytest
from sqlalchemy import func, select

from data_access.schema import AuditEvent, MarketPrice
from services.errors import Conflict, InvalidInput, NotFound
from services.price_imports import list_imports, market_precedence, set_market_precedence, undo_import
from services.prices import (
    StalePreview,
    import_price_file,
    import_prices,
    preview_price_file,
    prices_for_dates,
    prices_with_sources_for_dates,
)

SEED = (b"interval_start_utc,day_ahead,intraday\n"
        b"2023-01-14T00:00:00Z,147.35,80\n"
        b"2023-01-14T00:30:00Z,150,81\n")
UPLOAD = (b"interval_start_utc,day_ahead\n"
          b"2023-01-14T00:00:00Z,1.00\n"      # conflicts with the seed's 147.35
          b"2023-01-14T00:30:00Z,150\n"       # unchanged
          b"2023-01-14T01:00:00Z,70\n")       # new


def count_rows(db) -> int:
    with db.session() as session:
        return session.scalar(select(func.count(MarketPrice.id)))


def day(db):
    return prices_for_dates(db, date(2023, 1, 14), date(2023, 1, 14))


def test_preview_shows_added_unchanged_and_conflicting_per_market_and_stores_nothing(db):
    import_prices(db, SEED, "seed.csv", source="seed:test")
    before = count_rows(db)
    preview = preview_price_file(db, UPLOAD, "fix.csv")
    assert count_rows(db) == before
    assert (preview.added, preview.unchanged, preview.conflicting) == (1, 1, 1) and not preview.refused
    assert [(m.market, m.added, m.unchanged, m.conflicting, m.taking_over) for m in preview.markets] == [
        ("day_ahead", 1, 1, 1, 0)]
    conflict = preview.conflicts[0]
    assert (conflict["price_gbp_per_mwh"], conflict["other_price_gbp_per_mwh"], conflict["other_source"],
            conflict["used"]) == (1.0, 147.35, "seed:test", False)
    assert conflict["settlement_date"] == "2023-01-14" and conflict["settlement_period"] == 1


def test_a_conflicting_upload_never_outranks_the_seed_and_the_page_sees_which_source_is_used(db):
    import_prices(db, SEED, "seed.csv", source="seed:test")
    report = import_price_file(db, UPLOAD, "fix.csv")
    assert report.stored and report.rows_added == 2 and report.rows_conflicting == 1 and report.rows_displaced == 0
    prices, sources = prices_with_sources_for_dates(db, date(2023, 1, 14), date(2023, 1, 14))
    assert prices["day_ahead"].tolist() == [147.35, 150.0, 70.0]  # 1.00 is stored beside, not used
    assert sources["day_ahead"].tolist() == ["seed:test", "seed:test", "upload:seed:fix.csv"]
    assert day(db)["day_ahead"].iloc[0] == 147.35


def test_precedence_is_a_visible_setting_per_market_and_decides_the_used_price(db):
    import_prices(db, SEED, "seed.csv", source="seed:test")
    import_price_file(db, UPLOAD, "fix.csv")
    assert [(r.market, r.order, r.is_default) for r in market_precedence(db)][0] == (
        "day_ahead", ("feed", "seed", "upload"), True)
    set_market_precedence(db, "day_ahead", "upload,feed,seed", actor="alice")
    assert day(db)["day_ahead"].iloc[0] == 1.0 and day(db)["intraday"].iloc[0] == 80.0
    row = market_precedence(db)[0]
    assert row.order == ("upload", "feed", "seed") and not row.is_default and row.updated_by == "alice"
    with pytest.raises(InvalidInput, match="each of feed, seed, upload once"):
        set_market_precedence(db, "day_ahead", "upload,upload", actor="alice")
    with db.session() as session:
        assert session.scalar(select(func.count(AuditEvent.id))
                              .where(AuditEvent.action == "prices.precedence_changed")) == 1


def test_undo_removes_exactly_what_an_import_added_and_restores_what_it_displaced(db):
    first = import_prices(db, SEED, "a.csv", source="mid:a")
    before = day(db)
    # a feed-kind correction ranks with the first import and is newer, so it takes over interval 1
    second = import_prices(db, UPLOAD, "b.csv", source="mid:b")
    assert second.rows_displaced == 1 and day(db)["day_ahead"].iloc[0] == 1.0
    assert [i.id for i in list_imports(db)] == [second.import_id, first.import_id]
    undone = undo_import(db, second.import_id, actor="alice")
    assert (undone.removed, undone.restored) == (2, 1)
    after = day(db)
    assert after.equals(before) and count_rows(db) == 4
    assert list_imports(db)[0].undone_by == "alice"
    with pytest.raises(Conflict, match="already undone by alice"):
        undo_import(db, second.import_id, actor="alice")
    with pytest.raises(NotFound):
        undo_import(db, 999_999, actor="alice")
    with db.session() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "prices.import_undone")).one()
    assert event.actor == "alice" and event.detail == {"removed": 2, "restored": 1}


def test_a_confirmation_of_a_preview_that_no_longer_holds_stores_nothing(db):
    preview = preview_price_file(db, UPLOAD, "fix.csv")
    import_prices(db, SEED, "seed.csv", source="seed:test")  # someone else imports in between
    rows = count_rows(db)
    with pytest.raises(StalePreview, match="changed since the preview"):
        import_price_file(db, UPLOAD, "fix.csv", expected_digest=preview.digest)
    assert count_rows(db) == rows
    fresh = preview_price_file(db, UPLOAD, "fix.csv")
    assert import_price_file(db, UPLOAD, "fix.csv", expected_digest=fresh.digest).rows_added == 2


def test_setup_reads_a_demo_file_once_and_again_only_after_its_import_is_undone(db, monkeypatch):
    """Setup runs on every start: a demo file already stored (same bytes, same source, not undone) is not
    read again; once a trader undoes its import, the next setup stores it again."""
    import hashlib

    import services.prices as prices_service
    from data_access.schema import PriceImport

    reads = []
    real_import = prices_service.import_prices
    monkeypatch.setattr(prices_service, "import_prices",
                        lambda *args, **kwargs: reads.append(args[2]) or real_import(*args, **kwargs))
    first = prices_service.load_demo_prices(db, feeds=("seed",))
    rows = count_rows(db)
    assert first == rows > 0 and len(reads) == 1
    with db.session() as session:
        record = session.scalars(select(PriceImport)).one()
        digest = record.content_sha256
    assert digest == hashlib.sha256(prices_service.SEED_PRICES_FILE.read_bytes()).hexdigest()

    assert prices_service.load_demo_prices(db, feeds=("seed",)) == 0
    assert len(reads) == 1 and count_rows(db) == rows

    undo_import(db, record.id, actor="admin")
    assert count_rows(db) == 0
    assert prices_service.load_demo_prices(db, feeds=("seed",)) == rows
    assert len(reads) == 2 and count_rows(db) == rows


def test_a_demo_file_stored_before_digests_were_kept_is_recognised_after_one_more_read(db, monkeypatch):
    import services.prices as prices_service
    from data_access.schema import PriceImport

    prices_service.load_demo_prices(db, feeds=("seed",))
    with db.session() as session:  # as an import recorded by a version before the digest column
        session.execute(PriceImport.__table__.update().values(content_sha256=None))
    reads = []
    real_import = prices_service.import_prices
    monkeypatch.setattr(prices_service, "import_prices",
                        lambda *args, **kwargs: reads.append(args[2]) or real_import(*args, **kwargs))
    assert prices_service.load_demo_prices(db, feeds=("seed",)) == 0
    assert prices_service.load_demo_prices(db, feeds=("seed",)) == 0
    assert len(reads) == 1
