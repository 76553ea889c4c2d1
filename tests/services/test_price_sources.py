"""Price sources against a local fake Elexon MID server on 127.0.0.1, and the folder source."""

import contextlib
import json
import threading
import time
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from data_access.price_sources import ElexonMidHttpSource, FolderSource, PriceSourceError
from services.errors import InvalidInput
from services.price_fetch import fetch_prices
from services.prices import prices_for_dates
from tests.conftest import make_settings

ITEMS = [  # the Elexon Insights shape; the spring clock-change day 2024-03-31 (46 periods)
    {"startTime": "2024-03-31T00:00:00Z", "dataProvider": "APXMIDP", "settlementDate": "2024-03-31",
     "settlementPeriod": 1, "price": 61.2, "volume": 900.5},
    {"startTime": "2024-03-31T00:30:00Z", "dataProvider": "APXMIDP", "settlementDate": "2024-03-31",
     "settlementPeriod": 2, "price": 58.0, "volume": 850.0},
    {"startTime": "2024-03-31T01:00:00Z", "dataProvider": "APXMIDP", "settlementDate": "2024-03-31",
     "settlementPeriod": 3, "price": 55.5, "volume": 800.0},
    {"startTime": "2024-03-31T02:00:00Z", "dataProvider": "APXMIDP", "settlementDate": "2024-03-31",
     "settlementPeriod": 4, "price": "oops", "volume": 800.0},  # SP4 starts 01:30Z, and the price is bad
]


class FakeElexon:
    """``mode``: ok | hang | malformed | fail-then-ok (HTTP 503 once) | not-json."""

    def __init__(self, mode: str):
        self.mode = mode
        self.requests: list[dict] = []
        self.released = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server API)
                fake.requests.append(parse_qs(urlparse(self.path).query))
                if fake.mode == "hang":  # until the test ends: far longer than any client timeout
                    fake.released.wait(60)
                if fake.mode == "fail-then-ok" and len(fake.requests) == 1:
                    self.send_response(503)
                    self.end_headers()
                    return
                body = {"ok": json.dumps({"data": ITEMS}), "fail-then-ok": json.dumps({"data": ITEMS}),
                        "malformed": json.dumps({"items": ITEMS}), "not-json": "<html>busy</html>",
                        "hang": json.dumps({"data": ITEMS})}[fake.mode].encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError):
                    self.wfile.write(body)

            def log_message(self, *_args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/bmrs/api/v1/balancing/pricing/market-index"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *_exc):
        self.released.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def sqlite_db(tmp_path):
    from data_access import migrate
    from data_access.engine import Database

    url = f"sqlite:///{tmp_path / 'p.db'}"
    migrate.upgrade(url)
    database = Database.from_url(url)
    yield database
    database.dispose()


def test_http_source_imports_the_json_and_rejects_bad_items_by_number(sqlite_db, tmp_path):
    with FakeElexon("ok") as fake:
        settings = make_settings(tmp_path, "sqlite://", elexon_mid_url=fake.url)
        refused = fetch_prices(sqlite_db, settings, "elexon-mid", date(2024, 3, 31), date(2024, 3, 31))
        assert not refused.reports[0].stored and refused.reports[0].good_lines == 3
        assert prices_for_dates(sqlite_db, date(2024, 3, 31), date(2024, 3, 31)).empty
        outcome = fetch_prices(sqlite_db, settings, "elexon-mid", date(2024, 3, 31), date(2024, 3, 31),
                               good_lines_only=True)
    assert fake.requests[0]["from"] == ["2024-03-31"] and fake.requests[0]["dataProviders"] == ["APXMIDP"]
    report = outcome.reports[0]
    assert report.source == "elexon-mid" and report.rows_added == 3 and report.rows_rejected == 1
    line, reason = report.rejected[0]
    assert line == 5 and "not settlement period 4" in reason  # item 4 is line 5 of the CSV form
    stored = prices_for_dates(sqlite_db, date(2024, 3, 31), date(2024, 3, 31))
    assert stored["market_index"].tolist() == [61.2, 58.0, 55.5]
    assert stored["settlement_period"].tolist() == [1, 2, 3]


def test_a_5xx_is_retried(sqlite_db, tmp_path):
    with FakeElexon("fail-then-ok") as fake:
        source = ElexonMidHttpSource(fake.url, timeout_s=2, retries=2, backoff_s=0.01)
        result = source.fetch(date(2024, 3, 31), date(2024, 3, 31))
    assert len(fake.requests) == 2 and "HTTP 503" in result.notes[0]
    assert b"2024-03-31T00:00:00Z" in result.documents[0].content


def test_a_hanging_server_is_bounded_by_the_timeout_then_the_files_are_used(sqlite_db, tmp_path):
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "mid.csv").write_text(
        "StartTime,DataProvider,SettlementDate,SettlementPeriod,Price,Volume\n"
        "2024-03-31T00:00:00Z,APXMIDP,2024-03-31,1,70.0,1\n")
    with FakeElexon("hang") as fake:
        source = ElexonMidHttpSource(fake.url, timeout_s=0.3, retries=1, backoff_s=0.01,
                                     fallback=FolderSource(folder))
        started = time.monotonic()
        outcome = fetch_prices(sqlite_db, None, "elexon-mid", date(2024, 3, 31), date(2024, 3, 31), source=source)
        elapsed = time.monotonic() - started
    assert elapsed < 30, elapsed  # two attempts of 0.3 s each, not the server's 60 s silence
    assert any("no answer within 0.3 s" in note for note in outcome.notes)
    assert any("used the fallback files" in note for note in outcome.notes)
    assert outcome.reports[0].rows_added == 1


