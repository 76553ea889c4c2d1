"""``data_access.carbon.insert_readings`` stores exactly the rows it is given, on both backends: SQLite's multi-row
INSERTs (whole statements of SQLITE_ROWS_PER_INSERT rows and a shorter last one, per asset) and PostgreSQL's COPY;
the rows read back through the ORM equal the rows written, and a repeated key fails the whole insert."""

import sqlite3

import numpy as np
import pandas as pd
import psycopg
import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from data_access import carbon as store
from data_access.schema import PowerReading

PER = store.SQLITE_ROWS_PER_INSERT


def written(sizes: dict[str, int]) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    parts = []
    for asset, size in sizes.items():
        micros = np.sort(rng.choice(10**13, size=size, replace=False)) + 1_600_000_000_000_000
        parts.append(pd.DataFrame({"asset_id": asset, "time_utc": pd.to_datetime(micros, unit="us", utc=True),
                                   "power_kw": rng.normal(0, 1000, size).round(6)}))
    frame = pd.concat(parts, ignore_index=True)
    return frame.sample(frac=1, random_state=1).reset_index(drop=True)  # not in key order: the insert sorts


def stored(db) -> pd.DataFrame:
    with db.session() as session:
        rows = session.execute(select(PowerReading.asset_id, PowerReading.time_utc, PowerReading.power_kw,
                                      PowerReading.source, PowerReading.ingested_at)
                               .order_by(PowerReading.asset_id, PowerReading.time_utc)).all()
    return pd.DataFrame(rows, columns=["asset_id", "time_utc", "power_kw", "source", "ingested_at"])


def test_rows_read_back_equal_rows_written(db):
    sizes = {"a1": 2 * PER + 1, "b2": 3, "c3": PER, "d'4": PER - 1}  # a quote in an id is bound, never spliced
    frame = written(sizes)
    with db.session() as session:
        for asset in sizes:
            store.add_asset(session, asset, asset)
        store.insert_readings(session, frame, "file:it's.csv")
    back = stored(db)
    expected = frame.sort_values(["asset_id", "time_utc"]).reset_index(drop=True)
    assert back["asset_id"].tolist() == expected["asset_id"].tolist()
    assert [t.isoformat() for t in back["time_utc"]] == [t.isoformat() for t in expected["time_utc"]]
    assert back["power_kw"].tolist() == expected["power_kw"].tolist()
    assert set(back["source"]) == {"file:it's.csv"}
    assert back["ingested_at"].nunique() == 1 and back["ingested_at"].iloc[0].tzinfo is not None


def test_a_repeated_key_fails_the_whole_insert(db):
    frame = written({"a1": PER + 5})
    repeated = pd.concat([frame, frame.iloc[[PER + 2]]], ignore_index=True)
    with db.session() as session:
        store.add_asset(session, "a1", "a1")
    with pytest.raises((IntegrityError, sqlite3.IntegrityError, psycopg.IntegrityError)), db.session() as session:
        store.insert_readings(session, repeated, "file:x.csv")
    assert stored(db).empty
