"""Importers on slices of the shipped real files (built here from the demo data, not /work/shared)."""

import gzip
import io
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import func, select

from data_access.price_files import EPEX_DEMO_FILE, MID_DEMO_FILE, SEED_PRICES_FILE
from data_access.schema import AuditEvent, MarketPrice
from services.errors import InvalidInput
from services.prices import import_prices, price_conflicts, prices_for_dates


def demo_lines(path, keep) -> list[str]:
    raw = path.read_bytes()
    text = (gzip.decompress(raw) if path.suffix == ".gz" else raw).decode("utf-8-sig")
    lines = text.splitlines()
    return [lines[0], *[line for line in lines[1:] if keep(line)]]


def mid_slice(first="2023-03-25", last="2023-03-27") -> bytes:
    """MID rows of settlement dates first..last, newest first as in the real file."""
    return ("\n".join(demo_lines(MID_DEMO_FILE, lambda line: first <= line.split(",")[2] <= last)) + "\n").encode()


def epex_slice(days) -> bytes:
    return ("\n".join(demo_lines(EPEX_DEMO_FILE, lambda line: line.split(",")[0] in days)) + "\n").encode()


def count_rows(db) -> int:
    with db.session() as session:
        return session.scalar(select(func.count(MarketPrice.id)))


def test_mid_slice_lands_on_the_right_utc_and_settlement_periods_including_a_46_period_day(db):
    report = import_prices(db, mid_slice(), "mid.csv")
    assert report.format == "mid" and report.rows_added == 48 + 46 + 48 and report.rows_rejected == 0
    prices = prices_for_dates(db, date(2023, 3, 26), date(2023, 3, 26))
    assert len(prices) == 46 and prices["settlement_period"].tolist() == list(range(1, 47))
    # SP3 of the spring clock-change day is 01:00 UTC = 02:00 BST; the file says 126.12 for 27 Mar SP1
    assert prices.index[2] == pd.Timestamp("2023-03-26T01:00Z")
    next_day = prices_for_dates(db, date(2023, 3, 27), date(2023, 3, 27))
    assert next_day.index[0] == pd.Timestamp("2023-03-26T23:00Z") and next_day["market_index"].iloc[0] == 126.12


def test_reimporting_a_file_changes_nothing(db):
    import_prices(db, mid_slice(), "mid.csv")
    before = count_rows(db)
    again = import_prices(db, mid_slice(), "mid.csv")
    assert (again.rows_added, again.rows_unchanged, again.rows_conflicting, again.rows_rejected) == (0, 142, 0, 0)
    assert count_rows(db) == before


def test_epex_clock_change_day_is_refused_and_the_others_are_placed_in_local_hours(db):
    content = epex_slice({"2025-03-29", "2025-03-30", "2025-03-31", "2025-07-01"})
    whole = import_prices(db, content, "epex.csv")
    # all or nothing by default: the refused day refuses the file, and the report offers the 3 good lines
    assert not whole.stored and whole.rows_added == 0 and whole.good_lines == 3 and count_rows(db) == 0
    assert [(r.line, r.column) for r in whole.rejections] == [(3, "Date")]
    report = import_prices(db, content, "epex.csv", good_lines_only=True)
    assert report.format == "epex" and report.rows_added == 3 * 48 and report.good_lines_only
    assert len(report.refused_days) == 1 and "2025-03-30" in report.refused_days[0]
    assert "24 hourly values for a 23-hour day; refused" in report.refused_days[0]
    assert report.rejected == [(3, report.refused_days[0])]
    assert prices_for_dates(db, date(2025, 3, 30), date(2025, 3, 30)).empty
    summer = prices_for_dates(db, date(2025, 7, 1), date(2025, 7, 1))
    # 00-01 local (BST) is 23:00 UTC the day before; both half-hours carry the hourly price
    assert summer.index[0] == pd.Timestamp("2025-06-30T23:00Z") and len(summer) == 48
    line = epex_slice({"2025-07-01"}).decode().splitlines()[1].split(",")
    assert summer["day_ahead"].iloc[0] == summer["day_ahead"].iloc[1] == float(line[1])
    assert summer["day_ahead"].iloc[47] == float(line[24])


