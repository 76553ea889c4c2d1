"""Stored run views (``components.stored_run_view``): read one, or store one, never failing the page.

A stored view is derived data: when it cannot be read or stored, the run is still shown, from its intervals.
"""

from __future__ import annotations

import logging

from data_access import run_views as store
from data_access.engine import Database

log = logging.getLogger(__name__)


def stored_views(db: Database, run_id: int, view_format: str) -> dict[str, bytes]:
    """The run's stored views built by ``view_format``, by theme (empty when none)."""
    with db.session() as session:
        return store.stored_views(session, run_id, view_format)


def store_view(db: Database, run_id: int, theme: str, view_format: str, payload: bytes) -> bool:
    """Store one view; False (logged) when it could not be stored, for instance because the run was deleted."""
    try:
        with db.session() as session:
            store.store_view(session, run_id, theme, view_format, payload)
    except Exception:
        log.exception("view of run %s (%s) not stored; it is built when the run is shown", run_id, theme)
        return False
    return True
