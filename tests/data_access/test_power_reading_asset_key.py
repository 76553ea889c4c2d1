"""Readings refer to a registered asset on both backends: a foreign key on SQLite, statement-level triggers on
PostgreSQL (migration 0017). Every way in (the bulk insert of an import, an ORM insert, an update) is refused for an
unknown asset and stores nothing of its statement; deleting an asset deletes its readings; an asset's id cannot
change under its readings."""

import sqlite3
from datetime import UTC, datetime, timedelta

import pandas as pd
import psycopg
import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import IntegrityError

from data_access import carbon as store
from data_access import migrate
from data_access.engine import Database
from data_access.schema import CarbonAsset, PowerReading

T0 = datetime(2023, 1, 1, tzinfo=UTC)
REFUSED = (IntegrityError, sqlite3.IntegrityError, psycopg.IntegrityError)
"""The bulk insert writes through the driver's own cursor, so its refusal is the driver's exception."""


def readings(asset_ids, start=T0) -> pd.DataFrame:
    return pd.DataFrame({"asset_id": list(asset_ids),
                         "time_utc": pd.DatetimeIndex([start + timedelta(minutes=k) for k in range(len(asset_ids))]),
                         "power_kw": [float(k) for k in range(len(asset_ids))]})


def count(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(PowerReading))


@pytest.fixture
def assets_db(db):
    with db.session() as session:
        store.add_asset(session, "bat1", "Battery one")
        store.add_asset(session, "bat2", "Battery two")
    return db


def test_a_bulk_insert_naming_an_unknown_asset_stores_nothing(assets_db):
    with pytest.raises(REFUSED), assets_db.session() as session:
        store.insert_readings(session, readings(["bat1"] * 50 + ["ghost"] + ["bat2"] * 50), "file:x.csv")
    assert count(assets_db) == 0
    with assets_db.session() as session:
        store.insert_readings(session, readings(["bat1"] * 50 + ["bat2"] * 50), "file:x.csv")
    assert count(assets_db) == 100


def test_an_orm_insert_or_update_to_an_unknown_asset_is_refused(assets_db):
    with pytest.raises(IntegrityError), assets_db.session() as session:
        session.add(PowerReading(asset_id="ghost", time_utc=T0, power_kw=1.0, source="x"))
    with assets_db.session() as session:
        store.insert_readings(session, readings(["bat1"] * 3), "file:x.csv")
    with pytest.raises(IntegrityError), assets_db.session() as session:
        session.execute(update(PowerReading).values(asset_id="ghost"))
    with assets_db.session() as session:
        assert set(session.scalars(select(PowerReading.asset_id))) == {"bat1"}
        session.execute(update(PowerReading).values(asset_id="bat2"))  # to a registered asset: allowed
        assert set(session.scalars(select(PowerReading.asset_id))) == {"bat2"}


def test_deleting_an_asset_deletes_its_readings_only(assets_db):
    with assets_db.session() as session:
        store.insert_readings(session, readings(["bat1"] * 4 + ["bat2"] * 3), "file:x.csv")
    with assets_db.session() as session:
        session.execute(delete(CarbonAsset).where(CarbonAsset.asset_id == "bat1"))
    with assets_db.session() as session:
        assert session.scalars(select(PowerReading.asset_id)).all() == ["bat2"] * 3


def test_an_asset_with_readings_keeps_its_id(assets_db):
    with assets_db.session() as session:
        store.insert_readings(session, readings(["bat1"]), "file:x.csv")
    with pytest.raises(IntegrityError), assets_db.session() as session:
        session.execute(update(CarbonAsset).where(CarbonAsset.asset_id == "bat1").values(asset_id="bat9"))
    with assets_db.session() as session:  # an asset without readings may be renamed
        session.execute(update(CarbonAsset).where(CarbonAsset.asset_id == "bat2").values(asset_id="bat3"))
        assert session.get(CarbonAsset, "bat3") is not None


@pytest.mark.postgres
def test_postgres_downgrade_restores_the_foreign_key_and_upgrade_replaces_it(postgres_url):
    migrate.upgrade(postgres_url)
    db = Database.from_url(postgres_url)

    def foreign_keys() -> set[str]:
        with db.engine.connect() as connection:
            return set(connection.execute(text(
                "SELECT conname FROM pg_constraint WHERE conrelid = 'power_readings'::regclass AND contype = 'f'"
            )).scalars())

    def triggers() -> set[str]:
        with db.engine.connect() as connection:
            return set(connection.execute(text(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgrelid IN "
                "('power_readings'::regclass, 'carbon_assets'::regclass)")).scalars())

    try:
        assert foreign_keys() == set()
        assert len(triggers()) == 4
        with db.session() as session:
            store.add_asset(session, "bat1", "Battery one")
            store.insert_readings(session, readings(["bat1"] * 5), "file:x.csv")
        migrate.downgrade(postgres_url, "0016_speed_run_views")
        assert foreign_keys() == {"fk_power_readings_asset_id_carbon_assets"}
        assert triggers() == set()
        migrate.upgrade(postgres_url)
        assert foreign_keys() == set()
        assert count(db) == 5
    finally:
        db.dispose()
