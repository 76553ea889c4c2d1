"""Sizing studies: a grid of battery parameters over one date range, each point an ordinary stored run.

Submitting checks every point before anything is queued, then queues each point through the
runs service, so an identical stored run is reopened, not solved again. The points' runs are the
truth for progress; the study only remembers which run answers which point.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from data_access.engine import Database
from data_access.schema import OptimisationRun, Study, StudyPoint
from data_access.types import utc_now
from domain.study_grid import BATTERY_KEYS, StudyGridError, expand_grid
from optimiser import BatteryParams, OptimiserError
from services import audit
from services.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.optimisation_runs import RunRequest, cancel_run, queue_run
from services.run_requests import DEFAULT_DECISION_TIMES, decision_times, field_problems
from services.runs import reap
from settings import Settings

PENDING_STATUSES = ("queued", "running")
SERIES_KEYS = ("da_series", "id_series", "skip_missing_days")
"""Study-wide run settings beside base and grid: which stored series play the two legs, and whether days
without prices are skipped (e.g. 2019-01..2025-06 on system prices)."""
MAX_NAME_LENGTH = 120


@dataclass(frozen=True)
class SubmittedStudy:
    study_id: int
    pending_run_ids: list[int]
    """Runs this study queued that still need solving (reused runs are not among them)."""


def _parse_date(body: dict, key: str) -> date:
    raw = body.get(key)
    if not isinstance(raw, str):
        raise InvalidInput(f"{key} must be a date string YYYY-MM-DD")
    try:
        parsed = date.fromisoformat(raw)
    except ValueError as error:
        raise InvalidInput(f"{key}={raw!r} is not a date in YYYY-MM-DD form") from error
    if len(raw) != 10 or not 2000 <= parsed.year <= 2100:
        raise InvalidInput(f"{key}={raw!r} is not a date in YYYY-MM-DD form between 2000 and 2100")
    return parsed


def _requests(body: dict, max_points: int) -> tuple[str, date, date, list, list[RunRequest]]:
    if not isinstance(body, dict):
        raise InvalidInput("the study must be a JSON object with name, start, end, base and grid")
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput("name must be a non-empty string")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInput(f"name is {len(name)} characters long; at most {MAX_NAME_LENGTH} are allowed")
    first, last = _parse_date(body, "start"), _parse_date(body, "end")
    if last < first:
        raise InvalidInput(f"end {last.isoformat()} is before start {first.isoformat()}")
    try:
        points = expand_grid(body.get("base", {}), body.get("grid", {}), max_points)
    except StudyGridError as error:
        raise InvalidInput(str(error)) from error
    # The price series and the skip option are the study's, shared by every point (checked as a run's are).
    series = {key: body[key] for key in SERIES_KEYS if key in body}
    _parsed, problems = field_problems({**series, "first_date": first, "last_date": last})
    if problems:
        raise InvalidInput("; ".join(problems.values()))
    series = {key: _parsed[key] for key in SERIES_KEYS}
    requests = []
    times = decision_times()  # every forecast-driven point decides at the times the settings give now
    for point in points:
        battery = {key: value for key, value in point.params.items() if key in BATTERY_KEYS}
        # Each point is an ordinary run, so it meets the bounds every run meets (a cycle limit of 0, or
        # 1e308 MW, is refused here as it is on the New run form and the runs API).
        foresight = point.params.get("foresight", "perfect")
        markets = point.params.get("markets", "da+id")
        reoptimise = _intraday_reoptimise(point)
        _parsed, problems = field_problems({**battery, "markets": markets, "foresight": foresight,
                                            "intraday_reoptimise": reoptimise, "first_date": first, "last_date": last})
        if problems:
            raise InvalidInput(f"point {point.index + 1} ({_label(point.varied)}): {'; '.join(problems.values())}")
        try:
            requests.append(RunRequest(first, last, BatteryParams(**battery), markets,
                                       name=f"{name.strip()} · point {point.index + 1}", foresight=foresight,
                                       intraday_reoptimise=reoptimise,
                                       decision_times=times if foresight != "perfect" else DEFAULT_DECISION_TIMES,
                                       **series))
        except (OptimiserError, ValueError) as error:
            raise InvalidInput(f"point {point.index + 1} ({_label(point.varied)}): {error}") from error
    return name.strip(), first, last, points, requests


def _intraday_reoptimise(point) -> str:
    """The point's intraday decisions (``once`` or ``hourly``), kept in its params.

    When the grid varies ``intraday_reoptimise``, a point where it cannot apply (perfect foresight, or the
    day-ahead market alone) decides ``once``, the only meaningful value there, so a grid of foresight ×
    intraday decisions runs without refusing its perfect-foresight points; its params say ``once`` (its run is
    the once run, reopened if another point already asked for it). Anywhere else the value is checked as a
    run's is, so a bad value or hourly on a perfect-foresight base is refused with the runs' message.
    """
    value = point.params.get("intraday_reoptimise", "once")
    inapplicable = point.params.get("foresight", "perfect") == "perfect" or point.params.get("markets") == "da"
    if value == "hourly" and inapplicable and "intraday_reoptimise" in point.varied:
        value = "once"
    if "intraday_reoptimise" in point.params:
        point.params["intraday_reoptimise"] = value
    return value


def _label(varied: dict[str, Any]) -> str:
    return ", ".join(f"{key}={value:g}" if isinstance(value, float) else f"{key}={value}"
                     for key, value in varied.items())


def submit_study(db: Database, body: dict, user_id: int | None, actor: str, max_points: int) -> SubmittedStudy:
    """Check every point, then store the study and queue (or reuse) one run per point."""
    name, first, last, points, requests = _requests(body, max_points)
    outcomes = [queue_run(db, request, user_id=user_id, actor=actor) for request in requests]
    with db.session() as session:
        study = Study(name=name, created_by_id=user_id, first_date=first, last_date=last,
                      spec={"name": name, "start": first.isoformat(), "end": last.isoformat(),
                            "base": body.get("base", {}), "grid": body.get("grid", {}),
                            **{key: getattr(requests[0], key) for key in SERIES_KEYS}})
        session.add(study)
        session.flush()
        for point, outcome in zip(points, outcomes, strict=True):
            session.add(StudyPoint(study_id=study.id, point_index=point.index, params=point.params,
                                   varied=point.varied, run_id=outcome.run_id))
        audit.record(session, actor, "study.submitted", target=f"study {study.id}",
                     detail={"points": len(points), "reused": sum(o.reopened for o in outcomes)})
    pending = [outcome.run_id for outcome in outcomes if not outcome.reopened]
    return SubmittedStudy(study.id, list(dict.fromkeys(pending)))


MAX_ID = 2**31 - 1
"""Ids are 32-bit in SQL; a larger number names no study (and must not reach the driver)."""


def _study(session, study_id: int) -> Study:
    if not 0 < study_id <= MAX_ID:
        raise NotFound(f"there is no study #{study_id}")
    study = session.scalar(select(Study).options(joinedload(Study.created_by)).where(Study.id == study_id))
    if study is None:
        raise NotFound(f"there is no study #{study_id}")
    return study


def _points(session, study_id: int) -> list[tuple[StudyPoint, OptimisationRun | None]]:
    return list(session.execute(
        select(StudyPoint, OptimisationRun)
        .outerjoin(OptimisationRun, OptimisationRun.id == StudyPoint.run_id)
        .where(StudyPoint.study_id == study_id)
        .order_by(StudyPoint.point_index)
    ).all())


def study_status(cancelled: bool, run_statuses: list[str | None]) -> str:
    """``running`` while any point is queued or running, then ``cancelled`` or ``done``."""
    if any(status in PENDING_STATUSES for status in run_statuses):
        return "running"
    return "cancelled" if cancelled else "done"


def get_study(db: Database, study_id: int, settings: Settings | None = None) -> dict[str, Any]:
    """The study as the API and the page show it: status, progress and every point with its run. The
    heartbeat rule is applied to its unfinished points first (``services.runs.reap``), so a point whose
    worker died reads ``failed``, not ``running``."""
    with db.session() as session:
        _study(session, study_id)
        pending = list(session.scalars(
            select(StudyPoint.run_id).join(OptimisationRun, OptimisationRun.id == StudyPoint.run_id)
            .where(StudyPoint.study_id == study_id, OptimisationRun.status.in_(PENDING_STATUSES))))
    if pending:
        reap(db, settings, run_ids=pending)
    with db.session() as session:
        study = _study(session, study_id)
        rows = _points(session, study_id)
    statuses = [run.status if run else None for _, run in rows]
    points = [{
        "index": point.point_index,
        "run_id": point.run_id,
        "status": run.status if run else "deleted",
        "message": (run.message if run else point.message) or "",
        "params": point.params,
        "varied": point.varied,
        "totals": run.totals if run else None,
    } for point, run in rows]
    done = sum(status not in PENDING_STATUSES for status in statuses)
    return {
        "id": study.id, "name": study.name, "status": study_status(study.cancelled_at is not None, statuses),
        "start": study.first_date.isoformat(), "end": study.last_date.isoformat(),
        "created_at": study.created_at.isoformat().replace("+00:00", "Z"),
        "created_by": study.created_by.username if study.created_by else None,
        "progress": {"done": done, "total": len(points)},
        "grid": study.spec.get("grid", {}), "base": study.spec.get("base", {}),
        **{key: study.spec[key] for key in SERIES_KEYS if key in study.spec},
        "points": points,
    }


def list_studies(db: Database, limit: int = 200) -> list[dict[str, Any]]:
    """Studies, newest first, with progress."""
    with db.session() as session:
        studies = list(session.scalars(
            select(Study).options(joinedload(Study.created_by)).order_by(Study.id.desc()).limit(limit)))
        rows = session.execute(
            select(StudyPoint.study_id, OptimisationRun.status)
            .outerjoin(OptimisationRun, OptimisationRun.id == StudyPoint.run_id)
            .where(StudyPoint.study_id.in_([study.id for study in studies]))
        ).all()
    statuses: dict[int, list[str | None]] = {}
    for study_id, status in rows:
        statuses.setdefault(study_id, []).append(status)
    return [{
        "id": study.id, "name": study.name,
        "status": study_status(study.cancelled_at is not None, statuses.get(study.id, [])),
        "start": study.first_date.isoformat(), "end": study.last_date.isoformat(),
        "points": len(statuses.get(study.id, [])),
        "done": sum(s not in PENDING_STATUSES for s in statuses.get(study.id, [])),
        "created_by": study.created_by.username if study.created_by else None,
    } for study in studies]


def pending_run_ids(db: Database, study_id: int) -> list[int]:
    """The study's runs still queued (what a worker pool or Celery group is handed)."""
    with db.session() as session:
        _study(session, study_id)
        return list(session.scalars(
            select(OptimisationRun.id)
            .join(StudyPoint, StudyPoint.run_id == OptimisationRun.id)
            .where(StudyPoint.study_id == study_id, OptimisationRun.status == "queued")
            .order_by(OptimisationRun.id)
        ).unique())


