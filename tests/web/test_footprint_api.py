"""/api/v1/footprint and the seed's /footprint/... path: JSON shape, CSV, every 400 and 404, API keys."""

import pytest

from services import footprint
from services.api_keys import create_api_key
from tests.conftest import api_csrf_headers

SEED = "/api/v1/footprint/abc123xyz/2019-11-25"


@pytest.fixture
def seeded_server(server):
    db = server.extensions["powerdesk"].db
    footprint.load_intensity_file(db, footprint.DEMO_INTENSITY_DIR / "reconstructed_2019-11-25.json")
    footprint.register_asset(db, footprint.DEMO_ASSET_ID, "demo")
    footprint.import_power_file(db, footprint.DEMO_POWER_FILE.read_bytes(), footprint.DEMO_POWER_FILE.name)
    return server


@pytest.fixture
def viewer(seeded_server, client_as):
    return client_as("viewer")


def test_the_seed_range_has_the_documented_json_shape(viewer):
    body = viewer.get(f"{SEED}?from=14&to=20").json
    assert set(body) == {"asset_id", "date", "rows", "total_g", "warnings"} and body["warnings"] == []
    assert body["asset_id"] == "abc123xyz" and body["date"] == "2019-11-25" and body["total_g"] == 0
    assert [r["half_hour_id"] for r in body["rows"]] == list(range(14, 21))
    assert body["rows"][0] == {"half_hour_id": 14, "start_utc": "2019-11-25T06:30:00Z", "power_kw": 0.0,
                               "energy_kwh": 0.0, "intensity_g_per_kwh": 272.0, "intensity_kind": "actual",
                               "footprint_g": 0.0}


def test_the_whole_day_by_default_and_exports_are_negative(viewer):
    rows = viewer.get(SEED).json["rows"]
    assert len(rows) == 48
    assert rows[0]["power_kw"] == pytest.approx(-100.0) and rows[0]["footprint_g"] == pytest.approx(-10_000.0)


def test_csv_by_accept_header_or_suffix(viewer):
    by_header = viewer.get(f"{SEED}?from=1&to=2", headers={"Accept": "text/csv"})
    by_suffix = viewer.get(f"{SEED}.csv?from=1&to=2")
    for response in (by_header, by_suffix):
        assert response.mimetype == "text/csv"
        lines = response.get_data(as_text=True).splitlines()
        assert lines[0] == ("asset_id,date,half_hour_id,start_utc,power_kw,energy_kwh,intensity_g_per_kwh,"
                            "intensity_kind,footprint_g")
        assert lines[1].startswith("abc123xyz,2019-11-25,1,2019-11-25T00:00:00Z,-100.0,-50.0,200.0,actual,-10000.0")
        assert len(lines) == 3


BAD_REQUESTS = [
    ("/api/v1/footprint/abc123xyz/2019-02-30", "not a date"),
    ("/api/v1/footprint/abc123xyz/25-11-2019", "not a date"),
    ("/api/v1/footprint/abc123xyz/9999-12-31", "is outside"),
    (f"{SEED}?from=20&to=14", "from=20 is after to=14"),
    (f"{SEED}?from=0&to=5", "HalfHourIds 1 to 48"),
    (f"{SEED}?from=40&to=49", "HalfHourIds 1 to 48"),
    (f"{SEED}?from=x", "not a whole HalfHourId"),
    ("/api/v1/footprint/abc123xyz/2019-03-31?from=47&to=48", "HalfHourIds 1 to 46"),
    ("/api/v1/footprint/runs/abc", "not a run id"),
    ("/footprint/abc123xyz/2019-11-25/14/", "not a HalfHourId range"),
    ("/footprint/abc123xyz/2019-11-25/20-14/", "after"),
]


def test_bad_input_gets_400_with_a_clear_message(viewer):
    for url, message in BAD_REQUESTS:
        response = viewer.get(url)
        assert response.status_code == 400, url
        assert message in response.json["detail"], url


def test_unknown_asset_or_run_gets_404(viewer):
    for url in ["/api/v1/footprint/nobody12/2019-11-25", "/footprint/nobody12/2019-11-25/14-20/",
                "/api/v1/footprint/runs/999"]:
        response = viewer.get(url)
        assert response.status_code == 404 and response.json["error"] == "not found", url


