"""Smart meters: check and store readings, cost them on every price plan, recommend, change a plan.

Readings are instantaneous import power [kW] at epoch-second times (UTC). Costs are in pence
(plans' rates are p/kWh); ``domain.price_plans`` holds the formulas.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import pandas as pd

from data_access import meters as meter_store
from data_access.engine import Database
from domain import price_plans as plans_domain
from domain.price_plans import PlanCost, PricePlan
from domain.settlement_time import format_local
from services import audit
from services.errors import Conflict, InvalidInput, NotFound

MAX_READINGS_PER_REQUEST = 10_000
MIN_TIME_S = 946_684_800
"""2000-01-01T00:00:00Z: earlier times are a meter's clock fault, not a reading."""
FUTURE_TOLERANCE_S = 86_400
"""A reading may be at most a day ahead of the server's clock."""
MAX_POWER_KW = 1_000.0
"""Readings above this [kW] are refused as implausible for a customer's import meter."""
METER_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"
COST_DECIMALS = 4


class TooManyReadings(InvalidInput):
    """More readings in one request than the API takes (HTTP 413)."""


@dataclass(frozen=True)
class ReadingsBatch:
    """Checked readings from one request: unique times (epoch s) with their power [kW]."""

    meter_id: str
    times_s: np.ndarray
    power_kw: np.ndarray
    echo: list[dict]


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise InvalidInput(message)


def _first_index(flags: list[bool]) -> int | None:
    return next((i for i, flag in enumerate(flags) if flag), None)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_finite(value: int | float) -> bool:
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer too large for a float
        return False


def parse_readings_payload(body: object, now_s: float | None = None) -> ReadingsBatch:
    """Check a ``/readings/store`` body whole; raise InvalidInput (or TooManyReadings) saying what
    to change. Negative readings are refused: these are import meters, export is not metered."""
    _require(isinstance(body, dict), "the body must be a JSON object with smartMeterId and electricityReadings")
    meter_id = body.get("smartMeterId")
    _require("smartMeterId" in body, "smartMeterId is required")
    _require(isinstance(meter_id, str) and re.match(METER_ID_PATTERN, meter_id) is not None,
             "smartMeterId must be 1-64 letters, digits, dots, dashes, underscores or colons, starting with a "
             "letter or digit")
    _require("electricityReadings" in body, "electricityReadings is required")
    items = body["electricityReadings"]
    _require(isinstance(items, list), "electricityReadings must be a list of {\"time\", \"reading\"} objects")
    _require(len(items) > 0, "electricityReadings is empty; send at least one reading")
    if len(items) > MAX_READINGS_PER_REQUEST:
        raise TooManyReadings(f"{len(items):,} readings in one request; send at most "
                              f"{MAX_READINGS_PER_REQUEST:,} per request")
    bad = _first_index([not isinstance(r, dict) or "time" not in r or "reading" not in r for r in items])
    _require(bad is None, f"electricityReadings[{bad}] must be an object with 'time' and 'reading'")
    latest = int((now_s if now_s is not None else time.time()) + FUTURE_TOLERANCE_S)
    times_raw = [r["time"] for r in items]
    bad = _first_index([type(t) is not int for t in times_raw])
    _require(bad is None, f"electricityReadings[{bad}].time must be a whole number of seconds since "
                          f"1970-01-01 UTC, not {times_raw[bad if bad is not None else 0]!r}")
    bad = _first_index([not MIN_TIME_S <= t <= latest for t in times_raw])
    _require(bad is None, f"electricityReadings[{bad}].time {times_raw[bad if bad is not None else 0]} is outside "
                          f"{MIN_TIME_S} (2000-01-01) to one day from now")
    power_raw = [r["reading"] for r in items]
    bad = _first_index([not _is_number(p) for p in power_raw])
    _require(bad is None, f"electricityReadings[{bad}].reading must be a number of kW, "
                          f"not {power_raw[bad if bad is not None else 0]!r}")
    bad = _first_index([not _is_finite(p) for p in power_raw])
    _require(bad is None, f"electricityReadings[{bad}].reading must be a finite number of kW")
    times = np.asarray(times_raw, dtype=np.int64)
    power = np.asarray(power_raw, dtype=np.float64)
    negative = np.flatnonzero(power < 0)
    _require(negative.size == 0, f"electricityReadings[{negative[0] if negative.size else 0}].reading is negative: "
                                 "these are import meters and export is not accepted; send power drawn "
                                 "from the grid (0 or more kW)")
    too_high = np.flatnonzero(power > MAX_POWER_KW)
    _require(too_high.size == 0, f"electricityReadings[{too_high[0] if too_high.size else 0}].reading is above "
                                 f"{MAX_POWER_KW:,.0f} kW, more than a customer's meter can draw")
    order = np.argsort(times, kind="stable")
    times, power = times[order], power[order]
    repeated = np.flatnonzero(np.diff(times) == 0)
    clash = repeated[power[repeated] != power[repeated + 1]]
    _require(clash.size == 0, f"time {times[clash[0]] if clash.size else 0} appears twice with different readings")
    unique = np.concatenate(([True], np.diff(times) != 0))
    echo = [{"time": t, "reading": p} for t, p in zip(times_raw, power_raw, strict=True)]
    return ReadingsBatch(meter_id=meter_id, times_s=times[unique], power_kw=power[unique], echo=echo)


