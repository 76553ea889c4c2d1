"""0012_api_key_scopes: keys made before it stay fleet keys; down and up again keep the keys."""

from sqlalchemy import inspect, text

from data_access import migrate
from data_access.engine import Database, make_engine
from domain.key_scope import FLEET
from services import api_keys


def test_existing_keys_stay_fleet_keys_across_the_migration_and_back(database_url):
    migrate.upgrade(database_url, "0010_security")
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO api_keys (name, prefix, key_hash, created_at) "
                                "VALUES ('old-gateway', 'AAAAAAAA', :hash, CURRENT_TIMESTAMP)"), {"hash": "0" * 64})
    assert "api_key_scopes" not in inspect(engine).get_table_names()
    migrate.upgrade(database_url, "0012_api_key_scopes")
    assert "api_key_scopes" in inspect(engine).get_table_names()
    database = Database.from_url(database_url)
    with engine.connect() as connection:  # raw SQL: the ORM model is at head, this database at 0012
        (old_id,) = connection.execute(text("SELECT id FROM api_keys")).scalars().all()
    assert api_keys.key_scope(database, old_id) == FLEET
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO api_key_scopes (api_key_id, kind, ref) VALUES (:id, 'meter', 'm-1')"),
                           {"id": old_id})
    database.dispose()
    migrate.downgrade(database_url, "0010_security")
    inspector = inspect(engine)
    assert "api_key_scopes" not in inspector.get_table_names()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT name FROM api_keys")).scalars().all() == ["old-gateway"]
    migrate.upgrade(database_url)
    assert migrate.is_up_to_date(engine)
    engine.dispose()
