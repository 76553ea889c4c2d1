"""Fleet reads for the page and the API: turbine state, tickets, history, KPIs, exports, demo fleet."""

from __future__ import annotations

import functools
import io
import time
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from data_access import turbines as store
from data_access.engine import Database
from data_access.types import utc_now
from domain.settlement_time import LONDON
from domain.turbine_fleet import Ticket, implausible_power, repair_state_label, turbine_condition
from services.errors import InvalidInput, NotFound

DEMO_DIR = Path(__file__).resolve().parent.parent / "data_access" / "demo_data" / "turbines"
DEMO_FLEET = (
    (1, "Beinn Mhor 1"), (2, "Beinn Mhor 2"), (3, "Beinn Mhor 3"), (4, "Beinn Mhor 4"), (5, "Beinn Mhor 5"),
    (6, "Carn Dubh 1"), (7, "Carn Dubh 2"), (8, "Carn Dubh 3"), (9, "Carn Dubh 4"), (10, "Carn Dubh 5"),
)
MAX_METRIC_ROWS = 200_000
"""Most reports one read returns (the API and the page ask for a narrower window beyond this)."""


@dataclass(frozen=True)
class TurbineState:
    """One tile of the fleet page / one entry of ``GET /api/v1/turbines``."""

    turbine_number: int
    name: str
    rated_power_kw: float
    condition: str
    """``ok``, ``broken``, ``stale`` (3 expected reports missed) or ``no data``."""
    last_status: str | None
    last_seen: datetime | None
    wind_speed_m_per_s: float | None
    power_kw: float | None
    ticket: Ticket | None
    """The open incident's ticket, if any."""
    plausibility: str = ""
    """Why the latest report's power is implausible (``domain.turbine_fleet.implausible_power``), or ''."""

    @property
    def repair_state(self) -> str:
        return repair_state_label(self.ticket)


DEFAULT_CURVE_TOLERANCE_SHARE = 0.10
"""Power more than this share of the rating above the power curve at that wind is flagged."""


@functools.cache
def _curve_arrays() -> tuple[np.ndarray, np.ndarray]:
    curve = theoretical_power_curve()
    return curve["wind_speed_m_per_s"].to_numpy(float), curve["power_share"].to_numpy(float)


def plausibility_flags(wind_m_per_s, power_kw, rated_power_kw,
                       tolerance_share: float = DEFAULT_CURVE_TOLERANCE_SHARE) -> np.ndarray:
    """``domain.turbine_fleet.implausible_power`` against the shipped theoretical power curve."""
    curve_wind, curve_share = _curve_arrays()
    return implausible_power(wind_m_per_s, power_kw, rated_power_kw, curve_wind, curve_share, tolerance_share)


def fleet_state(db: Database, report_interval_s: float, now: datetime | None = None,
                curve_tolerance_share: float = DEFAULT_CURVE_TOLERANCE_SHARE) -> list[TurbineState]:
    now = now or utc_now()
    with db.session() as session:
        turbines = store.list_turbines(session)
        latest = store.latest_metrics(session, [t.turbine_number for t in turbines])
        open_tickets = {t.turbine_number: t for t in store.open_incident_tickets(session)}
    states = []
    for turbine in turbines:
        metric = latest.get(turbine.turbine_number)
        age = (now - metric.measured_at).total_seconds() if metric else None
        states.append(TurbineState(
            turbine_number=turbine.turbine_number, name=turbine.name, rated_power_kw=turbine.rated_power_kw,
            condition=turbine_condition(metric.status if metric else None, age, report_interval_s),
            last_status=metric.status if metric else None, last_seen=metric.measured_at if metric else None,
            wind_speed_m_per_s=metric.wind_speed_m_per_s if metric else None,
            power_kw=metric.power_kw if metric else None, ticket=open_tickets.get(turbine.turbine_number),
            plausibility=str(plausibility_flags([metric.wind_speed_m_per_s], [metric.power_kw],
                                                [turbine.rated_power_kw], curve_tolerance_share)[0])
            if metric else ""))
    return states


@dataclass(frozen=True)
class FleetKpis:
    availability_pct: float | None
    """Share of the last 24 h's reports that said ok [%]."""
    mean_time_to_repair_s: float | None
    """Mean time from ticket opened to repair done, tickets completed in the last 30 days [s]."""
    open_tickets: int
    energy_today_mwh: float
    """Fleet energy since UK midnight [MWh] (mean reported power × reporting span, per turbine)."""


_kpi_cache: dict[int, tuple[float, FleetKpis]] = {}


