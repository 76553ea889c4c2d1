"""Where the runs list goes after a run leaves it."""

from __future__ import annotations


def neighbour_after_removal(listed: list[int], removed: int) -> int | None:
    """The run to show once ``removed`` is deleted from ``listed`` (run ids in the order the grid shows them):
    the run listed just above it, else the one just below it; None when it was the only one (or was not
    listed), so the view closes on the list rather than opening an unrelated run."""
    if removed not in listed:
        return None
    at = listed.index(removed)
    rest = listed[:at] + listed[at + 1:]
    if not rest:
        return None
    return rest[at - 1] if at > 0 else rest[0]
