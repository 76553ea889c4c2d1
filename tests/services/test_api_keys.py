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
