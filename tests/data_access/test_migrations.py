from sqlalchemy import inspect

from data_access import migrate
from data_access.engine import Database, make_engine
from data_access.schema import Base


def test_upgrade_from_empty_creates_every_table_at_head(database_url):
    engine = make_engine(database_url)
    assert migrate.current_revision(engine) is None
    migrate.upgrade(database_url)
    assert migrate.current_revision(engine) == migrate.head_revision()
    assert migrate.is_up_to_date(engine)
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_downgrade_to_base_removes_the_schema_and_upgrade_restores_it(database_url):
    migrate.upgrade(database_url)
    migrate.downgrade(database_url, "base")
    engine = make_engine(database_url)
    assert not set(Base.metadata.tables) & set(inspect(engine).get_table_names())
    migrate.upgrade(database_url)
    assert migrate.is_up_to_date(engine)
    engine.dispose()


def test_migrations_match_the_models(database_url):
    """Autogenerate finds nothing to add: the migration files and schema.py agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": migrate.include_object(connection.dialect.name)})
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == []


def test_sqlite_uses_wal_and_a_busy_timeout(sqlite_url):
    database = Database.from_url(sqlite_url)
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    database.dispose()
