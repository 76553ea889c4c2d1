"""0014_security_key_kinds: machine keys made before it keep what they could do; user keys get no scopes."""

from sqlalchemy import inspect, text

from data_access import migrate
from data_access.engine import Database, make_engine
from domain.key_kinds import FLEET_GATEWAY_SCOPES
from services import api_keys


def test_old_machine_keys_get_the_gateway_scopes_and_user_keys_none(database_url):
    migrate.upgrade(database_url, "0013_stack_run_worker")
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO users (username, password_hash, role, is_active, created_at) "
                                "VALUES ('ann', 'x', 'viewer', true, CURRENT_TIMESTAMP)"))
        user_id = connection.execute(text("SELECT id FROM users WHERE username = 'ann'")).scalar_one()
        connection.execute(text("INSERT INTO api_keys (name, prefix, key_hash, created_at, user_id) VALUES "
                                "('old-gateway', 'AAAAAAAA', :hash, CURRENT_TIMESTAMP, NULL), "
                                "('ann-notebook', 'BBBBBBBB', :hash, CURRENT_TIMESTAMP, :user)"),
                           {"hash": "0" * 64, "user": user_id})
    migrate.upgrade(database_url, "0014_security_key_kinds")
    database = Database.from_url(database_url)
    listed = {key.name: key for key in api_keys.describe_api_keys(database)}
    assert set(listed["old-gateway"].scopes) == FLEET_GATEWAY_SCOPES
    assert listed["ann-notebook"].scopes == () and listed["ann-notebook"].username == "ann"
    assert "api_key_addresses" in inspect(engine).get_table_names()
    database.dispose()
    migrate.downgrade(database_url, "0013_stack_run_worker")
    assert "scopes" not in {c["name"] for c in inspect(engine).get_columns("api_keys")}
    with engine.connect() as connection:
        assert sorted(connection.execute(text("SELECT name FROM api_keys")).scalars()) == ["ann-notebook",
                                                                                         "old-gateway"]
    engine.dispose()
