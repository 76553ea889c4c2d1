"""Optimisation runs as a use case: check and queue a request, solve it with progress and a heartbeat,
cancel it, and reap runs whose worker died.

The run row is the truth about a run. Its lifecycle is ``queued`` -> ``running`` -> ``succeeded`` |
``failed`` | ``infeasible`` | ``timed_out`` | ``cancelled``; every move is a conditional UPDATE in
``data_access.runs``, so a cancel, the reaper and a worker racing on one run leave one final status.

Identical parameters over identical input data reopen the stored run instead of solving again:
``params_hash`` covers the battery, markets, series, solver settings and date range, and
``input_fingerprint`` covers the prices the run would read, and for a carbon-priced run the grid intensity too
(so a price or intensity correction solves again).
"""

from __future__ import annotations

import hashlib
import json
import logging
import socket
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeVar

import numpy as np
import pandas as pd
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from data_access import runs as run_store
from data_access.engine import Database
from data_access.forecast_runs import store_forecasts
from data_access.schema import OptimisationRun, User
from data_access.types import utc_now
from domain.markets import MARKET_NAMES
from domain.settlement_time import day_start_utc
from optimiser import BatteryParams, Markets, OptimiserError, RunStatus, SolverSettings, StopRequested
from optimiser.prices import range_inputs
from services import audit, forecast_runs
from services.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.footprint import intensity_series
from services.prices import from_prices, market_coverage, prices_for_dates
from services.run_requests import DEFAULT_DECISION_TIMES, MAX_RUN_DAYS, RunRequest
from services.runs import reap
from settings import Settings

T = TypeVar("T")
log = logging.getLogger(__name__)
FINAL_STATUS = {
    RunStatus.OPTIMAL: run_store.SUCCEEDED,
    RunStatus.SUBOPTIMAL: run_store.SUCCEEDED,
    RunStatus.INFEASIBLE: run_store.INFEASIBLE,
    RunStatus.TIME_LIMIT_NO_SOLUTION: run_store.TIMED_OUT,
    RunStatus.SOLVER_ERROR: run_store.FAILED,
}
"""The optimiser's outcome -> the run's final status (the outcome itself is kept as ``solver_status``)."""
PROGRESS_WRITE_INTERVAL_S = 0.5
"""Least time between two progress writes of one run [s]. Each is a committed (fsynced) write; one per day
cost a year-long run more than its solves, and serialised a study's parallel points on the disk. The status is
still read after every day, so a cancel is seen at once."""
UNEXPECTED = "The optimiser failed unexpectedly; the error is stored with the run for an administrator."
MODES_NEEDING = {"da+id": ("da", "id"), "joint": ("da", "id"), "da": ("da",), "id": ("id",)}

__all__ = ["RunRequest", "RunOutcome", "queue_run", "execute_run", "run_optimisation", "cancel_run",
           "reap_stale_runs", "keep_waiting_runs_alive", "RunStopped"]


@dataclass(frozen=True)
class RunOutcome:
    run_id: int
    status: str
    reopened: bool
    """True when an identical stored (or still solving) run was reopened instead of solving again."""


class RunStopped(StopRequested):
    """Raised inside a solve when its row says it must stop (cancelled, reaped) or the run limit passed;
    ``partial`` is then what the optimiser had solved (``optimiser.StopRequested``)."""

    def __init__(self, status: str):
        super().__init__(status)
        self.status = status


def _sha256(payload: str) -> str:
    return hashlib.sha256(payload.encode()).hexdigest()


def params_hash(request: RunRequest) -> str:
    return _sha256(json.dumps(request.describe(), sort_keys=True))


def input_fingerprint(prices: pd.DataFrame, series: tuple[str, str] = ("day_ahead", "intraday"),
                      intensity: pd.Series | None = None) -> str:
    """SHA-256 over every interval start and DA/ID price the run reads (NaN written as null), which stored
    series they came from, and for a carbon-priced run every interval start and grid intensity [gCO2/kWh]
    it reads. Without ``intensity`` the digest is the prices' alone, as it always was, so stored runs
    without a carbon price are still reopened."""
    columns = [c for c in ("day_ahead", "intraday") if c in prices.columns]
    payload = _prices_payload(prices, columns)
    tag = "" if series == ("day_ahead", "intraday") else "|".join(series) + "|"
    if intensity is not None:
        payload += "|intensity_g_per_kwh" + json.dumps(
            [[t.isoformat(), float(value)] for t, value in intensity.sort_index().items()])
    return _sha256(tag + ",".join(columns) + payload)


