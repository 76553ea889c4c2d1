"""Meter readings on SQLite and PostgreSQL: a conflicting value is refused whole (the check runs after the
insert in the same transaction, so it also holds when two requests race)."""

import pytest

from services.meters import ConflictingReadings, parse_readings_payload, readings_of, store_readings

T = 1_606_636_800


def batch(*readings):
    return parse_readings_payload({"smartMeterId": "m-1", "electricityReadings": [
        {"time": t, "reading": r} for t, r in readings]}, now_s=T)


def test_a_conflicting_batch_is_refused_whole_with_every_conflict(db):
    assert store_readings(db, batch((T, 1.0), (T + 10, 2.0), (T + 20, 3.0))) == 3
    with pytest.raises(ConflictingReadings) as error:
        store_readings(db, batch((T - 10, 9.0), (T, 1.5), (T + 20, 3.5), (T + 30, 4.0)))
    assert error.value.conflicts == [(T, 1.0, 1.5), (T + 20, 3.0, 3.5)]
    times, power = readings_of(db, "m-1")
    assert times.tolist() == [T, T + 10, T + 20] and power.tolist() == [1.0, 2.0, 3.0]


def test_resending_stored_readings_adds_nothing_and_raises_nothing(db):
    store_readings(db, batch((T, 1.0), (T + 10, 2.0)))
    assert store_readings(db, batch((T + 10, 2.0), (T, 1.0))) == 0
