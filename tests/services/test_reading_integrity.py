"""COV readings are checked before they are stored (API items, files, the command line alike), and reads
survive rows an older version stored: such rows are skipped and counted, never a 500.

Runs on SQLite and PostgreSQL (the ``db`` fixture)."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import insert, select

from data_access.schema import PowerReading
from services import footprint
from services.errors import InvalidInput

DAY = date(2019, 11, 25)
NOW = datetime(2019, 11, 26, 12, 0, tzinfo=UTC)
HEADER = "Time,Variable,AssetId,Value\n"


def csv(*rows: str) -> bytes:
    return (HEADER + "\n".join(rows) + "\n").encode()


def stored(db) -> list[tuple]:
    with db.session() as session:
        return session.execute(select(PowerReading.asset_id, PowerReading.time_utc, PowerReading.power_kw)
                               .order_by(PowerReading.time_utc)).all()


@pytest.fixture
def rated_db(db):
    footprint.register_asset(db, "battery1", "Battery", rating_kw=500.0)
    footprint.register_asset(db, "unrated1", "Site")
    return db


def test_a_file_with_one_implausible_reading_is_refused_whole_with_every_reason(rated_db):
    content = csv("2019-11-25 00:00:00,power,battery1,100",
                  "0261-01-01 00:00:00,power,battery1,5",
                  "2019-11-25 01:00:00,power,battery1,-1e12",
                  "2019-11-27 12:00:01,power,battery1,5",
                  "2019-11-25 02:00:00,power,unrated1,20000000")
    with pytest.raises(footprint.ImplausibleReadings) as error:
        footprint.import_power_file(rated_db, content, "bad.csv", now_utc=NOW)
    assert [n for n, _ in error.value.problems] == [3, 4, 5, 6]
    message = str(error.value)
    assert "4 reading(s) are implausible; nothing was stored" in message
    assert "line 3: asset battery1: time 0261-01-01T00:00:00+00:00 is before 2000-01-01" in message
    assert "line 4: asset battery1: power -1e+12 kW is outside ±5000 kW (10 × the asset's rating of 500 kW)" in message
    assert "line 5: asset battery1: time 2019-11-27T12:00:01+00:00 is more than a day after now" in message
    assert "line 6: asset unrated1: power 2e+07 kW is outside ±1e+07 kW (10 GW" in message
    assert stored(rated_db) == []


def test_the_limits_themselves_are_accepted(rated_db):
    report = footprint.import_power_file(rated_db, csv("2000-01-01 00:00:00,power,battery1,5000",
                                                       "2019-11-27 12:00:00,power,battery1,-5000"),
                                         "edge.csv", now_utc=NOW)
    assert report.rows_added == 2 and len(stored(rated_db)) == 2


def test_posted_items_are_refused_by_item_number_and_nothing_is_stored(rated_db):
    with pytest.raises(footprint.ImplausibleReadings) as error:
        footprint.import_readings(rated_db, "battery1", [{"time": "2019-11-25T00:00:00Z", "power_kw": 10},
                                                         {"time": "0261-01-01T00:00:00Z", "power_kw": 10}],
                                  now_utc=NOW)
    assert error.value.as_records() == [{"item": 1, "reason": "asset battery1: time 0261-01-01T00:00:00+00:00 "
                                                              "is before 2000-01-01"}]
    assert stored(rated_db) == []


def test_unknown_assets_are_not_registered_by_a_refused_file(db):
    with pytest.raises(InvalidInput):
        footprint.import_power_file(db, csv("1999-01-01 00:00:00,power,newsite1,5"), "x.csv", register_assets=True,
                                    now_utc=NOW)
    assert [a.asset_id for a in footprint.list_assets(db)] == []


def test_a_rating_must_be_a_positive_power(db):
    for bad in (0, -5, float("nan"), "500", True, 2e7):
        with pytest.raises(InvalidInput, match="not a power in kW"):
            footprint.register_asset(db, "battery1", "x", rating_kw=bad)
    assert footprint.list_assets(db) == []


def _store_like_an_older_version(db, *rows: tuple[datetime, float]) -> None:
    with db.session() as session:
        session.execute(insert(PowerReading), [{"asset_id": "battery1", "time_utc": t, "power_kw": p,
                                                "source": "old version", "ingested_at": NOW} for t, p in rows])


def test_a_read_skips_rows_an_older_version_stored_and_counts_them(rated_db):
    _store_like_an_older_version(rated_db, (datetime(261, 1, 1, tzinfo=UTC), 5.0),
                                 (datetime(2019, 11, 25, 6, 0, tzinfo=UTC), -1e12))
    footprint.import_power_file(rated_db, csv("2019-11-25 00:00:00,power,battery1,100",
                                              "2019-11-25 12:00:00,power,battery1,200"), "good.csv", now_utc=NOW)
    result = footprint.footprint_range(rated_db, "battery1", DAY)
    assert result.skipped_readings == 2  # the year-0261 row would have been held into the day, the -1e12 is in it
    assert result.warnings == ["2 stored reading(s) of battery1 on 2019-11-25 fail today's rules (time before "
                               "2000-01-01 or in the future, or power beyond the asset's limit) and were left out"]
    powers = result.rows["power_kw"].tolist()
    assert powers[0] == 100.0 and powers[12] == 100.0 and powers[24] == 200.0  # -1e12 at 06:00 left out


def test_a_read_survives_a_year_0261_reading_held_into_every_later_day(rated_db):
    _store_like_an_older_version(rated_db, (datetime(261, 1, 1, tzinfo=UTC), 5.0))
    result = footprint.footprint_range(rated_db, "battery1", DAY)
    assert result.skipped_readings == 1
    assert result.rows["power_kw"].isna().all()
    (asset,) = [a for a in footprint.list_assets(rated_db) if a.asset_id == "battery1"]
    assert asset.first_reading_utc is None