def _prices_payload(prices: pd.DataFrame, columns: list[str]) -> str:
    """The JSON ``input_fingerprint`` hashes: ``[[start.isoformat(), price, ...], ...]``, NaN as null.

    For a UTC index in whole seconds and float prices (every run's), the starts are written for all rows at
    once and the rows zipped from the columns, which gives the same text as the per-row form below (a
    2,344-day run's 112,000 rows cost 0.7 s of CPU that way); anything else takes the per-row form.
    """
    index = prices.index
    if (isinstance(index, pd.DatetimeIndex) and str(index.tz) == "UTC"
            and not (index.as_unit("ns").asi8 % 1_000_000_000).any()
            and all(prices[c].dtype == np.float64 for c in columns)):
        seconds = index.tz_localize(None).to_numpy().astype("datetime64[s]")
        starts = np.char.add(np.datetime_as_string(seconds, unit="s"), "+00:00").tolist()
        values = []
        for c in columns:
            array = prices[c].to_numpy()
            column = array.tolist()
            for i in np.flatnonzero(np.isnan(array)).tolist():
                column[i] = None
            values.append(column)
        return json.dumps(list(zip(starts, *values, strict=True)))
    canonical = prices[columns].astype(object).where(prices[columns].notna(), None)
    return json.dumps([[t.isoformat(), *row] for t, row in zip(index, canonical.to_numpy().tolist(), strict=True)])


def complete_dates(row) -> tuple[date, date]:
    """A coverage row's first and last settlement dates that are covered whole (a partial first or last
    day, from a file that starts or stops mid-day, is left out)."""
    from domain.settlement_time import periods_in_day

    first = row.first_date if row.first_period == 1 else row.first_date + timedelta(days=1)
    last = row.last_date if row.last_period == periods_in_day(row.last_date) else row.last_date - timedelta(days=1)
    return first, last


def _coverage_text(db: Database, market: str) -> str:
    rows = [row for row in market_coverage(db) if row.market == market]
    if not rows:
        return f"there are no {MARKET_NAMES.get(market, market)} ({market}) prices stored"
    first, last = complete_dates(rows[0])
    return f"stored {market} prices cover {first.isoformat()} to {last.isoformat()}"


def load_prices(db: Database, request: RunRequest) -> pd.DataFrame:
    """The run's prices as the optimiser reads them: columns ``day_ahead`` and ``intraday`` from the
    request's series. A market the mode does not trade is filled from the other one (never read)."""
    if request.last < request.first:
        raise InvalidInput(f"the end date {request.last.isoformat()} is before the start date {request.first.isoformat()}")
    if (request.last - request.first).days + 1 > MAX_RUN_DAYS:
        raise InvalidInput(f"choose at most {MAX_RUN_DAYS} days for one run")
    wanted = (request.da_series, request.id_series)
    raw = prices_for_dates(db, request.first, request.last, wanted, max_days=None)
    frame = pd.DataFrame(index=raw.index)
    for column, series in zip(("day_ahead", "intraday"), wanted, strict=True):
        frame[column] = raw[series] if series in raw.columns else float("nan")
    needs = MODES_NEEDING[str(Markets.parse(request.markets))]
    if needs == ("da",):
        frame["intraday"] = frame["day_ahead"]
    elif needs == ("id",):
        hourly = frame["intraday"].groupby(frame.index.floor("h")).transform("mean")
        frame["day_ahead"] = hourly
    return frame


MISSING_DAYS_NAMED = 5
"""How many missing days a refusal names."""


def missing_day_list(prices: pd.DataFrame, first: date, last: date) -> list[date]:
    """Settlement dates of ``first``..``last`` without a price for every period in ``day_ahead`` or ``intraday``."""
    from domain.settlement_time import settlement_index
    from optimiser.prices import missing_days

    index = settlement_index(first, last)
    starts = pd.DatetimeIndex(index["interval_start_utc"])
    arrays = [prices[c].reindex(starts).to_numpy(dtype=float) if c in prices else
              np.full(len(starts), np.nan) for c in ("day_ahead", "intraday")]
    bad = missing_days(index, *arrays)
    return sorted(set(index["settlement_date"].to_numpy()[bad]))


