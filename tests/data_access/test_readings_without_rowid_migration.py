"""0018_readings_without_rowid: SQLite's power_readings is rebuilt WITHOUT ROWID keeping every stored row exactly
(the time text an older version wrote included), and down again; PostgreSQL is unchanged."""

from datetime import date

from sqlalchemy import text

from data_access import migrate
from data_access.engine import Database, make_engine
from services import footprint

OLD = "0017_readings_statement_fk"
NEW = "0018_readings_without_rowid"
ROWS = [  # as older versions stored them (an ingested_at without its fraction), a flagged row, another asset
    ("bat1", "2019-11-25 00:00:00.000000", 10.0, "file:a.csv", "2019-11-26 00:00:00.000000", None),
    ("bat1", "2019-11-25 00:30:00.000000", 20.0, "file:a.csv", "2019-11-26 00:00:00", None),
    ("bat1", "1999-01-01 00:00:00.000000", 5.0, "old", "2019-11-26 00:00:00.000000", "time before 2000-01-01"),
    ("bat2", "2019-11-25 00:10:00.123456", -3.5, "api:x", "2019-11-26 00:00:00.000000", None),
]


def stored(engine) -> list[tuple]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(
            "SELECT asset_id, time_utc, power_kw, source, ingested_at, invalid_reason FROM power_readings "
            "ORDER BY asset_id, time_utc"))]


def table_sql(engine) -> str:
    with engine.connect() as connection:
        return connection.execute(text("SELECT sql FROM sqlite_master WHERE name = 'power_readings'")).scalar()


def test_sqlite_readings_are_kept_exactly_across_the_rebuild_and_back(sqlite_url):
    migrate.upgrade(sqlite_url, OLD)
    engine = make_engine(sqlite_url)
    with engine.begin() as connection:
        for asset in ("bat1", "bat2"):
            connection.execute(text("INSERT INTO carbon_assets (asset_id, name, created_at) "
                                    "VALUES (:a, :a, '2019-11-26 00:00:00.000000')"), {"a": asset})
        for row in ROWS:
            connection.execute(text("INSERT INTO power_readings (asset_id, time_utc, power_kw, source, ingested_at, "
                                    "invalid_reason) VALUES (:a, :t, :p, :s, :i, :r)"),
                               dict(zip("atpsir", row, strict=True)))
    before = stored(engine)
    assert "WITHOUT ROWID" not in table_sql(engine)
    migrate.upgrade(sqlite_url, NEW)
    assert "WITHOUT ROWID" in table_sql(engine)
    assert stored(engine) == before
    database = Database.from_url(sqlite_url)
    try:  # reads take the old rows as they are; the key and the foreign key still hold
        day = footprint.footprint_range(database, "bat1", date(2019, 11, 25), 1, 2)
        assert day.rows["power_kw"].tolist() == [10.0, 20.0]
        report = footprint.import_power_file(
            database, b"Time,Variable,AssetId,Value\n2019-11-25T00:30:00Z,power,bat1,20\n"
                      b"2019-11-25T00:45:00Z,power,bat1,30\n", "b.csv")
        assert (report.rows_added, report.rows_already_stored) == (1, 1)
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM carbon_assets WHERE asset_id = 'bat2'"))
    finally:
        database.dispose()
    after = stored(engine)
    assert [r[:3] for r in after] == [r[:3] for r in before if r[0] == "bat1"] + [("bat1", "2019-11-25 00:45:00.000000",
                                                                                    30.0)]
    migrate.downgrade(sqlite_url, OLD)
    assert "WITHOUT ROWID" not in table_sql(engine)
    assert stored(engine) == after
    engine.dispose()
