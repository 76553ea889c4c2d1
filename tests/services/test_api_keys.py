import pytest

from services import api_keys
from services.errors import Conflict, InvalidInput


def test_issued_key_verifies_and_only_its_hash_is_stored(db):
    issued = api_keys.create_api_key(db, "meter-001")
    assert issued.key.startswith("pdk_")
    verified = api_keys.verify_api_key(db, issued.key)
    assert verified is not None and verified.name == "meter-001"
    assert verified.last_used_at is not None
    (stored,) = api_keys.list_api_keys(db)
    assert issued.key not in (stored.key_hash, stored.prefix)
    assert len(stored.key_hash) == 64


def test_wrong_malformed_and_revoked_keys_do_not_verify(db):
    issued = api_keys.create_api_key(db, "turbine-7")
    tampered = issued.key[:-1] + ("A" if issued.key[-1] != "A" else "B")
    assert api_keys.verify_api_key(db, tampered) is None
    assert api_keys.verify_api_key(db, "not-a-key") is None
    assert api_keys.verify_api_key(db, "") is None
    api_keys.revoke_api_key(db, "turbine-7")
    assert api_keys.verify_api_key(db, issued.key) is None


def test_key_names_are_unique_and_checked(db):
    api_keys.create_api_key(db, "meter-1")
    with pytest.raises(Conflict):
        api_keys.create_api_key(db, "meter-1")
    with pytest.raises(InvalidInput):
        api_keys.create_api_key(db, "bad name!")


def _fleet_and_assets(db):
    from services import footprint
    from services.meter_demo import load_plans_and_trial_meters
    from services.turbines import register_demo_fleet

    register_demo_fleet(db, 3000.0)
    load_plans_and_trial_meters(db)
    footprint.register_asset(db, "abc123xyz", "demo")


def test_a_scope_is_stored_with_the_key_and_read_back(db):
    from domain.key_scope import KeyScope

    _fleet_and_assets(db)
    scope = KeyScope(frozenset({1, 2}), frozenset({"smart-meter-0"}), frozenset({"abc123xyz"}))
    issued = api_keys.create_api_key(db, "gateway-a", scope=scope)
    api_keys.create_api_key(db, "fleet")
    key_id = api_keys.verify_api_key(db, issued.key).id
    assert api_keys.key_scope(db, key_id) == scope
    listed = {k.name: k.scope for k in api_keys.describe_api_keys(db)}
    assert listed == {"gateway-a": scope, "fleet": KeyScope()}


def test_a_scope_naming_what_does_not_exist_is_refused_and_no_key_is_stored(db):
    from domain.key_scope import KeyScope
    from services.errors import NotFound

    _fleet_and_assets(db)
    for scope, named in ((KeyScope(turbines=frozenset({1, 999})), "turbine 999"),
                         (KeyScope(meters=frozenset({"smart-meter-404"})), "meter smart-meter-404"),
                         (KeyScope(assets=frozenset({"nope"})), "asset nope")):
        with pytest.raises(NotFound, match=named):
            api_keys.create_api_key(db, "meter-x", scope=scope)
    assert api_keys.list_api_keys(db) == []


def test_a_user_key_cannot_be_scoped(db):
    from domain.key_scope import KeyScope
    from services.users import create_user

    _fleet_and_assets(db)
    create_user(db, "scripter", "scripter-password-123", "trader")
    with pytest.raises(InvalidInput, match="acts as that user"):
        api_keys.create_api_key(db, "notebook", "scripter", KeyScope(turbines=frozenset({1})))
    assert api_keys.list_api_keys(db) == []