def check_prices(db: Database, prices: pd.DataFrame, request: RunRequest) -> None:
    """Refuse a range with missing prices before anything is queued: dates outside the stored
    coverage name the coverage; a gap inside it names the first missing days and the option that
    skips them. With ``skip_missing_days`` only a range with no whole day is refused."""
    needs = MODES_NEEDING[str(Markets.parse(request.markets))]
    for role, series in (("da", request.da_series), ("id", request.id_series)):
        column = "day_ahead" if role == "da" else "intraday"
        if role in needs and (column not in prices or prices[column].notna().sum() == 0):
            raise InvalidInput(f"there are no {series} prices for {request.first.isoformat()} to "
                               f"{request.last.isoformat()}; {_coverage_text(db, series)}")
    if not request.skip_missing_days:
        missing = missing_day_list(prices, request.first, request.last)
        if missing:
            named = ", ".join(d.isoformat() for d in missing[:MISSING_DAYS_NAMED])
            more = f" and {len(missing) - MISSING_DAYS_NAMED} more" if len(missing) > MISSING_DAYS_NAMED else ""
            raise InvalidInput(
                f"{len(missing)} of the {(request.last - request.first).days + 1} days have missing prices: "
                f"{named}{more}; choose 'skip days without prices' to run with the battery idle on them, or "
                "shorten the range")
    try:
        range_inputs(prices, request.first, request.last, skip_missing=request.skip_missing_days,
                     da_hourly=request.da_hourly)
    except OptimiserError as error:
        raise InvalidInput(str(error)) from error


def load_intensity(db: Database, request: RunRequest) -> pd.Series | None:
    """Carbon: the stored grid intensity [gCO2/kWh] (actual, else forecast) for a run with a carbon price;
    None for a run without one."""
    if request.battery.carbon_price_gbp_per_tco2 is None:
        return None
    end = day_start_utc(request.last + timedelta(days=1))
    return intensity_series(db, day_start_utc(request.first), end)["intensity_g_per_kwh"].dropna()


def check_intensity(request: RunRequest, intensity: pd.Series | None) -> None:
    """A run with a carbon price needs intensity (``load_intensity``) for every half-hour of its range;
    say how many are missing."""
    if intensity is None:
        return
    periods = int((day_start_utc(request.last + timedelta(days=1)) - day_start_utc(request.first))
                  / timedelta(minutes=30))
    if len(intensity) < periods:
        raise InvalidInput(
            f"a carbon price needs the grid's carbon intensity for every half-hour; {periods - len(intensity)} of "
            f"{periods} half-hours from {request.first.isoformat()} to {request.last.isoformat()} have none "
            "(NESO intensity is stored for 2023; load more with `flask carbon fetch-intensity`)")


def queue_run(db: Database, request: RunRequest, user_id: int | None = None, actor: str = "system",
              prices: pd.DataFrame | None = None) -> RunOutcome:
    """Check a request and store it as a queued run (audited ``run.submitted``), or reopen an identical
    stored run (succeeded, or still queued or running: it is not solved twice).

    Atomic: the unique index on the live runs' reuse fingerprint lets one of several identical requests at
    once insert; the others' inserts fail and they reopen that run. Bad input (dates, missing prices) raises
    InvalidInput and stores nothing.
    """
    prices = load_prices(db, request) if prices is None else prices  # ``prices``: ``load_prices`` read by the caller
    check_prices(db, prices, request)
    intensity = load_intensity(db, request)
    check_intensity(request, intensity)
    series = (request.da_series, request.id_series)
    phash, fingerprint = params_hash(request), input_fingerprint(prices, series, intensity)
    if forecast_runs.is_forecast_run(request):
        history = forecast_runs.load_history(db, request)
        fingerprint = _sha256(fingerprint + "|history|" + forecast_runs.history_fingerprint(history))
    conflict: IntegrityError | None = None
    for _attempt in range(QUEUE_ATTEMPTS):
        with db.session() as session:
            existing = run_store.find_reusable(session, phash, fingerprint)
            if existing is not None:
                return RunOutcome(existing.id, existing.status, reopened=True)
        try:
            return _insert_queued(db, request, phash, fingerprint, user_id, actor)
        except IntegrityError as error:
            # An identical request inserted first: the next look-up reopens its run (or, if that run has
            # ended meanwhile, this one inserts again).
            conflict = error
    raise conflict


