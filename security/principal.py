"""Who is making a request: a logged-in person (Flask-Login) or a machine holding an API key."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_login import UserMixin


class SessionUser(UserMixin):
    """The Flask-Login view of a user; reloaded from the database on every request."""

    def __init__(self, user_id: int, username: str, role: str):
        self.id = user_id
        self.username = username
        self.role = role

    def get_id(self) -> str:
        return str(self.id)


@dataclass(frozen=True)
class MachinePrincipal:
    """A meter, turbine or script authenticated by ``Authorization: Bearer <api key>``."""

    api_key_id: int
    name: str
    scopes: frozenset[str] = field(default_factory=frozenset)
    """What it may call (``domain.key_kinds``); the request guard has checked the route against them."""