class ConflictingReadings(Conflict):
    """Readings for instants that already hold a different value (HTTP 409); nothing was stored.

    ``conflicts``: (epoch s, stored kW, sent kW) of each, oldest first."""

    def __init__(self, meter_id: str, conflicts: list[tuple[int, float, float]]):
        self.meter_id, self.conflicts = meter_id, conflicts
        shown = "; ".join(f"at {t} ({_utc_text(t)}) {old!r} kW is stored and this request sent {new!r} kW"
                          for t, old, new in conflicts[:10])
        more = f"; and {len(conflicts) - 10} more" if len(conflicts) > 10 else ""
        super().__init__(f"{len(conflicts)} reading(s) for smart meter {meter_id!r} contradict stored ones: "
                         f"{shown}{more}. A stored reading is never replaced; nothing was stored")


def _utc_text(epoch_s: int) -> str:
    return datetime.fromtimestamp(int(epoch_s), UTC).isoformat().replace("+00:00", "Z")


def store_readings(db: Database, batch: ReadingsBatch) -> int:
    """Store a checked batch in one transaction (creating the meter, with no plan, if new).

    Returns how many readings were new: re-sending a stored reading (same instant, same value) is
    harmless. A different value at a stored instant raises ``ConflictingReadings`` and nothing of
    the batch is stored. The check runs after the insert, in the same transaction, so two requests
    racing with different values cannot both succeed: the second finds the first's committed row."""
    with db.session() as session:
        meter_store.ensure_meter(session, batch.meter_id)
        added = meter_store.insert_readings(session, batch.meter_id, batch.times_s, batch.power_kw)
        if added < len(batch.times_s):
            stored_t, stored_p = meter_store.read_readings_between(session, batch.meter_id, int(batch.times_s[0]),
                                                                   int(batch.times_s[-1]))
            position = np.searchsorted(stored_t, batch.times_s)
            found = position < stored_t.size
            found[found] = stored_t[position[found]] == batch.times_s[found]
            old = np.where(found, stored_p[np.minimum(position, max(stored_t.size - 1, 0))], np.nan) \
                if stored_t.size else np.full(batch.times_s.size, np.nan)
            clash = np.flatnonzero(found & (old != batch.power_kw))
            if clash.size:
                raise ConflictingReadings(batch.meter_id, [(int(batch.times_s[i]), float(old[i]),
                                                            float(batch.power_kw[i])) for i in clash])
        return added


def readings_of(db: Database, meter_id: str) -> tuple[np.ndarray, np.ndarray]:
    """(epoch s, kW) oldest first; NotFound for an unknown meter or one without readings."""
    with db.session() as session:
        times, power = meter_store.read_readings(session, meter_id)
    if times.size == 0:
        raise NotFound(f"no readings stored for smart meter {meter_id!r}")
    return times, power


