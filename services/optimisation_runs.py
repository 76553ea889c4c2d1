"""Optimisation runs as a use case: load prices, reopen an identical stored run or solve and store.

Identical parameters over identical input data reopen the stored run instead of solving
again: ``params_hash`` covers the battery, markets, solver settings and date range, and
``input_fingerprint`` covers the prices the run would read.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from data_access import runs as run_store
from data_access.engine import Database
from data_access.schema import OptimisationRun
from data_access.types import utc_now
from domain.settlement_time import day_start_utc
from optimiser import BatteryParams, Markets, OptimiserError, SolverSettings, optimise
from optimiser.prices import range_inputs
from services.errors import InvalidInput, NotFound
from services.footprint import intensity_series
from services.prices import prices_for_dates

log = logging.getLogger(__name__)
MAX_RUN_DAYS = 400
STALE_AFTER = timedelta(hours=6)


@dataclass(frozen=True)
class RunRequest:
    """What a user asks for: a battery, a range of settlement dates, the markets, solver settings."""

    first: date
    last: date
    battery: BatteryParams
    markets: str = "da+id"
    solver: SolverSettings | None = None
    name: str = ""

    def describe(self) -> dict:
        return {
            "first_date": self.first.isoformat(),
            "last_date": self.last.isoformat(),
            "markets": str(Markets.parse(self.markets)),
            "battery": self.battery.model_dump(mode="json"),
            "solver": (self.solver or SolverSettings()).model_dump(mode="json"),
        }


@dataclass(frozen=True)
class RunOutcome:
    run_id: int
    status: str
    reopened: bool
    """True when an identical stored run was reopened instead of solving again."""


def _sha256(payload: str) -> str:
    return hashlib.sha256(payload.encode()).hexdigest()


def params_hash(request: RunRequest) -> str:
    return _sha256(json.dumps(request.describe(), sort_keys=True))


def input_fingerprint(prices: pd.DataFrame) -> str:
    """SHA-256 over every interval start and DA/ID price the run reads (NaN written as null)."""
    columns = [c for c in ("day_ahead", "intraday") if c in prices.columns]
    canonical = prices[columns].astype(object).where(prices[columns].notna(), None)
    payload = json.dumps([[t.isoformat(), *row] for t, row in zip(prices.index, canonical.to_numpy().tolist(),
                                                                   strict=True)])
    return _sha256(",".join(columns) + payload)


def _load_prices(db: Database, request: RunRequest) -> pd.DataFrame:
    if request.last < request.first:
        raise InvalidInput(f"the end date {request.last.isoformat()} is before the start date {request.first.isoformat()}")
    if (request.last - request.first).days + 1 > MAX_RUN_DAYS:
        raise InvalidInput(f"choose at most {MAX_RUN_DAYS} days for one run")
    prices = prices_for_dates(db, request.first, request.last)
    for market in ("day_ahead", "intraday"):
        if market not in prices.columns:
            prices[market] = float("nan")
    return prices[["day_ahead", "intraday"]]


def _load_intensity(db: Database, request: RunRequest) -> pd.Series | None:
    """Carbon: the stored grid intensity [gCO2/kWh] (actual, else forecast) for a run with a carbon price;
    None for a run without one. The optimiser refuses a range the series does not cover, naming the gap."""
    if request.battery.carbon_price_gbp_per_tco2 is None:
        return None
    end = day_start_utc(request.last + timedelta(days=1))
    return intensity_series(db, day_start_utc(request.first), end)["intensity_g_per_kwh"].dropna()


def queue_run(db: Database, request: RunRequest, user_id: int | None = None) -> RunOutcome:
    """Check a request and store it as a queued run, or reopen an identical stored run.

    Bad input (dates, missing prices) raises InvalidInput and stores nothing. Returns the
    queued run (status ``queued``) for ``execute_run``, or the reopened one.
    """
    prices = _load_prices(db, request)
    check_prices(prices, request)
    phash, fingerprint = params_hash(request), input_fingerprint(prices)
    with db.session() as session:
        existing = run_store.find_reusable(session, phash, fingerprint)
        if existing is not None:
            return RunOutcome(existing.id, existing.status, reopened=True)
        run = OptimisationRun(
            name=request.name, created_by_id=user_id, first_date=request.first, last_date=request.last,
            markets=str(Markets.parse(request.markets)), params=request.describe(), params_hash=phash,
            input_fingerprint=fingerprint, status=run_store.QUEUED,
        )
        session.add(run)
    return RunOutcome(run.id, run_store.QUEUED, reopened=False)


def check_prices(prices: pd.DataFrame, request: RunRequest) -> None:
    """Refuse a range with missing or malformed prices before anything is queued, with the
    optimiser's own checks (its message names the interval)."""
    try:
        range_inputs(prices, request.first, request.last)
    except OptimiserError as error:
        raise InvalidInput(str(error)) from error