QUEUE_ATTEMPTS = 5
"""How often ``queue_run`` looks up, then inserts, before giving up on a run that keeps ending as it is reopened."""


def _insert_queued(db: Database, request: RunRequest, phash: str, fingerprint: str, user_id: int | None,
                   actor: str) -> RunOutcome:
    """Insert the queued run with its ``run.submitted`` event; IntegrityError when a live identical run exists."""
    series = (request.da_series, request.id_series)
    with db.session() as session:
        as_of = run_store.prices_as_of(session, series, day_start_utc(request.first),
                                       day_start_utc(request.last + timedelta(days=1)))
        run = OptimisationRun(
            name=request.name, created_by_id=user_id, first_date=request.first, last_date=request.last,
            markets=str(Markets.parse(request.markets)), params=request.describe(), params_hash=phash,
            input_fingerprint=fingerprint, status=run_store.QUEUED, da_series=request.da_series,
            id_series=request.id_series, prices_as_of=as_of, progress_done=0,
            progress_total=(request.last - request.first).days + 1,
        )
        session.add(run)
        session.flush()
        audit.record(session, actor, "run.submitted", f"run #{run.id}",
                     {"run_id": run.id, **request.describe(), "name": request.name})
    return RunOutcome(run.id, run_store.QUEUED, reopened=False)


def request_of(run: OptimisationRun) -> RunRequest:
    """Rebuild the request a stored run was made from."""
    params = run.params
    series = params.get("series", {})
    return RunRequest(
        first=run.first_date, last=run.last_date, battery=BatteryParams(**params["battery"]),
        markets=params["markets"], solver=SolverSettings(**params["solver"]), name=run.name,
        da_series=series.get("da", "day_ahead"), id_series=series.get("id", "intraday"),
        skip_missing_days=bool(params.get("skip_missing_days", False)),
        foresight=params.get("foresight", "perfect"),
        intraday_reoptimise=params.get("intraday_reoptimise", "once"),
        decision_times=_decision_times(params),
    )


def _decision_times(params: dict) -> tuple[str, str]:
    times = params.get("decision_times")
    return (times["da_gate"], times["id"]) if times else DEFAULT_DECISION_TIMES


def heartbeat_interval_s(settings: Settings) -> float:
    """How often a live worker or holder writes heartbeats [s]: four times per reaper deadline, 0.2–15 s."""
    return max(0.2, min(15.0, settings.run_heartbeat_deadline_s / 4))


DATABASE_RETRY_S = 60.0
"""How long a worker keeps retrying a database call through a lost connection (PostgreSQL restarting) [s]."""


def _through_outages(call: Callable[[], T], what: str, retry_s: float = DATABASE_RETRY_S,
                     sleep: Callable[[float], None] = time.sleep) -> T:
    """``call()``, retried once a second while the database is unreachable (for up to ``retry_s``), so a
    database restart under a running worker delays its run instead of failing it. Each call is one whole
    transaction, so a retry never repeats half of one."""
    from sqlalchemy.exc import InterfaceError, OperationalError

    deadline = time.monotonic() + retry_s
    while True:
        try:
            return call()
        except (OperationalError, InterfaceError):
            if time.monotonic() >= deadline:
                raise
            log.warning("%s: database unavailable, retrying", what)
            sleep(1.0)


class _Heartbeat:
    """A thread calling ``beat(session)`` every ``interval_s`` while the block runs (first at once when
    ``at_once``), so a long day (or a long wait) still shows its process alive; it stops with the
    process, which is the point."""

    def __init__(self, db: Database, beat: Callable[[Session], object], interval_s: float, name: str,
                 at_once: bool = False):
        self._db, self._beat, self._interval, self._name = db, beat, interval_s, name
        self._wait_first = not at_once
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)

    def _loop(self) -> None:
        if self._wait_first and self._stop.wait(self._interval):
            return
        while True:
            try:
                with self._db.session() as session:
                    self._beat(session)
            except Exception:  # a missed beat is not fatal; the next one may get through
                log.warning("%s not written", self._name, exc_info=True)
            if self._stop.wait(self._interval):
                return

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *_exc):
        self._stop.set()
        self._thread.join(timeout=5)