def test_a_50_period_day_accepts_half_hour_50(viewer):
    assert viewer.get("/api/v1/footprint/abc123xyz/2019-10-27?from=49&to=50").status_code == 200


def test_the_seed_path_answers_with_a_png_chart(viewer):
    response = viewer.get("/footprint/abc123xyz/2019-11-25/14-20/")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.data[:8] == b"\x89PNG\r\n\x1a\n"


def test_anonymous_requests_get_401(seeded_server):
    assert seeded_server.test_client().get(SEED).status_code == 401


def test_a_machine_registers_an_asset_and_posts_readings(seeded_server):
    key = create_api_key(seeded_server.extensions["powerdesk"].db, "site-meter").key
    client = seeded_server.test_client()
    headers = {"Authorization": f"Bearer {key}"}
    created = client.post("/api/v1/footprint/assets", json={"asset_id": "site-1", "name": "Site"}, headers=headers)
    assert created.status_code == 201
    posted = client.post("/api/v1/footprint/assets/site-1/readings", headers=headers,
                         json={"readings": [{"time": "2019-11-25T00:00:00", "power_kw": 40}]})
    assert posted.status_code == 200 and posted.json["readings_added"] == 1
    again = client.post("/api/v1/footprint/assets/site-1/readings", headers=headers,
                        json={"readings": [{"time": "2019-11-25T00:00:00Z", "power_kw": 40}]})
    assert again.json["readings_added"] == 0 and again.json["readings_already_stored"] == 1
    row = client.get("/api/v1/footprint/site-1/2019-11-25?from=1&to=1", headers=headers).json["rows"][0]
    assert row["footprint_g"] == pytest.approx(40 * 0.5 * 200)
    bad = client.post("/api/v1/footprint/assets/site-1/readings", headers=headers, json={"readings": "no"})
    assert bad.status_code == 400
    missing = client.post("/api/v1/footprint/assets/ghost/readings", headers=headers,
                          json={"readings": [{"time": "2019-11-25T00:00:00Z", "power_kw": 1}]})
    assert missing.status_code == 404
    listed = client.get("/api/v1/footprint/assets", headers=headers).json["assets"]
    assert {"site-1", "abc123xyz"} <= {a["asset_id"] for a in listed}


def test_a_viewer_may_not_register_assets_but_a_trader_may(seeded_server, client_as):
    viewer = client_as("viewer")
    refused = viewer.post("/api/v1/footprint/assets", json={"asset_id": "x"}, headers=api_csrf_headers(viewer))
    assert refused.status_code == 403
    trader = client_as("trader")
    ok = trader.post("/api/v1/footprint/assets", json={"asset_id": "x"}, headers=api_csrf_headers(trader))
    assert ok.status_code == 201


def test_a_runs_footprint_as_json_and_csv(seeded_server, client_as):
    from datetime import date, timedelta

    from data_access.carbon_intensity import read_intensity_folder
    from domain.settlement_time import day_start_utc
    from optimiser import BatteryParams
    from services.optimisation_runs import RunRequest, run_optimisation

    db = seeded_server.extensions["powerdesk"].db
    day = date(2023, 2, 1)
    footprint.store_intensity(db, read_intensity_folder(footprint.DEMO_INTENSITY_DIR, day_start_utc(day),
                                                        day_start_utc(day + timedelta(days=1))), "test")
    run_id = run_optimisation(db, RunRequest(day, day, BatteryParams(power_mw=50, energy_mwh=100))).run_id
    client = client_as("viewer")
    body = client.get(f"/api/v1/footprint/runs/{run_id}").json
    assert body["run_id"] == run_id and len(body["intervals"]) == 48
    assert body["totals"]["coverage_share"] == 1.0
    net_kg = sum(row["emissions_kg"] for row in body["intervals"])
    assert body["totals"]["net_tco2"] == pytest.approx(net_kg / 1000)
    assert body["intervals"][0]["settlement_period"] == 1 and body["intervals"][0]["intensity_kind"] == "actual"
    csv = client.get(f"/api/v1/footprint/runs/{run_id}.csv")
    assert csv.mimetype == "text/csv" and len(csv.get_data(as_text=True).splitlines()) == 49