def cancel_study(db: Database, study_id: int, user_id: int | None, is_admin: bool, actor: str,
                 stop_job: Callable[[str], None] | None = None) -> int:
    """Cancel the study's unfinished points; returns how many runs were cancelled.

    Queued points are cancelled together; a point already solving is cancelled like any run (its
    process or task stopped by ``stop_job``). Nothing that finished is touched.
    """
    with db.session() as session:
        study = _study(session, study_id)
        if not is_admin and study.created_by_id != user_id:
            raise Forbidden("only the study's author or an admin may cancel it")
        now = utc_now()
        if study.cancelled_at is None:
            study.cancelled_at = now
        run_ids = select(StudyPoint.run_id).where(StudyPoint.study_id == study_id)
        cancelled = session.execute(
            update(OptimisationRun)
            .where(OptimisationRun.id.in_(run_ids), OptimisationRun.status == "queued")
            .values(status="cancelled", finished_at=now, message=f"Cancelled with study #{study_id} by {actor}.")
        ).rowcount
        running = list(session.scalars(select(OptimisationRun.id).where(
            OptimisationRun.id.in_(run_ids), OptimisationRun.status == "running")))
        audit.record(session, actor, "study.cancelled", target=f"study {study_id}",
                     detail={"runs": cancelled + len(running)})
    for run_id in running:
        with contextlib.suppress(Conflict):  # it finished meanwhile
            cancel_run(db, run_id, user_id, True, stop_job=stop_job, actor=actor)
            cancelled += 1
    return cancelled