def execute_run(
    db: Database,
    run_id: int,
    progress: Callable[[int, int], None] | None = None,
    job_id: str | None = None,
    settings: Settings | None = None,
    timeout_errors: tuple[type[BaseException], ...] = (),
    prices: pd.DataFrame | None = None,
) -> RunOutcome:
    """Solve a queued run and store its outcome; a run that is not queued is left as it is.

    Claiming the run (queued -> running) is one conditional UPDATE, so two workers handed the same run
    cannot both solve it. After each day the worker writes progress and the heartbeat, and stops if the
    row says ``cancelled`` (or the reaper ended it) or the overall run limit has passed. An unexpected
    error ends the run ``failed`` with a friendly message; its traceback is stored for admins.
    ``timeout_errors``: exceptions meaning the job manager's time limit hit (Celery's soft limit).
    ``prices``: ``load_prices`` of the run's request, when the caller has just read them to queue it in this
    process (the CLI, ``run_optimisation``): a year of prices is not read twice.
    """
    settings = settings or Settings()
    started = time.monotonic()
    # A Celery task redelivered after its worker died carries the same job id: it may take over the run
    # once the dead worker's heartbeat is clearly stale (two beats missed), so the run is never lost.
    stale_before = utc_now() - timedelta(seconds=2 * heartbeat_interval_s(settings))

    def claim_run() -> tuple[bool, OptimisationRun | None]:
        with db.session() as session:
            claimed = run_store.claim(session, run_id, job_id, worker=socket.gethostname(), stale_before=stale_before)
            return claimed, session.get(OptimisationRun, run_id)

    claimed, run = _through_outages(claim_run, f"claiming run {run_id}")
    if run is None:
        raise NotFound(f"there is no run #{run_id}")
    if not claimed:
        return RunOutcome(run.id, run.status, reopened=True)

    last_write = -PROGRESS_WRITE_INTERVAL_S

    def _progress_at_stop(done: int) -> None:
        with db.session() as session:
            run_store.progress_at_stop(session, run_id, done)

    def on_day(done: int, total: int) -> None:
        nonlocal last_write
        now = time.monotonic()

        def write_progress() -> str | None:
            nonlocal last_write
            if done == total or now - last_write >= PROGRESS_WRITE_INTERVAL_S:
                with db.session() as session:
                    status = run_store.beat(session, run_id, done, total)
                last_write = now
                return status
            # Read after every day, so a cancel stops the run at its next day: a Core connection, not an ORM
            # session (a quarter of the cost; a year has 365 of these).
            with db.engine.connect() as connection:
                return run_store.status_of(connection, run_id)

        status = _through_outages(write_progress, f"progress of run {run_id}")
        if status == run_store.CANCELLED:
            _through_outages(lambda: _progress_at_stop(done), f"progress of run {run_id}")
        if status != run_store.RUNNING:
            raise RunStopped(status or run_store.FAILED)
        if now - started > settings.run_time_limit_s:
            raise RunStopped(run_store.TIMED_OUT)
        if progress is not None:
            progress(done, total)

    try:
        request = request_of(run)
        with _Heartbeat(db, lambda session: run_store.beat(session, run_id), heartbeat_interval_s(settings),
                        f"heartbeat of run {run_id}"):
            backtest_run = None
            if forecast_runs.is_forecast_run(request):
                history = _through_outages(lambda: forecast_runs.load_history(db, request), f"prices of run {run_id}")
                backtest_run = forecast_runs.run_backtest(history, request, progress=on_day)
                result = backtest_run.result
            else:
                result = None
                if prices is None:
                    prices = _through_outages(lambda: load_prices(db, request), f"prices of run {run_id}")
            needs = MODES_NEEDING[str(Markets.parse(request.markets))]
            from optimiser import optimise  # Pyomo and HiGHS: imported by a solve, not by every command

            result = result or optimise(prices, request.first, request.last, request.battery,
                              markets=Markets.parse(request.markets), solver=request.solver, progress=on_day,
                              baselines=len(needs) == 2, intensity=load_intensity(db, request),
                              skip_missing_days=request.skip_missing_days, da_hourly=request.da_hourly)
    except RunStopped as stop:
        if stop.status == run_store.TIMED_OUT:
            with db.session() as session:
                run_store.finish_active(session, run_id, run_store.TIMED_OUT, run_store.OVER_TIME)
        elif stop.status == run_store.CANCELLED and stop.partial is not None:
            _keep_solved_days(db, run_id, request, stop.partial)
        return _finished(db, run_id, settings, started)
    except timeout_errors:
        with db.session() as session:
            run_store.finish_active(session, run_id, run_store.TIMED_OUT, run_store.OVER_TIME)
        return _finished(db, run_id, settings, started)
    except (OptimiserError, InvalidInput) as error:
        # The prices changed between queueing and solving (or the request no longer holds).
        with db.session() as session:
            run_store.store_result(session, run_id, run_store.FAILED, str(error), None, {}, pd.DataFrame())
        return _finished(db, run_id, settings, started)
    except Exception:
        log.exception("optimisation run %s failed", run_id)
        with db.session() as session:
            run_store.store_result(session, run_id, run_store.FAILED, UNEXPECTED, None, {}, pd.DataFrame(),
                                   error_traceback=traceback.format_exc())
        return _finished(db, run_id, settings, started)
    totals = _result_totals(result, request)
    if totals is not None and backtest_run is not None:
        totals["foresight"] = forecast_runs.foresight_summary(backtest_run)
    intervals = _traded_only(result.intervals, request)
    needs = MODES_NEEDING[str(Markets.parse(request.markets))]

    message = result.message + zero_price_warning(intervals, needs)

    def store() -> None:
        with db.session() as session:
            stored = run_store.store_result(session, run_id, FINAL_STATUS[result.status], message, totals,
                                            result.solver.as_dict(), intervals, solver_status=str(result.status))
            if stored and backtest_run is not None:
                store_forecasts(session, run_id, backtest_run.forecasts)

    _through_outages(store, f"storing run {run_id}")
    if not intervals.empty:
        _store_carbon_totals(db, run_id, intervals)
    return _finished(db, run_id, settings, started)


