"""The carbon intensity client against a local fake API on 127.0.0.1: good, malformed, failing and
hanging answers, and the file fallback. The real fixture is an autumn clock-change night."""

import json
import shutil
import threading
import time
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from data_access.carbon_intensity import (
    CarbonIntensityClient,
    IntensityDataError,
    parse_intensity_document,
    read_intensity_folder,
)
from services import footprint

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "carbon" / "intensity_api_fixture_2024-10-27.json"
START = datetime(2024, 10, 26, 22, 30, tzinfo=UTC)
END = datetime(2024, 10, 27, 2, 0, tzinfo=UTC)


class FakeApi:
    """Answers every request with ``self.body`` and ``self.status``, after ``self.delay_s``."""

    def __init__(self):
        self.body = FIXTURE.read_bytes()
        self.status = 200
        self.delay_s = 0.0
        self.paths: list[str] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                api.paths.append(self.path)
                time.sleep(api.delay_s)
                try:
                    self.send_response(api.status)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(api.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (the hanging case), as it should

            def log_message(self, *_args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_api():
    api = FakeApi()
    yield api
    api.close()


@pytest.fixture
def fallback_dir(tmp_path) -> Path:
    folder = tmp_path / "fallback"
    folder.mkdir()
    shutil.copy(FIXTURE, folder / "night.json")
    return folder


def test_the_real_fixture_parses_across_the_autumn_clock_change():
    frame = parse_intensity_document(json.loads(FIXTURE.read_text()), "fixture")
    assert len(frame) == 7
    assert frame["interval_start_utc"].iloc[0].isoformat() == "2024-10-26T22:30:00+00:00"
    assert frame["actual_g_per_kwh"].tolist() == [92, 88, 85, 81, 82, 82, 87]
    assert frame["forecast_g_per_kwh"].iloc[3] == 82


def test_the_client_asks_the_api_path_and_reads_its_answer(fake_api, fallback_dir):
    fetched = CarbonIntensityClient(fake_api.url, 2.0, fallback_dir).fetch(START, END)
    assert fetched.source == "api" and fetched.problem is None
    assert fake_api.paths == ["/intensity/2024-10-26T22:30Z/2024-10-27T02:00Z"]
    assert len(fetched.frame) == 7


@pytest.mark.parametrize("body,status,reason", [
    (b"{not json", 200, "not JSON"),
    (b'{"data": [{"from": "2024-10-26T22:30Z", "to": "2024-10-26T23:00Z", "intensity": {"actual": "high"}}]}', 200,
     "not an intensity"),
    (b'{"error": "oops"}', 200, "'data' list"),
    (b"{}", 500, "500"),
])
def test_a_malformed_or_failing_answer_falls_back_to_the_files(fake_api, fallback_dir, body, status, reason):
    fake_api.body, fake_api.status = body, status
    fetched = CarbonIntensityClient(fake_api.url, 2.0, fallback_dir).fetch(START, END)
    assert fetched.source == "file fallback"
    assert reason in fetched.problem
    assert fetched.frame["actual_g_per_kwh"].tolist() == [92, 88, 85, 81, 82, 82, 87]


def test_a_hanging_api_times_out_and_falls_back(fake_api, fallback_dir):
    fake_api.delay_s = 3.0
    began = time.perf_counter()
    fetched = CarbonIntensityClient(fake_api.url, 0.5, fallback_dir).fetch(START, END)
    assert time.perf_counter() - began < 2.5
    assert fetched.source == "file fallback" and "Timeout" in fetched.problem
    assert len(fetched.frame) == 7


def test_without_api_or_fallback_the_error_says_so(tmp_path):
    client = CarbonIntensityClient("http://127.0.0.1:9", 0.5, None)
    with pytest.raises(IntensityDataError, match="no fallback folder"):
        client.fetch(START, END)
    assert read_intensity_folder(tmp_path).empty


def test_fetched_values_are_stored_and_a_50_period_day_gets_its_footprint(db, fake_api, fallback_dir):
    client = CarbonIntensityClient(fake_api.url, 2.0, fallback_dir)
    report = footprint.fetch_intensity(db, client, date(2024, 10, 27), date(2024, 10, 27))
    assert report.source == "api" and report.changed == 6  # 23:00Z onwards belongs to 27 Oct
    footprint.register_asset(db, "b", "")
    footprint.import_readings(db, "b", [{"time": "2024-10-26T23:00:00", "power_kw": 10}])
    day = footprint.asset_day_footprint(db, "b", date(2024, 10, 27))
    assert len(day) == 50
    # HH1 starts 23:00 UTC (BST midnight): 10 kW × 0.5 h × 88 g/kWh = 440 g
    assert day["footprint_g"].iloc[0] == pytest.approx(440.0)
    assert day["footprint_g"].iloc[6:].isna().all()  # no intensity stored after 02:00 UTC