def test_a_different_price_from_another_source_is_kept_beside_and_flagged(db):
    import_prices(db, mid_slice(), "mid.csv")
    lines = mid_slice().decode().splitlines()
    changed = lines[:]
    parts = changed[1].split(",")  # the newest row: 2023-03-27 SP48
    parts[4] = "999.5"
    changed[1] = ",".join(parts)
    report = import_prices(db, ("\n".join(changed) + "\n").encode(), "mid-corrected.csv")
    assert (report.rows_added, report.rows_unchanged, report.rows_conflicting) == (1, 141, 1)
    conflict = report.conflicts[0]
    assert conflict["settlement_date"] == "2023-03-27" and conflict["settlement_period"] == 48
    assert conflict["price_gbp_per_mwh"] == 999.5 and conflict["other_source"] == "mid:mid.csv"
    # the newest import is what readers use; both stay stored and the page can list them
    assert prices_for_dates(db, date(2023, 3, 27), date(2023, 3, 27))["market_index"].iloc[-1] == 999.5
    disputes = price_conflicts(db, date(2023, 3, 27), date(2023, 3, 27))
    assert len(disputes) == 2 and disputes.loc[disputes["used"], "source"].tolist() == ["mid:mid-corrected.csv"]
    # the same source changing its mind is refused with the line, the stored price kept (and the whole file)
    same = import_prices(db, ("\n".join(changed) + "\n").encode(), "mid.csv")
    assert same.rows_added == 0 and same.rows_rejected == 1 and same.rejected[0][0] == 2 and not same.stored
    assert "differs from" in same.rejected[0][1] and same.rejections[0].column == "market_index"


def test_bad_values_and_times_refuse_the_file_with_every_line_and_column_then_good_lines_on_request(db):
    content = (
        b"interval_start_utc,day_ahead,intraday\n"
        b"2024-01-01T00:00:00Z,61.5,60\n"      # 2 good
        b"2024-01-01T00:30:00Z,NaN,58\n"       # 3 DA NaN
        b"2024-01-01T01:00:00Z,abc,58\n"       # 4 DA non-numeric
        b"2024-01-01T01:30:00Z,20000,-1500\n"  # 5 both out of range
        b"not-a-time,50,50\n"                  # 6 malformed time
        b"2024-01-01T02:10:00Z,50,50\n"        # 7 off the half-hour
        b"2024-01-01T03:00:00Z,50,50\n"        # 8 duplicate of 9
        b"2024-01-01T03:00:00Z,51,51\n"        # 9
        b"2024-01-01T04:00:00,50,50\n"         # 10 no offset
    )
    report = import_prices(db, content, "bad.csv")
    assert not report.stored and report.rows_added == 0 and count_rows(db) == 0 and report.import_id is None
    lines = [line for line, _ in report.rejected]
    assert lines == [3, 4, 5, 5, 6, 7, 8, 9, 10]
    assert [r.column for r in report.rejections] == ["day_ahead", "day_ahead", "day_ahead", "intraday",
                                                     "interval_start_utc", "interval_start_utc",
                                                     "interval_start_utc", "interval_start_utc",
                                                     "interval_start_utc"]
    assert report.good_lines == 1 and "refused whole, nothing was stored" in report.summary()
    reasons = dict(report.rejected)
    assert "not a number" in reasons[3] and "not a number" in reasons[4] and "outside" in reasons[5]
    assert "not a valid time" in reasons[6] and "half-hour" in reasons[7] and "more than once" in reasons[9]
    assert "no UTC offset" in reasons[10]
    with db.session() as session:
        refused = session.scalars(select(AuditEvent).where(AuditEvent.action == "prices.import_refused")).one()
    assert refused.detail["rejected"] == 9 and refused.detail["stored"] is False
    # the explicit second step imports only whole good lines (line 2), audited as such
    good = import_prices(db, content, "bad.csv", good_lines_only=True, actor="alice")
    assert good.stored and good.rows_added == 2 and count_rows(db) == 2 and good.import_id is not None
    with db.session() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "prices.good_lines_imported")).one()
    assert event.actor == "alice" and event.detail["added"] == 2 and event.detail["good_lines_only"] is True


def test_an_unreadable_file_stores_nothing_and_says_why(db):
    with pytest.raises(InvalidInput, match="fit none of the formats"):
        import_prices(db, b"a,b\n1,2\n", "odd.csv")
    with pytest.raises(InvalidInput, match="missing column"):
        import_prices(db, b"time,day-ahead\n01/01/2023 00:00,5\n", "seed.csv", fmt="seed")
    assert count_rows(db) == 0


def test_an_import_is_audited_in_its_transaction(db):
    report = import_prices(db, SEED_PRICES_FILE.read_bytes(), SEED_PRICES_FILE.name, actor="alice")
    assert report.format == "seed" and report.rows_added == 10270
    with db.session() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "prices.imported")).one()
    assert event.actor == "alice" and event.detail["added"] == 10270 and event.target == report.source


def test_gzip_files_are_read_like_plain_ones(db):
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb") as handle:
        handle.write(mid_slice())
    assert import_prices(db, buffer.getvalue(), "mid.csv.gz").rows_added == 142


def test_daily_price_statistics_of_a_stored_46_period_day(db):
    from services.prices import daily_price_statistics

    import_prices(db, mid_slice(), "mid.csv")
    stats = daily_price_statistics(db, date(2023, 3, 26), date(2023, 3, 26))
    row = stats.iloc[0]
    prices = prices_for_dates(db, date(2023, 3, 26), date(2023, 3, 26))["market_index"]
    assert len(stats) == 1 and row["market"] == "market_index" and row["periods"] == 46
    assert row["max"] == prices.max() and row["mean"] == pytest.approx(prices.mean())