def test_a_malformed_response_without_a_fallback_is_a_clear_error(sqlite_db, tmp_path):
    for mode, message in (("malformed", "no 'data' list"), ("not-json", "not JSON")):
        with FakeElexon(mode) as fake:
            settings = make_settings(tmp_path, "sqlite://", elexon_mid_url=fake.url, price_fetch_retries=0)
            with pytest.raises(InvalidInput, match=message):
                fetch_prices(sqlite_db, settings, "elexon-mid", date(2024, 3, 31), date(2024, 3, 31))
        assert len(fake.requests) == 1  # a malformed answer is not retried


def test_unreachable_source_is_retried_then_reported(tmp_path):
    with FakeElexon("ok") as fake:
        url = fake.url
    source = ElexonMidHttpSource(url, timeout_s=0.5, retries=2, backoff_s=0.01)
    with pytest.raises(PriceSourceError, match="unavailable after 3 attempts"):
        source.fetch(date(2024, 3, 31), date(2024, 3, 31))


def test_folder_source_imports_each_file_once_within_the_range(sqlite_db, tmp_path):
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "epex.csv").write_text(
        "Date," + ",".join(f"{h:02d}-{(h + 1) % 24:02d}" for h in range(24)) + ",Baseload,Peakload\n"
        "2025-02-01," + ",".join(str(50 + h) for h in range(24)) + ",1,1\n"
        "2025-02-02," + ",".join(str(60 + h) for h in range(24)) + ",1,1\n")
    (folder / "notes.txt").write_text("not a price file")
    settings = make_settings(tmp_path, "sqlite://", prices_folder=folder)
    outcome = fetch_prices(sqlite_db, settings, "folder", date(2025, 2, 2), date(2025, 2, 2))
    assert [r.source for r in outcome.reports] == ["folder:epex.csv"]
    assert outcome.reports[0].rows_added == 48  # only 2 February
    again = fetch_prices(sqlite_db, settings, "folder", date(2025, 2, 2), date(2025, 2, 2))
    assert again.reports[0].rows_added == 0 and again.reports[0].rows_unchanged == 48
    with pytest.raises(InvalidInput, match="unknown price source"):
        fetch_prices(sqlite_db, settings, "ftp", date(2025, 2, 2), date(2025, 2, 2))
