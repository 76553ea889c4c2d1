"""Turbine metric validation and units. Pure: numpy only.

The wire format is the original emitters' (one JSON object per metric):

- ``turbine_number``: integer.
- ``wind_speed``: wind speed [km/h], finite, 0..300. Stored as m/s: ``m/s = km/h / 3.6``.
- ``power_output_in_kwh``: despite its name this is the turbine's **power [kW]** at that
  instant (not an energy), finite, from −5 % to +120 % of the turbine's rating.
- ``operational_status``: ``"ok"`` or ``"broken"``.
- ``timestamp``: measured time, Unix epoch seconds (UTC), finite, not more than the allowed skew
  (``turbine_max_future_skew_s``, default 30 s) ahead of the server's clock and not before 2000-01-01.
  A report stamped further ahead would sort after every later real report and hide it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

KMH_PER_MS = 3.6
"""1 m/s = 3.6 km/h."""
MAX_WIND_KMH = 300.0
MIN_POWER_SHARE = -0.05
MAX_POWER_SHARE = 1.20
DEFAULT_MAX_FUTURE_S = 30.0
"""How far ahead of the server's clock a report may be stamped by default [s]."""
MAX_FUTURE_S = 300.0
"""The most any setting may allow [s]: the latest-report query relies on no stored report being further ahead."""
EARLIEST_EPOCH_S = 946_684_800.0
"""2000-01-01T00:00Z: anything older is a clock fault."""
STATUSES = ("ok", "broken")
FIELDS = ("turbine_number", "wind_speed", "power_output_in_kwh", "operational_status", "timestamp")


class MetricError(ValueError):
    """One metric is invalid; ``item`` is its index in the batch (0 for a single object)."""

    def __init__(self, item: int | None, field: str | None, message: str):
        self.item, self.field = item, field
        where = f"item {item}" if item is not None else "body"
        super().__init__(f"{where}: {field} {message}" if field else f"{where}: {message}")


@dataclass(frozen=True)
class MetricBatch:
    """Parsed metrics as columns (one entry per metric, deduplicated on turbine and time)."""

    turbine_number: np.ndarray
    wind_speed_m_per_s: np.ndarray
    power_kw: np.ndarray
    is_broken: np.ndarray
    measured_epoch_s: np.ndarray
    received: int
    """Metrics in the request, before removing repeats of the same (turbine, timestamp)."""

    def __len__(self) -> int:
        return len(self.turbine_number)


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _as_float(value: float | int) -> float:
    try:
        return float(value)
    except OverflowError:  # an integer too large for a float
        return math.inf


def parse_metrics(items: Sequence[object]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shape and types, item by item (JSON gives no other way); returns the raw columns."""
    count = len(items)
    turbine = np.empty(count, dtype=np.int64)
    wind = np.empty(count, dtype=np.float64)
    power = np.empty(count, dtype=np.float64)
    broken = np.empty(count, dtype=bool)
    epoch = np.empty(count, dtype=np.float64)
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise MetricError(index, None, "must be a JSON object with " + ", ".join(FIELDS))
        for field in FIELDS:
            if field not in item:
                raise MetricError(index, field, "is missing")
        number = item["turbine_number"]
        if isinstance(number, bool) or not (isinstance(number, int) or (isinstance(number, float)
                                                                        and number.is_integer())):
            raise MetricError(index, "turbine_number", f"must be an integer, not {number!r}")
        if not 1 <= number <= 2_147_483_647:
            raise MetricError(index, "turbine_number", f"must be a positive integer, not {number!r}")
        for field in ("wind_speed", "power_output_in_kwh", "timestamp"):
            if not _is_number(item[field]):
                raise MetricError(index, field, f"must be a number, not {item[field]!r}")
        status = item["operational_status"]
        if status not in STATUSES:
            raise MetricError(index, "operational_status", f"must be \"ok\" or \"broken\", not {status!r}")
        turbine[index] = int(number)
        wind[index] = _as_float(item["wind_speed"])
        power[index] = _as_float(item["power_output_in_kwh"])
        broken[index] = status == "broken"
        epoch[index] = _as_float(item["timestamp"])
    return turbine, wind, power, broken, epoch


def _first_bad(mask: np.ndarray) -> int | None:
    hits = np.flatnonzero(mask)
    return int(hits[0]) if len(hits) else None


def validate_metrics(items: Sequence[object], rating_kw: Callable[[np.ndarray], np.ndarray], now_epoch_s: float,
                     single: bool = False, max_future_s: float = DEFAULT_MAX_FUTURE_S) -> MetricBatch:
    """Check every metric; the first problem raises ``MetricError`` naming the item and field.

    ``rating_kw(turbine_numbers)`` gives each metric's turbine rating [kW] (NaN for an unknown
    turbine). Value checks are vectorised; the batch is deduplicated on (turbine, timestamp),
    keeping the first.
    """
    if len(items) == 0:
        raise MetricError(None, None, "send at least one metric")
    turbine, wind_kmh, power, broken, epoch = parse_metrics(items)

    def check(mask: np.ndarray, field: str, message: Callable[[int], str]) -> None:
        bad = _first_bad(mask)
        if bad is not None:
            raise MetricError(0 if single else bad, field, message(bad))

    check(~np.isfinite(wind_kmh), "wind_speed", lambda i: f"must be a finite number of km/h, not {wind_kmh[i]}")
    check((wind_kmh < 0) | (wind_kmh > MAX_WIND_KMH), "wind_speed",
          lambda i: f"{wind_kmh[i]} km/h is outside 0..{MAX_WIND_KMH:g} km/h")
    check(~np.isfinite(epoch), "timestamp", lambda i: f"must be finite epoch seconds, not {epoch[i]}")
    max_future_s = min(max_future_s, MAX_FUTURE_S)
    check(epoch > now_epoch_s + max_future_s, "timestamp",
          lambda i: f"{epoch[i]:.3f} is {epoch[i] - now_epoch_s:.1f} s ahead of the server's clock (at most "
                    f"{max_future_s:g} s); nothing was stored")
    check(epoch < EARLIEST_EPOCH_S, "timestamp", lambda i: f"{epoch[i]} is before 2000-01-01")
    ratings = rating_kw(turbine)
    check(np.isnan(ratings), "turbine_number", lambda i: f"turbine {turbine[i]} is not registered")
    check(~np.isfinite(power), "power_output_in_kwh", lambda i: f"must be a finite number of kW, not {power[i]}")
    check((power < MIN_POWER_SHARE * ratings) | (power > MAX_POWER_SHARE * ratings), "power_output_in_kwh",
          lambda i: f"{power[i]:g} kW is outside {MIN_POWER_SHARE * ratings[i]:g}..{MAX_POWER_SHARE * ratings[i]:g} kW "
                    f"(-5 %..+120 % of turbine {turbine[i]}'s {ratings[i]:g} kW rating)")
    # Microsecond precision is what is stored; repeats within the batch are stored once.
    epoch = np.round(epoch, 6)
    _, first = np.unique(np.stack([turbine.astype(np.float64), epoch]), axis=1, return_index=True)
    keep = np.sort(first)
    return MetricBatch(turbine[keep], wind_kmh[keep] / KMH_PER_MS, power[keep], broken[keep], epoch[keep],
                       received=len(items))
