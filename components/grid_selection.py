"""What an AG Grid's ``selectedRows`` holds, in one shape.

The grid reports ticked rows as a list of row objects, but a server callback may set it to
``{"ids": [...]}`` (row ids), and the grid can echo that dict back to a callback before it has
turned it into rows. Callbacks read the property through ``selected_rows`` so either shape works
and anything else (a crafted request) counts as nothing selected.
"""

from __future__ import annotations


def selected_rows(value) -> list[dict]:
    """The selected rows as row objects; a ``{"ids": [...]}`` selection gives ``{"id": ...}`` rows only."""
    if isinstance(value, dict):
        ids = value.get("ids")
        return [{"id": row_id} for row_id in ids if isinstance(row_id, (str, int))] if isinstance(ids, list) else []
    if isinstance(value, list):
        return [row for row in value if isinstance(row, dict)]
    return []


def selected_by_id(value) -> bool:
    """True when the selection is the ``{"ids": [...]}`` form (rows not known, only their ids)."""
    return isinstance(value, dict)