def _result_totals(result, request: RunRequest) -> dict | None:
    """The totals stored with a run: the optimiser's, its baselines and the per-year figures."""
    totals = result.totals.as_dict() if result.totals is not None else None
    if totals is not None and result.baselines is not None:
        totals["baselines"] = result.baselines.as_dict()
    if totals is not None and not result.intervals.empty:
        totals["by_year"] = by_year(result.intervals, request, totals)
    return totals


def _traded_only(intervals: pd.DataFrame, request: RunRequest) -> pd.DataFrame:
    """A market the mode does not trade has no price in the stored intervals (it was filled only to solve)."""
    needs = MODES_NEEDING[str(Markets.parse(request.markets))]
    if not intervals.empty and needs == ("da",):
        return intervals.assign(id_price=float("nan"))
    if not intervals.empty and needs == ("id",):
        return intervals.assign(da_price=float("nan"))
    return intervals


def _keep_solved_days(db: Database, run_id: int, request: RunRequest, partial) -> None:
    """A cancelled run keeps the days it solved before its worker saw the cancel: their intervals and totals
    (``totals["days"]`` of ``totals["requested_days"]``), as a run over just those days would store them."""
    totals = _result_totals(partial, request)
    if totals is None:
        return
    done, requested = len(partial.intervals["settlement_date"].unique()), partial.requested_days
    totals["requested_days"] = requested
    intervals = _traded_only(partial.intervals, request)
    note = (f"The {done} of {requested} days solved before the cancel are kept "
            f"({request.first.isoformat()} to {partial.last.isoformat()}).")

    def store() -> None:
        with db.session() as session:
            run_store.store_stopped(session, run_id, done, totals, partial.solver.as_dict(), intervals, note)

    _through_outages(store, f"storing the days run {run_id} solved")
    _store_carbon_totals(db, run_id, intervals)


def zero_price_warning(intervals: pd.DataFrame, needs: tuple[str, ...]) -> str:
    """A warning for the run's message when some intervals are priced exactly £0/MWh in every market it trades:
    a price of 0 is usually a missing value stored as zero (MID rows without a trade), not a real price."""
    if intervals.empty:
        return ""
    columns = [c for role, c in (("da", "da_price"), ("id", "id_price")) if role in needs]
    zero = (intervals[columns] == 0).all(axis=1).to_numpy()
    if not zero.any():
        return ""
    from domain.settlement_time import format_local

    first = pd.Timestamp(intervals["interval_start_utc"][zero].iloc[0])
    first = first.tz_localize("UTC") if first.tzinfo is None else first
    return (f". Warning: {int(zero.sum())} interval(s) are priced exactly £0/MWh in every market traded (the first "
            f"{format_local(first.to_pydatetime())}); check they are real prices and not "
            "missing ones stored as 0")