def fleet_kpis(db: Database, now: datetime | None = None, max_age_s: float = 0.0) -> FleetKpis:
    """The fleet KPIs; with ``max_age_s`` a result computed that recently (in this process) is reused,
    so a live page does not rescan a day of reports at every refresh."""
    clock = time.monotonic()
    cached = _kpi_cache.get(id(db))
    if max_age_s > 0 and cached and clock - cached[0] < max_age_s:
        return cached[1]
    now = now or utc_now()
    local_midnight = now.astimezone(LONDON).replace(hour=0, minute=0, second=0, microsecond=0)
    with db.session() as session:
        aggregates = store.fleet_aggregates(session, now - timedelta(hours=24), local_midnight.astimezone(UTC),
                                            now + timedelta(minutes=5))
        mttr = store.mean_time_to_repair_s(session, now - timedelta(days=30))
        open_count = sum(1 for t in store.open_incident_tickets(session) if t.status != "done")
    kpis = FleetKpis(
        availability_pct=100.0 * aggregates.ok_reports / aggregates.reports if aggregates.reports else None,
        mean_time_to_repair_s=mttr, open_tickets=open_count, energy_today_mwh=aggregates.energy_kwh / 1000.0)
    _kpi_cache[id(db)] = (clock, kpis)
    return kpis


def list_tickets(db: Database, status: str | None = None, turbine_number: int | None = None,
                 limit: int = 1000) -> list[Ticket]:
    if status is not None and status not in ("queued", "assigned", "in_repair", "done"):
        raise InvalidInput(f"status {status!r} is not one of queued, assigned, in_repair, done")
    with db.session() as session:
        return store.tickets(session, status, turbine_number, limit)


def turbine_metrics(db: Database, turbine_numbers: list[int], since: datetime, until: datetime,
                    curve_tolerance_share: float = DEFAULT_CURVE_TOLERANCE_SHARE) -> pd.DataFrame:
    """Reports of ``turbine_numbers`` in ``since..until`` (UTC); NotFound for an unknown turbine.

    ``plausibility`` says why a report's power is implausible for its wind ('' when it is not)."""
    if since >= until:
        raise InvalidInput("since must be before until")
    with db.session() as session:
        known = store.ratings_kw(session, turbine_numbers)
        missing = sorted(set(turbine_numbers) - set(known))
        if missing:
            raise NotFound(f"no turbine numbered {', '.join(map(str, missing))}")
        frame = store.metrics_between(session, turbine_numbers, since, until, limit=MAX_METRIC_ROWS + 1)
    if len(frame) > MAX_METRIC_ROWS:
        raise InvalidInput(f"more than {MAX_METRIC_ROWS:,} reports in that window; choose a shorter one")
    ratings = frame["turbine_number"].map(known).to_numpy(float)
    frame["plausibility"] = plausibility_flags(frame["wind_speed_m_per_s"].to_numpy(float),
                                               frame["power_kw"].to_numpy(float), ratings, curve_tolerance_share)
    return frame


def metrics_csv(frame: pd.DataFrame) -> str:
    """One CSV: UTC and UK local time, wind [m/s and km/h], power [kW], status, and ``plausibility``:
    ``power above the curve at this wind`` / ``power at zero wind`` for a report whose power its wind cannot explain."""
    out = pd.DataFrame({
        "turbine_number": frame["turbine_number"],
        "measured_at_utc": frame["measured_at"].dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "uk_local_time": frame["measured_at"].dt.tz_convert(LONDON).dt.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "wind_speed_m_per_s": frame["wind_speed_m_per_s"].round(3),
        "wind_speed_km_per_h": (frame["wind_speed_m_per_s"] * 3.6).round(3),
        "power_kw": frame["power_kw"].round(3),
        "status": frame["status"],
        "plausibility": frame.get("plausibility", ""),
    })
    return out.to_csv(index=False)


def metrics_zip(frame: pd.DataFrame) -> bytes:
    """A ZIP with one CSV per turbine."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, part in frame.groupby("turbine_number"):
            archive.writestr(f"turbine_{number}.csv", metrics_csv(part))
    return buffer.getvalue()


def theoretical_power_curve() -> pd.DataFrame:
    """The SCADA file's theoretical curve: ``wind_speed_m_per_s``, ``power_share`` (of the 3.6 MW rating)."""
    return pd.read_csv(DEMO_DIR / "theoretical_power_curve.csv")


def register_demo_fleet(db: Database, rated_power_kw: float) -> int:
    """The ten demo turbines (idempotent). Returns how many were new."""
    with db.session() as session:
        return store.register_turbines(session, [
            {"turbine_number": number, "name": name, "rated_power_kw": rated_power_kw, "auto_registered": False}
            for number, name in DEMO_FLEET])


def register_turbine(db: Database, turbine_number: int, name: str, rated_power_kw: float) -> bool:
    if turbine_number < 1:
        raise InvalidInput("turbine numbers start at 1")
    if not 0 < rated_power_kw <= 30_000:
        raise InvalidInput(f"rating {rated_power_kw:g} kW is not within 0..30,000 kW")
    with db.session() as session:
        return store.register_turbines(session, [{"turbine_number": turbine_number, "name": name[:64],
                                                  "rated_power_kw": rated_power_kw, "auto_registered": False}]) == 1
