"""The bulk paths of a year's carbon work (issue 21): readings stored by one statement read back exactly as the
row-by-row typed insert stored them, and a range's footprints computed in one pass equal each day's own."""

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import insert, select

from data_access import carbon as store
from data_access.schema import PowerReading
from domain.footprint import day_footprint, range_footprint
from domain.settlement_time import day_start_utc, settlement_index
from services import footprint

# 2023-03-24..2023-03-28 holds the spring clock change (46 half-hours on the 26th).
FIRST, LAST = date(2023, 3, 24), date(2023, 3, 28)


def readings(seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    start = pd.Timestamp(day_start_utc(FIRST)) - pd.Timedelta(hours=2)  # one reading held into the first day
    seconds = np.sort(rng.uniform(0, (LAST - FIRST).days * 86_400 + 9 * 3_600, 900))
    times = start + pd.to_timedelta(np.round(seconds * 1e6), unit="us")
    return pd.DataFrame({"asset_id": "bulk01", "time_utc": times,
                         "power_kw": np.round(rng.normal(0, 300, len(times)), 3)})


def test_range_footprint_equals_each_days_footprint_across_a_clock_change():
    frame = readings()
    intensity = settlement_index(FIRST, LAST).assign(
        actual=lambda f: np.where(np.arange(len(f)) % 3 == 0, np.nan, 150.0 + np.arange(len(f))),
        forecast=lambda f: np.where(np.arange(len(f)) % 5 == 0, np.nan, 210.0))
    whole = range_footprint(FIRST, LAST, frame["time_utc"], frame["power_kw"].to_numpy(),
                            intensity["actual"].to_numpy(), intensity["forecast"].to_numpy())
    assert len(whole) == 4 * 48 + 46
    for day, rows in whole.groupby("settlement_date"):
        mask = (intensity["settlement_date"] == day).to_numpy()
        start = day_start_utc(day)
        held = frame[frame["time_utc"] < start].tail(1)
        inside = frame[(frame["time_utc"] >= start) & (frame["time_utc"] < day_start_utc(day + timedelta(days=1)))]
        own = pd.concat([held, inside])
        expected = day_footprint(day, own["time_utc"], own["power_kw"].to_numpy(),
                                 intensity["actual"].to_numpy()[mask], intensity["forecast"].to_numpy()[mask])
        got = rows.drop(columns="settlement_date").reset_index(drop=True)
        assert got["half_hour_id"].tolist() == expected["half_hour_id"].tolist()
        assert (got["start_utc"] == expected["start_utc"]).all()
        assert got["intensity_kind"].tolist() == expected["intensity_kind"].tolist()
        for column in ("power_kw", "known_share", "energy_kwh", "intensity_g_per_kwh", "footprint_g"):
            np.testing.assert_allclose(got[column].to_numpy(float), expected[column].to_numpy(float),
                                       rtol=1e-9, atol=1e-6, equal_nan=True, err_msg=f"{day} {column}")


def test_bulk_inserted_readings_read_back_like_typed_inserts(db):
    footprint.register_asset(db, "bulk01", "Bulk")
    footprint.register_asset(db, "bulk02", "Typed")
    frame = readings()
    with db.session() as session:
        store.insert_readings(session, frame, "file:a\tb\\c.csv")
        # The same readings under another asset through SQLAlchemy's own typed insert, one dict per row.
        session.execute(insert(PowerReading.__table__), [
            {"asset_id": "bulk02", "time_utc": t.to_pydatetime(), "power_kw": float(v), "source": "typed",
             "ingested_at": datetime.now(UTC)} for t, v in zip(frame["time_utc"], frame["power_kw"], strict=True)])
    start, end = day_start_utc(FIRST + timedelta(days=1)), day_start_utc(LAST)
    with db.session() as session:
        bulk = store.readings_for_window(session, "bulk01", start, end)
        typed = store.readings_for_window(session, "bulk02", start, end)
        sources = set(session.scalars(select(PowerReading.source).where(PowerReading.asset_id == "bulk01")))
        stored = session.execute(select(PowerReading.time_utc, PowerReading.ingested_at)
                                 .where(PowerReading.asset_id == "bulk01")).all()
    assert len(bulk) == len(typed) > 100
    inside = frame[(frame["time_utc"] >= start) & (frame["time_utc"] < end)]
    held = frame[frame["time_utc"] < start].tail(1)
    expected = pd.concat([held, inside])
    assert bulk["time_utc"].tolist() == expected["time_utc"].tolist()  # to the microsecond, in order
    assert bulk["power_kw"].tolist() == expected["power_kw"].tolist()
    pd.testing.assert_frame_equal(bulk, typed)  # same instants to the microsecond, same window boundaries
    assert sources == {"file:a\tb\\c.csv"}
    assert all(t.tzinfo is not None and i.tzinfo is not None for t, i in stored)


def test_bulk_insert_refuses_naive_times(db):
    footprint.register_asset(db, "bulk01", "Bulk")
    frame = readings().assign(time_utc=lambda f: f["time_utc"].dt.tz_localize(None))
    with db.session() as session, pytest.raises(ValueError, match="naive"):
        store.insert_readings(session, frame, "naive")


def test_asset_footprints_of_a_range_equal_the_days_computed_one_by_one(db):
    footprint.register_asset(db, "bulk01", "Bulk")
    footprint.register_asset(db, "bulk02", "Day by day")
    frame = readings()
    with db.session() as session:
        store.insert_readings(session, frame, "a")
        store.insert_readings(session, frame.assign(asset_id="bulk02"), "b")
    footprint.asset_day_footprint(db, "bulk01", FIRST + timedelta(days=2))  # one date stored beforehand
    ranged = footprint.asset_footprints(db, "bulk01", FIRST, LAST)
    assert len(ranged) == 4 * 48 + 46
    for day, rows in ranged.groupby("settlement_date"):
        own = footprint.asset_day_footprint(db, "bulk02", day)
        got = rows.drop(columns="settlement_date").reset_index(drop=True)
        assert got["half_hour_id"].tolist() == own["half_hour_id"].tolist()
        for column in ("power_kw", "known_share", "energy_kwh"):
            np.testing.assert_allclose(got[column].to_numpy(float), own[column].to_numpy(float),
                                       rtol=1e-9, atol=1e-6, equal_nan=True, err_msg=f"{day} {column}")
    assert footprint.asset_footprints(db, "bulk01", FIRST, LAST).equals(ranged)  # stored now: read back the same


@pytest.mark.parametrize("padded", [
    b"Time,Variable,AssetId,Value\n 2023-03-24T00:00:00Z,power,bulk01,5\n2023-03-24T00:10:00Z , Power ,bulk01, -2.5\n",
    b'Time,Variable,AssetId,Value\r\n"2023-03-24T00:00:00Z",power,"bulk01 ",5\r\n\t\r\n2023-03-24T00:10:00Z,Power,bulk01,-2.5\r\n',
    "Time,Variable,AssetId,Value\n2023-03-24T00:00:00Z,power,bulk01,5\n2023-03-24T00:10:00Z,Power\u00a0,bulk01,-2.5\n"
    .encode(),
])
def test_a_cov_file_with_blanks_around_fields_reads_as_the_same_readings(padded):
    from data_access.power_files import read_cov_csv

    plain = b"Time,Variable,AssetId,Value\n2023-03-24T00:00:00Z,power,bulk01,5\n2023-03-24T00:10:00Z,Power,bulk01,-2.5\n"
    expected = read_cov_csv(plain, "plain.csv").drop(columns="line")
    pd.testing.assert_frame_equal(read_cov_csv(padded, "padded.csv").drop(columns="line"), expected)
    assert expected["asset_id"].tolist() == ["bulk01", "bulk01"]
    assert expected["power_kw"].tolist() == [5.0, -2.5]