def by_year(intervals: pd.DataFrame, request: RunRequest, totals: dict) -> list[dict]:
    """Per calendar year: days traded and skipped, net [£] and £/MW/year annualised over the traded hours (kept
    with the totals, so a study lists years without reading every interval)."""
    from domain.monthly_revenue import yearly_revenue

    battery = request.battery
    years = yearly_revenue(intervals, battery.power_mw, battery.energy_mwh, battery.degradation_cost_gbp_per_mwh,
                           [date.fromisoformat(d) for d in totals.get("skipped_days") or []])
    return [{"year": int(r.year), "days": int(r.days), "skipped_days": int(r.skipped_days),
             "net_gbp": round(float(r.net_gbp), 2),
             "net_gbp_per_mw_year": None if pd.isna(r.net_gbp_per_mw_year) else round(float(r.net_gbp_per_mw_year), 2)}
            for r in years.itertuples()]


def _store_carbon_totals(db: Database, run_id: int, intervals: pd.DataFrame) -> None:
    """The finished run's carbon totals, stored once; a failure only means the first view computes them."""
    from services.run_carbon_totals import store_run_carbon_totals

    try:
        store_run_carbon_totals(db, run_id, intervals)
    except Exception:
        log.exception("carbon totals of run %s not stored; they are computed when the run is shown", run_id)


def _finished(db: Database, run_id: int, settings: Settings, started: float) -> RunOutcome:
    """The run's outcome as stored; its submitter is emailed when it took longer than the threshold."""
    def read_status() -> str:
        with db.session() as session:
            return session.get(OptimisationRun, run_id).status

    status = _through_outages(read_status, f"reading run {run_id}")
    if time.monotonic() - started > settings.run_email_after_s:
        from services.run_mail import notify_run_finished

        notify_run_finished(db, settings, run_id)
    return RunOutcome(run_id, status, reopened=False)


def run_optimisation(
    db: Database,
    request: RunRequest,
    user_id: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    job_id: str | None = None,
    settings: Settings | None = None,
    actor: str = "system",
) -> RunOutcome:
    """Reopen an identical stored run, or queue and solve a new one now (CLI and tests).

    Bad input raises InvalidInput and stores nothing. A solver outcome without a schedule
    (infeasible, time limit, solver error) is stored as the run's status with its message.
    """
    prices = load_prices(db, request)
    queued = queue_run(db, request, user_id, actor, prices=prices)
    if queued.reopened:
        return queued
    return execute_run(db, queued.run_id, progress, job_id=job_id, settings=settings, prices=prices)


def cancel_run(db: Database, run_id: int, user_id: int | None, is_admin: bool,
               stop_job: Callable[[str], None] | None = None, actor: str | None = None) -> OptimisationRun:
    """Cancel a queued or running run (its owner or an admin): the row says ``cancelled``, by whom and
    when, and ``stop_job(job_id)`` terminates the process or task solving it. NotFound, Forbidden, or
    Conflict when it has already ended."""
    with db.session() as session:
        run = session.get(OptimisationRun, run_id)
        if run is None:
            raise NotFound(f"there is no run #{run_id}")
        if not is_admin and (user_id is None or run.created_by_id != user_id):
            raise Forbidden(f"run #{run_id} is not yours; only its owner or an admin may cancel it")
        if not run_store.cancel(session, run_id, user_id, "Cancelled."):
            raise Conflict(f"run #{run_id} has already ended ({run.status}); there is nothing to cancel")
        who = session.get(User, user_id).username if user_id is not None else (actor or "system")
        session.execute(
            OptimisationRun.__table__.update().where(OptimisationRun.id == run_id)
            .values(message=f"Cancelled by {who} at {utc_now():%Y-%m-%d %H:%M} UTC.")
        )
        audit.record(session, actor or who, "run.cancelled", f"run #{run_id}", {"run_id": run_id})
        job_id = run.job_id
    if job_id and stop_job is not None:
        try:
            stop_job(job_id)
        except Exception:  # the row already says cancelled; the worker stops at its next beat anyway
            log.warning("could not stop job %s of run %s", job_id, run_id, exc_info=True)
    with db.session() as session:
        run = session.get(OptimisationRun, run_id)
        session.expunge(run)
    return run