def _domain_plan(row) -> PricePlan:
    return PricePlan(
        plan_id=row.id, supplier=row.supplier, unit_rate_p_per_kwh=row.unit_rate_p_per_kwh,
        peak_multipliers={int(k): float(v) for k, v in (row.peak_multipliers or {}).items()},
        kind=row.kind, day_ahead_multiplier=row.day_ahead_multiplier or 0.0,
        rate_cap_p_per_kwh=row.rate_cap_p_per_kwh,
    )


def day_ahead_by_half_hour(session, first_s: int, last_s: int) -> pd.Series:
    """Stored day-ahead prices [£/MWh] covering ``first_s``..``last_s``, indexed by half-hour start (epoch s)."""
    first_half_hour = int(plans_domain.half_hour_starts_s(np.array([first_s]))[0])
    return meter_store.day_ahead_prices(session, first_half_hour, last_s + 1)


@dataclass(frozen=True)
class MeterComparison:
    """A meter's readings costed on every plan: ``ranked`` cheapest first (costed over the whole
    window), ``incomplete`` dynamic plans costed over part of it only (no day-ahead price)."""

    meter_id: str
    owner: str
    current_plan_id: str | None
    plans: dict[str, PricePlan]
    times_s: np.ndarray
    power_kw: np.ndarray
    ranked: list[PlanCost]
    incomplete: list[PlanCost]
    max_gap_s: float | None = None
    """Intervals between readings longer than this [s] are gaps: unknown, not costed."""

    @property
    def energy_kwh(self) -> float:
        """Known energy [kWh]: gaps longer than ``max_gap_s`` are left out."""
        return plans_domain.energy_kwh(self.times_s, self.power_kw, self.max_gap_s)

    @property
    def gap_intervals(self) -> int:
        return int(plans_domain.gap_mask(self.times_s, self.max_gap_s).sum())

    @property
    def gap_hours(self) -> float:
        gaps = plans_domain.gap_mask(self.times_s, self.max_gap_s)
        return float(np.diff(self.times_s)[gaps].sum()) / 3600.0 if gaps.any() else 0.0

    @property
    def current_cost(self) -> PlanCost | None:
        return next((c for c in self.ranked if c.plan_id == self.current_plan_id), None)

    @property
    def saving_p(self) -> float | None:
        """How much less the cheapest plan costs than the current one over the window [p]."""
        current = self.current_cost
        return None if current is None or not self.ranked else current.cost_p - self.ranked[0].cost_p


DEFAULT_MAX_GAP_S = 7_200.0
"""Readings further apart than this [s] leave a gap: unknown usage, shown as a gap and not costed."""


def compare_meter(db: Database, meter_id: str, max_gap_s: float | None = DEFAULT_MAX_GAP_S) -> MeterComparison:
    """Cost a meter's stored readings on every plan. NotFound for an unknown meter or no readings.

    Intervals between readings longer than ``max_gap_s`` [s] are gaps (unknown, left out of every cost)."""
    with db.session() as session:
        meter = meter_store.get_meter(session, meter_id)
        if meter is None:
            raise NotFound(f"no smart meter {meter_id!r}")
        times, power = meter_store.read_readings(session, meter_id)
        if times.size == 0:
            raise NotFound(f"no readings stored for smart meter {meter_id!r}")
        plans = {row.id: _domain_plan(row) for row in meter_store.list_plans(session)}
        needs_prices = any(plan.is_dynamic for plan in plans.values()) and times.size > 1
        day_ahead = day_ahead_by_half_hour(session, int(times[0]), int(times[-1])) if needs_prices else None
        owner, current = meter.owner, meter.price_plan_id
    ranked, incomplete = plans_domain.compare_plans(list(plans.values()), times, power, day_ahead, max_gap_s)
    return MeterComparison(meter_id, owner, current, plans, times, power, ranked, incomplete, max_gap_s)


def rounded(cost_p: float) -> float:
    return round(cost_p, COST_DECIMALS)


