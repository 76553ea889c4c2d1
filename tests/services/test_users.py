import pytest

from security.passwords import verify_password
from services import users
from services.errors import Conflict, InvalidInput, NotFound


def test_created_user_can_authenticate_and_password_is_hashed(db):
    user = users.create_user(db, "Alice", "a-long-password-1", "trader")
    assert user.username == "alice"
    assert user.password_hash.startswith("$argon2id$")
    assert "a-long-password-1" not in user.password_hash
    authenticated = users.authenticate(db, "ALICE", "a-long-password-1")
    assert authenticated is not None and authenticated.role == "trader"
    assert authenticated.last_login_at is not None


def test_wrong_password_unknown_user_and_disabled_user_do_not_authenticate(db):
    users.create_user(db, "bob", "a-long-password-1", "viewer")
    assert users.authenticate(db, "bob", "wrong-password-11") is None
    assert users.authenticate(db, "nobody", "a-long-password-1") is None
    users.disable_user(db, "bob")
    assert users.authenticate(db, "bob", "a-long-password-1") is None


def test_duplicate_names_bad_roles_and_short_passwords_are_refused(db):
    users.create_user(db, "carol", "a-long-password-1", "viewer")
    with pytest.raises(Conflict, match="already exists"):
        users.create_user(db, "Carol", "a-long-password-2", "viewer")
    with pytest.raises(InvalidInput, match="role 'boss'"):
        users.create_user(db, "dave", "a-long-password-1", "boss")
    with pytest.raises(InvalidInput, match="at least 12"):
        users.create_user(db, "erin", "short", "viewer")
    with pytest.raises(InvalidInput, match="not valid"):
        users.create_user(db, "a b", "a-long-password-1", "viewer")
    assert [u.username for u in users.list_users(db)] == ["carol"]


def test_set_role_and_disable_change_what_is_stored(db):
    users.create_user(db, "frank", "a-long-password-1", "viewer")
    users.set_role(db, "frank", "admin")
    users.disable_user(db, "frank")
    (frank,) = users.list_users(db)
    assert (frank.role, frank.is_active) == ("admin", False)
    with pytest.raises(NotFound):
        users.set_role(db, "ghost", "viewer")


def test_ensure_admin_only_acts_on_an_empty_database(db):
    generated = users.ensure_admin(db, None)
    assert generated is not None and len(generated) >= 20
    (admin,) = users.list_users(db)
    assert admin.username == "admin" and admin.role == "admin"
    assert verify_password(admin.password_hash, generated)
    assert users.ensure_admin(db, "another-password-1") is None
    assert users.count_users(db) == 1


def test_ensure_admin_uses_the_configured_password(db):
    assert users.ensure_admin(db, "configured-password-1") is None
    assert users.authenticate(db, "admin", "configured-password-1") is not None