def keep_waiting_runs_alive(db: Database, run_ids: list[int], settings: Settings | None = None) -> _Heartbeat:
    """For a process that holds queued runs and hands them to its workers itself (a local study): while
    the ``with`` block runs, the heartbeat of those still queued is written, so the reaper leaves them
    waiting however long their turn takes; if the process dies the beats stop and the reaper fails them
    within the heartbeat deadline."""
    return _Heartbeat(db, lambda session: run_store.beat_waiting(session, run_ids),
                      heartbeat_interval_s(settings or Settings()), f"heartbeat of {len(run_ids)} waiting runs",
                      at_once=True)


def reap_stale_runs(db: Database, settings: Settings | None = None, now=None) -> int:
    """End runs that will never finish: running with a heartbeat older than the deadline (``failed``),
    past the overall limit plus the heartbeat deadline (``timed_out``), queued and held by a process whose
    heartbeat stopped (``failed``), or queued and held by nobody for longer than the run limit (``failed``).
    Returns how many runs were marked. (``services.runs.reap``, on every run.)"""
    return len(reap(db, settings, now))


def series_coverage(db: Database) -> dict[str, tuple[date, date]]:
    """First and last settlement date of each stored series."""
    return {row.market: (row.first_date, row.last_date) for row in market_coverage(db)}


@dataclass(frozen=True)
class SeriesFreshness:
    market: str
    first_date: date
    last_date: date
    stored_at: object
    """When its newest row was stored (aware UTC), or None."""
    gaps: tuple = ()
    """``services.prices.CoverageGap``s between first and last date (missing and partial days)."""


def _prices_as_of(db: Database, markets: tuple[str, ...], start_utc, end_utc):
    with db.session() as session:
        return run_store.prices_as_of(session, markets, start_utc, end_utc)


def series_freshness(db: Database, markets: tuple[str, ...]) -> list[SeriesFreshness]:
    """How far each series reaches and when it was last loaded (the form shows how fresh the prices are)."""
    from domain.settlement_time import day_start_utc as start_of

    result = []
    for row in market_coverage(db):
        if row.market not in markets:
            continue
        stored = from_prices(db, ("stored at", row.market, row.first_date, row.last_date),
                             lambda row=row: _prices_as_of(db, (row.market,), start_of(row.first_date),
                                                           start_of(row.last_date + timedelta(days=1))))
        first, last = complete_dates(row)
        # A partial first or last day is already left out of first..last; the gaps listed are those inside.
        inside = tuple(gap for gap in row.gaps if first <= gap.first and gap.last <= last)
        result.append(SeriesFreshness(row.market, first, last, stored, inside))
    return result


def range_check(db: Database, first: date, last: date, da_series: str, id_series: str,
                skip: bool = False) -> dict[str, str | None]:
    """For the DA and ID roles ("da", "id"): None when the series has a price for every settlement period
    of ``first``..``last`` (``skip``: for at least one whole day), else a message naming its coverage or the
    first missing interval."""
    from domain.settlement_time import format_local, settlement_index

    if last < first or (last - first).days + 1 > MAX_RUN_DAYS:
        return {"da": None, "id": None}
    raw = prices_for_dates(db, first, last, (da_series, id_series), max_days=None)
    starts = pd.DatetimeIndex(settlement_index(first, last)["interval_start_utc"])
    result: dict[str, str | None] = {}
    for role, series in (("da", da_series), ("id", id_series)):
        values = raw[series].reindex(starts) if series in raw.columns else pd.Series(float("nan"), index=starts)
        missing = starts[values.isna().to_numpy()]
        if len(missing) == 0 or (skip and len(missing) < len(starts)):
            result[role] = None
        elif len(missing) == len(starts):
            result[role] = (f"there are no {series} prices for {first.isoformat()} to {last.isoformat()}; "
                            f"{_coverage_text(db, series)}.")
        elif missing[0] == starts[0] or missing[-1] == starts[-1]:
            result[role] = (f"{series} prices are missing for {len(missing)} of the {len(starts)} half-hours in the "
                            f"range, from {format_local(missing[0].to_pydatetime())}; {_coverage_text(db, series)}.")
        else:
            result[role] = (f"{series} prices are missing for {len(missing)} of the {len(starts)} half-hours in "
                            f"the range (a gap inside it); the first is {format_local(missing[0].to_pydatetime())}.")
    return result