def compare_all(db: Database, meter_id: str, max_gap_s: float | None = DEFAULT_MAX_GAP_S) -> MeterComparison:
    """``compare_meter`` for the compare-all endpoint: NotFound also when the meter has no plan."""
    comparison = compare_meter(db, meter_id, max_gap_s)
    if comparison.current_plan_id is None:
        raise NotFound(f"smart meter {meter_id!r} has readings but no price plan; an admin can choose one "
                       "on the Meters page")
    return comparison


def parse_limit(raw: str | None) -> int | None:
    """The recommend endpoint's ``limit``: None when absent, else a positive integer."""
    if raw is None:
        return None
    if not raw.isdigit() or int(raw) < 1:
        raise InvalidInput(f"limit must be a positive whole number, not {raw!r}")
    return int(raw)


def recommend(db: Database, meter_id: str, limit: int | None,
              max_gap_s: float | None = DEFAULT_MAX_GAP_S) -> list[PlanCost]:
    """Plans costed over the whole window, cheapest first, at most ``limit``."""
    return compare_meter(db, meter_id, max_gap_s).ranked[:limit]


@dataclass(frozen=True)
class MeterListing:
    meter_id: str
    owner: str
    price_plan_id: str | None
    readings: int
    first_utc: datetime | None
    last_utc: datetime | None


def list_meters(db: Database) -> list[MeterListing]:
    with db.session() as session:
        rows = meter_store.list_meters(session)
    return [MeterListing(m.id, m.owner, m.price_plan_id, n, first, last) for m, n, first, last in rows]


def opening_meter(db: Database, listings: list[MeterListing], max_gap_s: float | None = DEFAULT_MAX_GAP_S) -> str | None:
    """The meter the Meters page opens on: the first listed whose current plan and every other plan can be
    costed over its whole window; else the first whose current plan can; else the first listed."""
    fallback = None
    for listing in listings:
        if listing.price_plan_id is None or listing.readings == 0:
            continue
        comparison = compare_meter(db, listing.meter_id, max_gap_s)
        if comparison.current_cost is None:
            continue
        if not comparison.incomplete:
            return listing.meter_id
        fallback = fallback or listing.meter_id
    return fallback or (listings[0].meter_id if listings else None)


def not_costed_reasons(comparison: MeterComparison) -> dict[str, str]:
    """Why each plan that cannot be costed over the whole window cannot, by plan id (plain sentences)."""
    if comparison.times_s.size < 2:
        return {plan_id: "one reading is not a window to cost" for plan_id in comparison.plans}
    first, last = (datetime.fromtimestamp(int(t), UTC) for t in (comparison.times_s[0], comparison.times_s[-1]))
    span = f"{format_local(first, with_period=False)} to {format_local(last, with_period=False)}"
    reasons = {}
    for cost in comparison.incomplete:
        if cost.costed_energy_kwh <= 0:
            reasons[cost.plan_id] = (f"it follows day-ahead prices, and none are stored for {span}")
        else:
            reasons[cost.plan_id] = (f"it follows day-ahead prices, and {cost.uncosted_intervals:,} of the intervals "
                                     f"from {span} have none stored")
    return reasons


def list_plans(db: Database) -> list[PricePlan]:
    with db.session() as session:
        return [_domain_plan(row) for row in meter_store.list_plans(session)]


def change_plan(db: Database, actor: str, meter_id: str, plan_id: str) -> str | None:
    """Move a meter onto ``plan_id``, recorded in the audit log in the same transaction.
    Returns the previous plan id. NotFound for an unknown meter or plan."""
    with db.session() as session:
        meter = meter_store.get_meter(session, meter_id)
        if meter is None:
            raise NotFound(f"no smart meter {meter_id!r}")
        if meter_store.get_plan(session, plan_id) is None:
            raise NotFound(f"no price plan {plan_id!r}")
        previous = meter.price_plan_id
        if previous == plan_id:
            return previous
        meter.price_plan_id = plan_id
        audit.record(session, actor, "plan.changed", target=meter_id, detail={"from": previous, "to": plan_id})
    return previous
