"""Who may call each API route: the least user role, and the machine-key scopes that allow it.

Pure data, enforced by ``security.guard`` on every request before any endpoint runs. A user key (or a
session) acts exactly as its user: it passes when the user's *current* role is at least ``role``. A
machine key passes when it holds one of ``scopes`` (``ANY_MACHINE``: every live machine key). A route
under the API prefixes without a row here is refused for everyone (fail closed), and the route x
credential test fails until it gets one.

Endpoints still check what the table cannot say (a run's owner, a turbine outside a key's turbines).
"""

from __future__ import annotations

from dataclasses import dataclass

TURBINES_READ, TURBINES_WRITE = "turbines:read", "turbines:write"
METERS_READ, METERS_WRITE = "meters:read", "meters:write"
FOOTPRINT_READ, FOOTPRINT_WRITE = "footprint:read", "footprint:write"
PRICES_READ, PRICES_IMPORT = "prices:read", "prices:import"
RUNS_READ = "runs:read"

MACHINE_SCOPES = {
    TURBINES_WRITE: "post metrics for turbines (optionally only some turbine numbers)",
    TURBINES_READ: "read the fleet, its metrics and repairs",
    METERS_WRITE: "store smart-meter readings (optionally only some meters)",
    METERS_READ: "read meter readings and price-plan comparisons",
    FOOTPRINT_WRITE: "register carbon assets and post their readings (optionally only some assets)",
    FOOTPRINT_READ: "read carbon footprints",
    PRICES_READ: "read market prices",
    PRICES_IMPORT: "import market prices (no API route yet: reserved for a price feed)",
    RUNS_READ: "read optimisation runs and studies (never submit or cancel them)",
}
"""Every scope a machine key may be given, with what it allows."""

FLEET_GATEWAY_SCOPES = frozenset(MACHINE_SCOPES) - {PRICES_IMPORT}
"""What a machine key could do before scopes existed; the migration gives it to those keys."""

ANY_MACHINE = "*"


@dataclass(frozen=True)
class Access:
    role: str | None
    """Least user role (``domain.roles``); None: no user may call it."""
    scopes: frozenset[str] = frozenset()
    """Machine-key scopes any one of which allows the call; empty: no machine key may."""

    def allows_machine(self, key_scopes: frozenset[str]) -> bool:
        return ANY_MACHINE in self.scopes or bool(self.scopes & key_scopes)


def _access(role: str | None, *scopes: str) -> Access:
    return Access(role, frozenset(scopes))


USER_ONLY_VIEWER = _access("viewer")
USER_ONLY_TRADER = _access("trader")

ROUTE_ACCESS: dict[tuple[str, str], Access] = {
    ("GET", "/api/v1/whoami"): _access("viewer", ANY_MACHINE),
    ("GET", "/api/openapi.json"): _access("viewer", ANY_MACHINE),
    ("GET", "/api/docs"): _access("viewer", ANY_MACHINE),
    ("GET", "/api/docs/files/<name>"): _access("viewer", ANY_MACHINE),
    ("GET", "/api/v1/prices"): _access("viewer", PRICES_READ),
    # carbon footprints
    ("GET", "/api/v1/footprint/<asset_id>/<day>"): _access("viewer", FOOTPRINT_READ),
    ("GET", "/api/v1/footprint/assets"): _access("viewer", FOOTPRINT_READ),
    ("GET", "/api/v1/footprint/runs/<run_ref>"): _access("viewer", FOOTPRINT_READ),
    ("GET", "/footprint/<asset_id>/<day>/<span>/"): _access("viewer", FOOTPRINT_READ),
    ("POST", "/api/v1/footprint/assets"): _access("trader", FOOTPRINT_WRITE),
    ("POST", "/api/v1/footprint/assets/<asset_id>/readings"): _access("trader", FOOTPRINT_WRITE),
    # smart meters (the JOI paths and the same under /api/v1)
    ("GET", "/readings/read/<smart_meter_id>"): _access("viewer", METERS_READ),
    ("GET", "/api/v1/readings/read/<smart_meter_id>"): _access("viewer", METERS_READ),
    ("GET", "/price-plans/compare-all/<smart_meter_id>"): _access("viewer", METERS_READ),
    ("GET", "/api/v1/price-plans/compare-all/<smart_meter_id>"): _access("viewer", METERS_READ),
    ("GET", "/price-plans/recommend/<smart_meter_id>"): _access("viewer", METERS_READ),
    ("GET", "/api/v1/price-plans/recommend/<smart_meter_id>"): _access("viewer", METERS_READ),
    ("POST", "/readings/store"): _access("admin", METERS_WRITE),
    ("POST", "/api/v1/readings/store"): _access("admin", METERS_WRITE),
    # optimisation runs and studies: machines may read, only people submit (owners or admins cancel/delete)
    ("GET", "/api/v1/runs"): _access("viewer", RUNS_READ),
    ("GET", "/api/v1/runs/<int:run_id>"): _access("viewer", RUNS_READ),
    ("GET", "/api/v1/runs/<int:run_id>/intervals.csv"): _access("viewer", RUNS_READ),
    ("POST", "/api/v1/runs"): USER_ONLY_TRADER,
    ("POST", "/api/v1/runs/<int:run_id>/cancel"): USER_ONLY_VIEWER,
    ("DELETE", "/api/v1/runs/<int:run_id>"): USER_ONLY_VIEWER,
    ("GET", "/api/v1/studies"): _access("viewer", RUNS_READ),
    ("GET", "/api/v1/studies/<int:study_id>"): _access("viewer", RUNS_READ),
    ("POST", "/api/v1/studies"): USER_ONLY_TRADER,
    ("POST", "/api/v1/studies/<int:study_id>/cancel"): USER_ONLY_TRADER,
    # turbines
    ("GET", "/api/v1/turbines"): _access("viewer", TURBINES_READ),
    ("GET", "/api/v1/turbines/<int:turbine_number>/metrics"): _access("viewer", TURBINES_READ),
    ("GET", "/api/v1/turbines/repairs"): _access("viewer", TURBINES_READ),
    ("POST", "/api/v1/turbines/metrics"): _access("trader", TURBINES_WRITE),
    ("POST", "/post_metrics"): _access("trader", TURBINES_WRITE),
}


def route_access(method: str, rule: str) -> Access | None:
    """The row for ``method`` on the Flask rule string ``rule`` (HEAD is GET), or None."""
    return ROUTE_ACCESS.get(("GET" if method == "HEAD" else method, rule))


def unknown_scopes(scopes: frozenset[str] | set[str]) -> list[str]:
    return sorted(set(scopes) - set(MACHINE_SCOPES))


def describe(access: Access) -> str:
    """``users: trader and above; machine API keys with turbines:write`` (for documents and messages)."""
    users = f"users: {access.role} and above" if access.role else "users: none"
    if ANY_MACHINE in access.scopes:
        machines = "any machine API key"
    elif access.scopes:
        machines = "machine API keys with " + " or ".join(sorted(access.scopes))
    else:
        machines = "no machine API keys"
    return f"{users}; {machines}"
