"""Clone / re-run: the parameters of a stored run as a new request's field values.

``run_parameters`` reads a run and returns every field ``services.run_requests.parse_request`` takes, in the
request's own units (fractions, not %), so that parsing them again gives the same parameters and, over the
same prices, the same run (``params_hash``). The New run form turns them into what it shows.
"""

from __future__ import annotations

from typing import Any

from data_access.engine import Database
from data_access.schema import OptimisationRun
from services.errors import NotFound
from services.run_requests import BATTERY_FIELDS, DEFAULTS, SOLVER_FIELDS


def parameters_of(run: OptimisationRun) -> dict[str, Any]:
    """A stored run -> request field name -> value (dates as ``YYYY-MM-DD``); fields the run's stored
    parameters lack (runs stored before a field existed) take the request's defaults."""
    params = run.params or {}
    battery = params.get("battery") or {}
    solver = params.get("solver") or {}
    series = params.get("series") or {}
    values: dict[str, Any] = {key: battery.get(key, DEFAULTS[key]) for key in BATTERY_FIELDS}
    values |= {key: solver.get(key, DEFAULTS[key]) for key in SOLVER_FIELDS}
    values |= {
        "first_date": run.first_date.isoformat(),
        "last_date": run.last_date.isoformat(),
        "markets": params.get("markets") or run.markets or DEFAULTS["markets"],
        "da_series": series.get("da", run.da_series or DEFAULTS["da_series"]),
        "id_series": series.get("id", run.id_series or DEFAULTS["id_series"]),
        "always_binary": bool(solver.get("always_binary", False)),
        "foresight": params.get("foresight", DEFAULTS["foresight"]),
        "intraday_reoptimise": params.get("intraday_reoptimise", DEFAULTS["intraday_reoptimise"]),
        "name": run.name or "",
    }
    return values


def run_parameters(db: Database, run_id: int) -> dict[str, Any]:
    """The request fields of stored run ``run_id`` (``parameters_of``); NotFound when there is no such run."""
    with db.session() as session:
        run = session.get(OptimisationRun, int(run_id))
        if run is None:
            raise NotFound(f"there is no run #{run_id}")
        return parameters_of(run)
