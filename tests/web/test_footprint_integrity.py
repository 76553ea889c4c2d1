"""The footprint API refuses implausible readings (400, one reason per reading, nothing stored), answers a
read of an asset whose older rows fail today's rules with warnings instead of a 500, and keeps the seed
API's 400s for an asset id of the wrong length and a date not written YYYY-MM-DD."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import insert

from data_access.schema import PowerReading
from services import footprint
from services.api_keys import create_api_key

NOW = datetime(2019, 11, 26, 12, 0, tzinfo=UTC)


@pytest.fixture
def machine(server):
    server.extensions["powerdesk"].clock = lambda: NOW
    db = server.extensions["powerdesk"].db
    footprint.load_intensity_file(db, footprint.DEMO_INTENSITY_DIR / "reconstructed_2019-11-25.json")
    key = create_api_key(db, "site-meter").key
    client = server.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    created = client.post("/api/v1/footprint/assets", json={"asset_id": "battery1", "rating_kw": 500})
    assert created.status_code == 201
    return client


def readings(client) -> list:
    return client.get("/api/v1/footprint/battery1/2019-11-25?from=1&to=1").json["rows"]


def test_implausible_readings_get_400_with_each_reason_and_nothing_is_stored(machine):
    before = readings(machine)
    response = machine.post("/api/v1/footprint/assets/battery1/readings", json={"readings": [
        {"time": "2019-11-25T00:00:00Z", "power_kw": 40},
        {"time": "0261-01-01T00:00:00Z", "power_kw": 40},
        {"time": "2019-11-25T00:10:00Z", "power_kw": -1e12},
        {"time": "2019-11-27T12:00:01Z", "power_kw": 1}]})
    assert response.status_code == 400
    assert response.json["problems"] == [
        {"item": 1, "reason": "asset battery1: time 0261-01-01T00:00:00+00:00 is before 2000-01-01"},
        {"item": 2, "reason": "asset battery1: power -1e+12 kW is outside ±5000 kW (10 × the asset's rating of "
                              "500 kW)"},
        {"item": 3, "reason": "asset battery1: time 2019-11-27T12:00:01+00:00 is more than a day after now "
                              "(2019-11-26T12:00:00+00:00)"}]
    assert "3 reading(s) are implausible; nothing was stored" in response.json["detail"]
    assert readings(machine) == before and before[0]["power_kw"] is None
    listed = {a["asset_id"]: a for a in machine.get("/api/v1/footprint/assets").json["assets"]}
    assert listed["battery1"]["first_reading_utc"] is None


def test_a_bad_rating_is_refused_and_nothing_is_registered(machine):
    response = machine.post("/api/v1/footprint/assets", json={"asset_id": "battery2", "rating_kw": -3})
    assert response.status_code == 400 and "not a power in kW" in response.json["detail"]
    assert "battery2" not in {a["asset_id"] for a in machine.get("/api/v1/footprint/assets").json["assets"]}


def test_a_year_0261_row_from_an_older_version_is_skipped_and_counted_not_a_500(server, machine):
    with server.extensions["powerdesk"].db.session() as session:
        session.execute(insert(PowerReading), [{"asset_id": "battery1", "time_utc": datetime(261, 1, 1, tzinfo=UTC),
                                                "power_kw": 5.0, "source": "old", "ingested_at": NOW}])
    posted = machine.post("/api/v1/footprint/assets/battery1/readings",
                          json={"readings": [{"time": "2019-11-25T00:00:00Z", "power_kw": 40}]})
    assert posted.status_code == 200 and posted.json["readings_added"] == 1
    for day in ("2019-11-25", "2019-11-26", "2024-01-01"):
        response = machine.get(f"/api/v1/footprint/battery1/{day}")
        assert response.status_code == 200, day
    body = machine.get("/api/v1/footprint/battery1/2019-11-25?from=1&to=1").json
    assert body["rows"][0]["power_kw"] == 40.0
    assert body["warnings"] and body["warnings"][0].startswith("1 stored reading(s) of battery1 on 2019-11-25")
    assert machine.get("/footprint/battery1/2019-11-25/14-20/").status_code == 200
    assert machine.get("/api/v1/footprint/assets").status_code == 200


SEED_400 = [
    ("/api/v1/footprint/abc123/2019-11-25", "7 to 14 characters; 'abc123' has 6"),
    ("/api/v1/footprint/abcdefghijklmno/2019-11-25", "has 15"),
    ("/footprint/abc123/2019-11-25/14-20/", "7 to 14 characters"),
    ("/api/v1/footprint/battery1/20191125", "is not a date in YYYY-MM-DD form"),
    ("/api/v1/footprint/battery1/2019-W48-1", "is not a date in YYYY-MM-DD form"),
    ("/footprint/battery1/20191125/14-20/", "is not a date in YYYY-MM-DD form"),
    ("/footprint/battery1/2019-W48-1/14-20/", "is not a date in YYYY-MM-DD form"),
    ("/api/v1/footprint/battery1/2019-11-25T00:00", "is not a date in YYYY-MM-DD form"),
]


def test_seed_compatible_400s_for_asset_id_length_and_date_form(machine):
    for url, message in SEED_400:
        response = machine.get(url)
        assert response.status_code == 400, url
        assert message in response.json["detail"], url


def test_a_registered_short_id_stays_readable_and_an_unknown_seed_length_id_is_404(machine):
    assert machine.post("/api/v1/footprint/assets", json={"asset_id": "b1"}).status_code == 201
    assert machine.get("/api/v1/footprint/b1/2019-11-25").status_code == 200
    assert machine.get("/api/v1/footprint/nobody12/2019-11-25").status_code == 404
