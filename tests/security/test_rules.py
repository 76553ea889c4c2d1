import pytest

from domain.roles import role_allows
from security.passwords import hash_password, password_problem, verify_password
from security.redirects import safe_next_path


@pytest.mark.parametrize(
    ("user_role", "needed", "allowed"),
    [("viewer", "viewer", True), ("viewer", "trader", False), ("trader", "viewer", True),
     ("trader", "admin", False), ("admin", "trader", True), (None, "viewer", False), ("root", "viewer", False)],
)
def test_roles_are_ordered_viewer_trader_admin(user_role, needed, allowed):
    assert role_allows(user_role, needed) is allowed


def test_unknown_needed_role_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown role"):
        role_allows("admin", "superuser")


@pytest.mark.parametrize(
    ("candidate", "expected"),
    [("/prices?start=2023-01-01", "/prices?start=2023-01-01"), ("/", "/"), (None, "/"), ("", "/"),
     ("//evil.example", "/"), ("https://evil.example/x", "/"), ("/\\evil.example", "/"), ("prices", "/"),
     ("/x\r\nSet-Cookie: a=b", "/")],
)
def test_next_accepts_only_local_paths(candidate, expected):
    assert safe_next_path(candidate) == expected


def test_password_hashes_verify_and_differ_per_hash():
    first, second = hash_password("a-long-password-1"), hash_password("a-long-password-1")
    assert first != second
    assert verify_password(first, "a-long-password-1") and not verify_password(first, "a-long-password-2")
    assert verify_password(None, "anything") is False
    assert verify_password("not-a-hash", "anything") is False


def test_password_rules_explain_themselves():
    assert "at least 12" in password_problem("short")
    assert "spaces" in password_problem(" leading-space-password")
    assert password_problem("a-long-password-1") is None
