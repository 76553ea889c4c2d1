"""Roles, ordered: a trader can do what a viewer can, an admin what a trader can."""

from __future__ import annotations

ROLE_ORDER = ("viewer", "trader", "admin")


def is_known_role(role: str) -> bool:
    return role in ROLE_ORDER


def role_allows(user_role: str | None, needed: str) -> bool:
    """True when ``user_role`` is at least ``needed``; unknown or missing roles allow nothing."""
    if needed not in ROLE_ORDER:
        raise ValueError(f"unknown role {needed!r}; expected one of {', '.join(ROLE_ORDER)}")
    if user_role not in ROLE_ORDER:
        return False
    return ROLE_ORDER.index(user_role) >= ROLE_ORDER.index(needed)