def request_of(run: OptimisationRun) -> RunRequest:
    """Rebuild the request a stored run was made from."""
    params = run.params
    return RunRequest(
        first=run.first_date, last=run.last_date, battery=BatteryParams(**params["battery"]),
        markets=params["markets"], solver=SolverSettings(**params["solver"]), name=run.name,
    )


def execute_run(db: Database, run_id: int, progress: Callable[[int, int], None] | None = None) -> RunOutcome:
    """Solve a queued run and store its outcome; a run that is not queued is left as it is.

    Claiming the run (queued -> running) is one conditional UPDATE, so two workers handed the
    same run cannot both solve it.
    """
    with db.session() as session:
        claimed = run_store.claim(session, run_id)
        run = session.get(OptimisationRun, run_id)
        if run is None:
            raise NotFound(f"there is no run #{run_id}")
        if not claimed:
            return RunOutcome(run.id, run.status, reopened=True)
        request = request_of(run)
    try:
        prices = _load_prices(db, request)
        result = optimise(prices, request.first, request.last, request.battery, markets=Markets.parse(request.markets),
                          solver=request.solver, intensity=_load_intensity(db, request), progress=progress)
    except (OptimiserError, InvalidInput) as error:
        # The prices changed between queueing and solving (or the request no longer holds).
        with db.session() as session:
            run_store.store_result(session, run_id, run_store.FAILED, str(error), None, {}, pd.DataFrame())
        return RunOutcome(run_id, run_store.FAILED, reopened=False)
    except Exception:
        with db.session() as session:
            run_store.store_result(session, run_id, run_store.FAILED, "The optimiser failed unexpectedly.",
                                   None, {}, pd.DataFrame())
        log.exception("optimisation run %s failed", run_id)
        raise
    totals = result.totals.as_dict() if result.totals is not None else None
    if totals is not None and result.baselines is not None:
        totals["baselines"] = result.baselines.as_dict()
    with db.session() as session:
        run_store.store_result(session, run_id, str(result.status), result.message, totals,
                               result.solver.as_dict(), result.intervals)
    return RunOutcome(run_id, str(result.status), reopened=False)


def run_optimisation(
    db: Database,
    request: RunRequest,
    user_id: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RunOutcome:
    """Reopen an identical stored run, or queue and solve a new one now (CLI and tests).

    Bad input raises InvalidInput and stores nothing. A solver outcome without a schedule
    (infeasible, time limit, solver error) is stored as the run's status with its message.
    """
    queued = queue_run(db, request, user_id)
    if queued.reopened:
        return queued
    return execute_run(db, queued.run_id, progress)


def reap_stale_runs(db: Database, now=None) -> int:
    """Mark runs 'running' or 'queued' for longer than ``STALE_AFTER`` as failed."""
    with db.session() as session:
        return run_store.reap_stale(session, (now or utc_now()) - STALE_AFTER)
