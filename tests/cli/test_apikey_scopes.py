"""``flask apikey create --turbine/--meter/--asset`` and ``apikey list`` showing each key's scope."""

import pytest

from domain.key_scope import KeyScope
from services import api_keys
from tests.scope_targets import register_scope_targets


@pytest.fixture
def runner(server):
    db = server.extensions["powerdesk"].db
    register_scope_targets(db)
    return server.test_cli_runner()


def scope_of(server, name: str) -> KeyScope:
    (listing,) = [k for k in api_keys.describe_api_keys(server.extensions["powerdesk"].db) if k.name == name]
    return listing.scope


def test_create_with_scopes_stores_them_and_list_shows_every_keys_scope(server, runner):
    created = runner.invoke(args=["apikey", "create", "meter-17", "--meter", "smart-meter-1"])
    assert created.exit_code == 0, created.output
    assert "may write for: meter smart-meter-1" in created.output
    key = created.output.strip().splitlines()[-1]
    assert runner.invoke(args=["apikey", "create", "turbines", "--turbine", "3", "--turbine", "4",
                               "--asset", "abc123xyz"]).exit_code == 0
    assert runner.invoke(args=["apikey", "create", "gateway", "--scope", "turbines:write", "--scope", "meters:write",
                               "--scope", "footprint:write"]).exit_code == 0
    assert runner.invoke(args=["user", "create", "scripter", "--role", "trader", "--password-stdin"],
                         input="scripter-password-123\n").exit_code == 0
    assert runner.invoke(args=["apikey", "create", "notebook", "--user", "scripter"]).exit_code == 0
    assert scope_of(server, "meter-17") == KeyScope(meters=frozenset({"smart-meter-1"}))
    assert scope_of(server, "turbines") == KeyScope(turbines=frozenset({3, 4}), assets=frozenset({"abc123xyz"}))
    lines = {line.split()[0]: line for line in runner.invoke(args=["apikey", "list"]).output.splitlines()}
    assert set(lines) == {"gateway", "meter-17", "notebook", "turbines"}
    assert lines["meter-17"].endswith("meter smart-meter-1")
    assert lines["turbines"].endswith("turbine 3, 4; asset abc123xyz")
    assert lines["gateway"].endswith("fleet (unscoped: may write for everything)")
    assert lines["notebook"].endswith("acts as user scripter")
    assert key not in "".join(lines.values())


@pytest.mark.parametrize(("args", "message"), [
    (["--meter", "smart-meter-404"], "meter smart-meter-404"),
    (["--turbine", "3", "--turbine", "999"], "turbine 999"),
    (["--asset", "nope"], "asset nope"),
])
def test_a_scope_naming_something_unregistered_is_refused_and_no_key_is_made(server, runner, args, message):
    result = runner.invoke(args=["apikey", "create", "meter-x", *args])
    assert result.exit_code != 0
    assert f"cannot scope the key to what does not exist: {message}; register it first" in result.output
    assert api_keys.list_api_keys(server.extensions["powerdesk"].db) == []


def test_bad_turbine_numbers_and_scoped_user_keys_are_refused(server, runner):
    not_a_number = runner.invoke(args=["apikey", "create", "t", "--turbine", "three"])
    assert not_a_number.exit_code == 2 and "'three' is not a valid integer" in not_a_number.output
    zero = runner.invoke(args=["apikey", "create", "t", "--turbine", "0"])
    assert zero.exit_code == 2 and "--turbine" in zero.output
    scoped_user_key = runner.invoke(args=["apikey", "create", "nb", "--user", "trader", "--turbine", "3"])
    assert scoped_user_key.exit_code == 1 and "acts as that user and cannot be scoped" in scoped_user_key.output
    assert api_keys.list_api_keys(server.extensions["powerdesk"].db) == []


def test_apikey_create_help_says_user_keys_are_not_scoped(runner):
    text = " ".join(runner.invoke(args=["apikey", "create", "--help"]).output.split())
    assert "is not scoped by --turbine/--meter/--asset" in text
    assert "is a fleet key" in text


def test_creating_and_revoking_keys_is_audited_without_the_secret(server, runner):
    from services.audit import list_events

    created = runner.invoke(args=["apikey", "create", "meter-1", "--meter", "smart-meter-1"])
    secret = created.output.strip().splitlines()[-1]
    assert runner.invoke(args=["apikey", "create", "gateway", "--scope", "turbines:write", "--scope", "meters:write",
                               "--scope", "footprint:write"]).exit_code == 0
    assert runner.invoke(args=["apikey", "revoke", "meter-1"]).exit_code == 0
    assert runner.invoke(args=["apikey", "revoke", "meter-1"]).exit_code == 0  # again: nothing new to record
    events = list_events(server.extensions["powerdesk"].db, action_prefix="apikey.")
    assert sorted((e.action, e.actor, e.target) for e in events) == [
        ("apikey.created", "cli", "gateway"), ("apikey.created", "cli", "meter-1"), ("apikey.revoked", "cli", "meter-1")]
    scopes = {e.target: e.detail["acts_as_or_scope"] for e in events if e.action == "apikey.created"}
    assert scopes == {"meter-1": "meter smart-meter-1", "gateway": "fleet (unscoped: may write for everything)"}
    assert all(secret not in str(e.detail) for e in events)


def test_a_machine_key_without_a_scope_or_anything_to_write_for_is_refused(server, runner):
    result = runner.invoke(args=["apikey", "create", "anything"])
    assert result.exit_code == 2 and "a machine key needs a scope" in result.output
    assert api_keys.list_api_keys(server.extensions["powerdesk"].db) == []


def test_a_machine_key_naming_meters_may_write_for_them_and_nothing_else(server, runner):
    from services.api_keys import describe_api_keys

    created = runner.invoke(args=["apikey", "create", "meter-17", "--meter", "smart-meter-1"])
    assert created.exit_code == 0 and "scopes meters:write;" in created.output
    [listing] = [k for k in describe_api_keys(server.extensions["powerdesk"].db) if k.name == "meter-17"]
    assert set(listing.scopes) == {"meters:write"}
