"""Importing COV power files: whole or nothing, line-numbered errors, idempotent, assets, recomputation."""

from datetime import date

import pandas as pd
import pytest

from data_access.schema import PowerReading
from services import footprint
from services.errors import InvalidInput

DAY = date(2019, 11, 25)
HEADER = "Time,Variable,AssetId,Value\n"


def csv(*rows: str) -> bytes:
    return (HEADER + "\n".join(rows) + "\n").encode()


def reading_count(db) -> int:
    with db.session() as session:
        return session.query(PowerReading).count()


@pytest.fixture
def asset_db(db):
    footprint.register_asset(db, "bat1", "Battery one")
    return db


def test_every_bad_row_is_reported_with_its_line_number_and_nothing_is_stored(asset_db):
    content = csv("2019-11-25 00:00:00.0000000,power,bat1,10",
                  "yesterday,power,bat1,5",
                  "2019-11-25 00:10:00,power,bat1,lots",
                  "2019-11-25 00:20:00,voltage,bat1,230")
    with pytest.raises(InvalidInput) as error:
        footprint.import_power_file(asset_db, content, "bad.csv")
    message = str(error.value)
    assert "nothing was stored" in message
    assert "line 3: time 'yesterday'" in message
    assert "line 4: value 'lots'" in message
    assert "line 5: variable 'voltage'" in message
    assert "line 2" not in message
    assert reading_count(asset_db) == 0


def test_reimporting_the_same_file_adds_nothing(asset_db):
    content = csv("2019-11-25 00:15:00.1234567,power,bat1,-50", "2019-11-25 00:00:00,power,bat1,100")
    first = footprint.import_power_file(asset_db, content, "a.csv")
    again = footprint.import_power_file(asset_db, content, "a.csv")
    assert (first.rows_added, again.rows_added, again.rows_already_stored) == (2, 0, 2)
    assert reading_count(asset_db) == 2


def test_a_contradicting_value_at_a_stored_time_is_refused_whole(asset_db):
    footprint.import_power_file(asset_db, csv("2019-11-25 00:00:00,power,bat1,100"), "a.csv")
    with pytest.raises(InvalidInput, match="line 3: asset bat1 already has 100 kW stored"):
        footprint.import_power_file(asset_db, csv("2019-11-25 01:00:00,power,bat1,1",
                                                  "2019-11-25 00:00:00,power,bat1,99"), "b.csv")
    assert reading_count(asset_db) == 1


def test_an_unknown_asset_is_reported_unless_registering_is_asked_for(asset_db):
    content = csv("2019-11-25 00:00:00,power,newbie,1")
    with pytest.raises(InvalidInput, match="unknown asset.*newbie"):
        footprint.import_power_file(asset_db, content, "n.csv")
    assert reading_count(asset_db) == 0
    report = footprint.import_power_file(asset_db, content, "n.csv", register_assets=True)
    assert report.assets_registered == ["newbie"]
    assert "newbie" in [a.asset_id for a in footprint.list_assets(asset_db)]


def test_times_without_offset_are_utc_and_offsets_are_honoured(asset_db):
    # 01:00+01:00 is 00:00 UTC: HH1 = 100 kW; a naive 00:15 (UTC) → −50: HH1 = (100×15 − 50×15)/30 = 25 kW
    footprint.import_power_file(asset_db, csv("2019-11-25T01:00:00+01:00,power,bat1,100",
                                              "2019-11-25 00:15:00,power,bat1,-50"), "tz.csv")
    day = footprint.asset_day_footprint(asset_db, "bat1", DAY)
    assert day["power_kw"].iloc[0] == pytest.approx(25.0)
    assert day["energy_kwh"].iloc[0] == pytest.approx(12.5)


def test_new_readings_and_new_intensity_recompute_stored_footprints(asset_db):
    footprint.import_power_file(asset_db, csv("2019-11-25 00:00:00,power,bat1,100"), "a.csv")
    before = footprint.asset_day_footprint(asset_db, "bat1", DAY)
    assert before["footprint_g"].isna().all()  # no intensity stored yet: unknown, not zero
    intensity = pd.DataFrame({"interval_start_utc": pd.to_datetime(["2019-11-25T00:00Z"], utc=True),
                              "forecast_g_per_kwh": [300.0], "actual_g_per_kwh": [float("nan")],
                              "index_label": ["high"]})
    report = footprint.store_intensity(asset_db, intensity, "test")
    assert report.footprints_recomputed == 1
    day = footprint.asset_day_footprint(asset_db, "bat1", DAY)
    assert day["footprint_g"].iloc[0] == pytest.approx(100 * 0.5 * 300)  # 15 000 g from the forecast
    assert day["intensity_kind"].iloc[0] == "forecast"
    intensity["actual_g_per_kwh"] = 200.0
    footprint.store_intensity(asset_db, intensity, "test")
    assert footprint.asset_day_footprint(asset_db, "bat1", DAY)["footprint_g"].iloc[0] == pytest.approx(10_000)
    footprint.import_power_file(asset_db, csv("2019-11-25 00:15:00,power,bat1,0"), "b.csv")
    assert footprint.asset_day_footprint(asset_db, "bat1", DAY)["footprint_g"].iloc[0] == pytest.approx(5_000)


def test_json_readings_name_the_bad_item(asset_db):
    with pytest.raises(InvalidInput, match="item 1: value 'x'"):
        footprint.import_readings(asset_db, "bat1", [{"time": "2019-11-25T00:00Z", "power_kw": 1},
                                                     {"time": "2019-11-25T00:01Z", "power_kw": "x"}])
    report = footprint.import_readings(asset_db, "bat1", [{"time": "2019-11-25T00:00Z", "power_kw": 1}])
    assert report.rows_added == 1


def test_a_file_beside_stored_readings_adds_all_its_own_and_overlapping_ones_are_checked(asset_db):
    footprint.import_power_file(asset_db, csv("2019-11-25 00:00:00,power,bat1,100", "2019-11-25 00:05:00,power,bat1,50"),
                                "a.csv")
    later = csv("2019-11-25 01:00:00,power,bat1,7", "2019-11-25 00:30:00,power,bat1,8")  # none stored in its span
    preview = footprint.preview_power_file(asset_db, later, "b.csv")
    assert (preview.new, preview.already_stored) == ({"bat1": 2}, {"bat1": 0})
    report = footprint.import_power_file(asset_db, later, "b.csv")
    assert (report.rows_added, report.rows_already_stored) == (2, 0)
    assert reading_count(asset_db) == 4
    with pytest.raises(InvalidInput, match="already has 50 kW stored"):  # a span holding stored ones still joins
        footprint.import_power_file(asset_db, csv("2019-11-25 00:05:00,power,bat1,51",
                                                  "2019-11-25 02:00:00,power,bat1,1"), "c.csv")
    assert reading_count(asset_db) == 4
