"""Run statuses as the run view reads them.

The run lifecycle is ``queued`` → ``running`` → a final status. A run that finished with a
schedule was stored as ``optimal``/``suboptimal`` (the optimiser's own words) and is stored as
``succeeded`` from now on; display code asks ``finished_ok`` rather than naming either.
"""

from __future__ import annotations

SUCCEEDED_STATUSES = frozenset({"succeeded", "optimal", "suboptimal"})
IN_PROGRESS_STATUSES = frozenset({"queued", "running"})


def finished_ok(status: str | None) -> bool:
    """True when a run finished with a schedule."""
    return status in SUCCEEDED_STATUSES


def in_progress(status: str | None) -> bool:
    """True while a run is queued or running (it may not be deleted then)."""
    return status in IN_PROGRESS_STATUSES
