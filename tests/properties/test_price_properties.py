"""Property tests (Hypothesis) over the price parser, the price import and the upload flow (prices and
COV power): any byte string gives a report or a clean refusal, never another exception, and a refused
file stores nothing (never a partial write).

The write-path properties run on SQLite and PostgreSQL (the ``db`` fixture); one database serves all the
examples of a test, so each example compares the stored rows before and after."""

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from data_access.price_files import PriceFileError, parse_price_file
from data_access.schema import MarketPrice, PowerReading, PriceImport
from services import footprint, upload_flow
from services.errors import InvalidInput
from services.prices import import_prices

PROPERTY = settings(max_examples=50, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

HEADERS = ["interval_start_utc,day_ahead,intraday", "time,day-ahead,intra-day",
           "StartTime,DataProvider,SettlementDate,SettlementPeriod,Price,Volume",
           "Date," + ",".join(f"{h:02d}-{(h + 1) % 24:02d}" for h in range(24))]
cell = st.sampled_from(["2024-01-01T00:00:00Z", "2024-01-01T00:30:00Z", "2024-01-01T00:10:00Z", "01/01/2024 00:00",
                        "2024-03-31", "APXMIDP", "1", "48", "50", "61.5", "-1500", "1e400", "1e300", "nan", "", "x", "0",
                        "2024-01-01T00:00:00"]) | st.text(max_size=10)
price_csv = st.tuples(st.sampled_from(HEADERS), st.lists(st.lists(cell, min_size=1, max_size=26), max_size=5)).map(
    lambda t: (t[0] + "\n" + "".join(",".join(row) + "\n" for row in t[1])).encode("utf-8", "surrogatepass"))
any_file = st.binary(max_size=400) | price_csv


def state(db) -> tuple:
    with db.session() as session:
        rows = session.execute(select(MarketPrice.market, MarketPrice.interval_start_utc, MarketPrice.source,
                                      MarketPrice.price_gbp_per_mwh).order_by(MarketPrice.id)).all()
        imports = session.scalar(select(func.count(PriceImport.id)))
    return tuple(rows), imports


@PROPERTY
@given(content=any_file, fmt=st.sampled_from([None, "seed", "mid", "epex"]))
@example(content=b"\x1f\x8b", fmt=None)  # a truncated gzip stream raised EOFError before
# A settlement period too large for the time arithmetic raised pandas' OutOfBoundsTimedelta (found under load):
@example(content=b"StartTime,DataProvider,SettlementDate,SettlementPeriod,Price,Volume\n"
                 b"2024-01-01T00:00:00Z,APXMIDP,2024-01-01,1e300,61.5,1\n", fmt=None)
@example(content=b"Settlement Date,Settlement Period,System Sell Price(GBP/MWh)\n2024-01-01,1e300,61.5\n",
         fmt=None)
def test_any_bytes_parse_to_good_rows_and_rejections_or_a_price_file_error(content, fmt):
    try:
        parsed = parse_price_file(content, "fuzz.csv", fmt)
    except PriceFileError as error:
        assert str(error).startswith("fuzz.csv")
        return
    assert list(parsed.rejected.columns) == ["line", "column", "reason"]
    assert parsed.prices["price_gbp_per_mwh"].between(-1_000, 10_000).all()
    assert (parsed.rejected["line"] >= 2).all()


def test_a_price_import_of_any_bytes_is_all_or_nothing(db):
    @PROPERTY
    @given(content=any_file, good_lines_only=st.booleans())
    def check(content, good_lines_only):
        before = state(db)
        try:
            report = import_prices(db, content, "fuzz.csv", source="upload:fuzz", good_lines_only=good_lines_only)
        except InvalidInput as error:
            assert str(error)
            assert state(db) == before
            return
        after = state(db)
        if not report.stored:
            assert report.rejections and after == before and report.rows_added == 0
        else:
            assert len(after[0]) == len(before[0]) + report.rows_added
            assert after[1] == before[1] + (1 if report.import_id is not None else 0)
            assert report.rejections == [] or good_lines_only

    check()


def test_the_upload_flow_gives_a_preview_or_a_refusal_for_any_bytes_and_a_refused_file_stores_nothing(db):
    footprint.register_asset(db, "battery1", "Battery", rating_kw=500.0)

    def power_rows() -> int:
        with db.session() as session:
            return session.scalar(select(func.count()).select_from(PowerReading))

    @PROPERTY
    @given(content=any_file | st.lists(st.tuples(st.sampled_from(["2019-11-25 00:00:00", "0261-01-01", "x"]),
                                                  st.sampled_from(["battery1", "unknown9"]),
                                                  st.sampled_from(["10", "-1e12", "nan"])), max_size=4).map(
        lambda rows: ("Time,Variable,AssetId,Value\n" + "".join(f"{t},power,{a},{v}\n" for t, a, v in rows)).encode()),
           kind=st.sampled_from([upload_flow.PRICES, upload_flow.COV_POWER]), good_lines_only=st.booleans())
    def check(content, kind, good_lines_only):
        before, power_before = state(db), power_rows()
        preview = upload_flow.preview(kind, db, content, "fuzz.csv", {})
        assert preview.error or preview.summary
        assert state(db) == before and power_rows() == power_before  # a preview never writes
        outcome = upload_flow.commit(kind, db, content, "fuzz.csv", {}, "fuzzer", digest=preview.digest or None,
                                     good_lines_only=good_lines_only)
        assert outcome.error or outcome.summary
        if outcome.error or not outcome.stored:
            assert state(db) == before and power_rows() == power_before

    check()
