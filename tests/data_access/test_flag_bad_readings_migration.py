"""0013_integrity_flag_bad_readings: rows an older version stored outside today's rules are flagged (and then
skipped by reads); good rows are left alone; down and up again keep the readings."""

from datetime import UTC, date, datetime

from sqlalchemy import insert, inspect, select, text

from data_access import migrate
from data_access.engine import Database, make_engine
from data_access.schema import PowerReading
from services import footprint

OLD = "0012_api_key_scopes"
NEW = "0013_integrity_flag_bad_readings"


def test_bad_rows_are_flagged_and_good_rows_kept_across_the_migration_and_back(database_url):
    migrate.upgrade(database_url, OLD)
    engine = make_engine(database_url)
    readings = [(datetime(261, 1, 1, tzinfo=UTC), 5.0), (datetime(2019, 11, 25, tzinfo=UTC), 40.0),
                (datetime(2019, 11, 25, 1, tzinfo=UTC), -1e12), (datetime(9000, 1, 1, tzinfo=UTC), 1.0)]
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO carbon_assets (asset_id, name, created_at) "
                                "VALUES ('battery1', 'b', CURRENT_TIMESTAMP)"))
        for when, power in readings:
            # the old table has no invalid_reason column: write through a Core insert of its columns only
            connection.execute(insert(PowerReading.__table__).values(
                asset_id="battery1", time_utc=when, power_kw=power, source="old", ingested_at=when))
    migrate.upgrade(database_url, NEW)
    with engine.connect() as connection:
        flags = dict(connection.execute(select(PowerReading.power_kw, PowerReading.invalid_reason)).all())
    assert flags[40.0] is None
    assert flags[5.0] == "time before 2000-01-01 (flagged by migration 0013)"
    assert flags[-1e12] == "power beyond ±10 GW (flagged by migration 0013)"
    assert flags[1.0] == "time more than a day in the future (flagged by migration 0013)"
    database = Database.from_url(database_url)
    result = footprint.footprint_range(database, "battery1", date(2019, 11, 25), 1, 4)
    assert result.rows["power_kw"].tolist() == [40.0] * 4 and result.skipped_readings == 2
    database.dispose()
    migrate.downgrade(database_url, OLD)
    columns = {c["name"] for c in inspect(engine).get_columns("power_readings")}
    assert "invalid_reason" not in columns
    with engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM power_readings")).scalar() == 4
    migrate.upgrade(database_url)
    assert migrate.is_up_to_date(engine)
    engine.dispose()
