"""Draw a finished run's view and store it, in the worker that solved it (``RUN_VIEWS_WHEN_FINISHED``).

The first trader to open a run of a year then reads one stored row instead of waiting for its figures to be
drawn (0.5–3 s for 106–2,344 days). Study points are left to be drawn when opened: a study's points are
compared in the study's own view, and most are never opened one by one.
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from data_access import runs as run_store
from data_access.engine import Database
from data_access.schema import OptimisationRun, StudyPoint
from domain.run_status import in_progress

log = logging.getLogger(__name__)


def store_run_views(db: Database, run_id: int) -> list[str]:
    """Draw and store the run's view in each colour mode; the themes stored. Never raises: the view is
    derived, and the run is shown from its intervals whenever no view is stored."""
    try:
        with db.session() as session:
            run = session.get(OptimisationRun, run_id)
            if run is None or in_progress(run.status) or session.scalar(
                    select(StudyPoint.run_id).where(StudyPoint.run_id == run_id).limit(1)) is not None:
                return []
            session.expunge(run)
            intervals = run_store.run_intervals(session, run_id)
        if intervals.empty:
            return []
        from components.run_view import intervals_export
        from components.stored_run_view import THEMES, encode, schedule_view, view_format
        from services.run_views import store_view

        export = intervals_export(intervals)
        return [theme for theme in THEMES if store_view(
            db, run_id, theme, view_format(), encode(schedule_view(run, intervals, theme, export)))]
    except Exception:
        log.exception("view of run %s not drawn; it is drawn when the run is first shown", run_id)
        return []
