"""Sizing-study grids: a base battery plus lists of values, expanded into the points to run.

Pure: a study is ``base`` (any run parameter) and ``grid`` (parameter -> list of values); every
combination is one point, in the grid's key order with the last key varying fastest.
``duration_h`` is accepted as a grid key and sets ``energy_mwh = power_mw × duration_h`` [MWh].
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

BATTERY_KEYS = (
    "power_mw", "energy_mwh", "charge_efficiency", "discharge_efficiency", "soc_min_frac", "soc_max_frac",
    "initial_soc_frac", "terminal_soc", "max_cycles_per_day", "degradation_cost_gbp_per_mwh", "import_limit_mw",
    "export_limit_mw", "carbon_price_gbp_per_tco2",
)
"""Battery parameters a study may set or sweep (the optimiser's BatteryParams fields)."""
RUN_KEYS = ("markets", "foresight", "intraday_reoptimise")
DERIVED_KEYS = ("duration_h", "round_trip_efficiency")
"""Sweepable but not stored: ``duration_h`` [h] becomes ``energy_mwh``; ``round_trip_efficiency`` [-]
becomes equal charge and discharge efficiencies, each its square root."""
STUDY_KEYS = BATTERY_KEYS + RUN_KEYS + DERIVED_KEYS


class StudyGridError(ValueError):
    """The study's base or grid cannot be expanded; the message says what to change."""


@dataclass(frozen=True)
class StudyPoint:
    index: int
    params: dict[str, Any]
    """Battery parameters plus ``markets``, ``foresight`` and ``intraday_reoptimise``, with ``duration_h`` already
    turned into ``energy_mwh``."""
    varied: dict[str, Any]
    """The grid values that make this point (what a chart or table labels it by)."""


def _check_value(key: str, value: Any) -> None:
    if key in (*RUN_KEYS, "terminal_soc"):
        if not isinstance(value, str):
            raise StudyGridError(f"{key} values must be strings, not {value!r}")
        return
    if value is None and key in ("import_limit_mw", "export_limit_mw", "carbon_price_gbp_per_tco2"):
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise StudyGridError(f"{key} values must be finite numbers, not {value!r}")


def expand_grid(base: dict[str, Any], grid: dict[str, list[Any]], max_points: int) -> list[StudyPoint]:
    """Every combination of ``grid`` over ``base``; raises StudyGridError before anything is queued."""
    if not isinstance(base, dict) or not isinstance(grid, dict):
        raise StudyGridError("base and grid must be JSON objects")
    unknown = sorted(set(base) - set(STUDY_KEYS)) + sorted(set(grid) - set(STUDY_KEYS))
    if unknown:
        raise StudyGridError(f"unknown parameter {unknown[0]!r}; use one of {', '.join(STUDY_KEYS)}")
    if not grid:
        raise StudyGridError("the grid is empty: give at least one parameter with a list of values")
    count = 1
    for key, values in grid.items():
        if not isinstance(values, list) or not values:
            raise StudyGridError(f"grid.{key} must be a non-empty list of values")
        if len(set(map(repr, values))) != len(values):
            raise StudyGridError(f"grid.{key} lists a value twice")
        for value in values:
            _check_value(key, value)
        count *= len(values)
    for key, value in base.items():
        _check_value(key, value)
    if count > max_points:
        raise StudyGridError(f"the grid has {count} points; at most {max_points} are allowed in one study")
    given = set(base) | set(grid)
    if {"duration_h", "energy_mwh"} <= given:
        raise StudyGridError("give energy_mwh or duration_h, not both")
    if "round_trip_efficiency" in given and given & {"charge_efficiency", "discharge_efficiency"}:
        raise StudyGridError("give round_trip_efficiency or charge/discharge efficiencies, not both")
    keys = list(grid)
    points = []
    for index, combination in enumerate(itertools.product(*(grid[key] for key in keys))):
        varied = dict(zip(keys, combination, strict=True))
        params = {**base, **varied}
        duration = params.pop("duration_h", None)
        if duration is not None:
            if duration <= 0:
                raise StudyGridError(f"duration_h must be above 0 h, not {duration}")
            params["energy_mwh"] = params.get("power_mw", 100.0) * duration
        round_trip = params.pop("round_trip_efficiency", None)
        if round_trip is not None:
            if not 0 < round_trip <= 1:
                raise StudyGridError(f"round_trip_efficiency must be above 0 and at most 1, not {round_trip}")
            params["charge_efficiency"] = params["discharge_efficiency"] = math.sqrt(round_trip)
        points.append(StudyPoint(index, params, varied))
    return points


def duration_h(params: dict[str, Any]) -> float:
    """Energy over power [h] of a point's battery (defaults as the optimiser's: 100 MW, 100 MWh)."""
    return params.get("energy_mwh", 100.0) / params.get("power_mw", 100.0)


def parse_number_list(text: str | None, label: str) -> list[float]:
    """``"0.5, 1, 2"`` -> [0.5, 1.0, 2.0]; raises StudyGridError naming ``label`` on anything else."""
    parts = [part.strip() for part in (text or "").replace(";", ",").split(",") if part.strip()]
    if not parts:
        raise StudyGridError(f"{label}: give at least one value")
    values = []
    for part in parts:
        try:
            value = float(part)
        except ValueError:
            raise StudyGridError(f"{label}: {part!r} is not a number") from None
        if not math.isfinite(value):
            raise StudyGridError(f"{label}: {part!r} is not a finite number")
        values.append(int(value) if value.is_integer() else value)
    return values
