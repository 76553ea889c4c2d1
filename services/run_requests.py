"""What a run request may contain, checked field by field the same way for the form, the API and the CLI.

``FIELDS`` is the one description of every parameter: its label, unit, bounds and default. ``parse_request``
turns a mapping of field name -> value (JSON body, form values, CLI options) into a ``RunRequest`` or raises
``RequestProblems`` with one message per field, in words a trader acts on; the optimiser's own checks
(SoC window, initial SoC) run last and their messages are attached to the field they name.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.markets import MARKETS
from optimiser import BatteryParams, Markets, OptimiserError, SolverSettings
from optimiser.params import battery_problems
from services.errors import InvalidInput
from services.validation import parse_date
from settings import Settings

MAX_NAME_CHARS = 120
MAX_RUN_DAYS = 2400
"""Most settlement dates one run may cover: 2019-01..2025-06 of system prices is 2,344. Solved day by day in
rolling windows."""
DATE_LABELS = {"first_date": "first settlement date", "last_date": "last settlement date"}
"""The date fields as the New run form labels them."""
DA_SERIES = ("day_ahead", *(m for m in MARKETS if m != "day_ahead"))
"""Stored series that can play the day-ahead leg: any. ``day_ahead`` is hourly (both half-hours of a clock hour
share a price, which is checked); the others are half-hourly and keep their half-hourly prices, the DA positions
still being hourly blocks."""
HOURLY_SERIES = ("day_ahead",)
"""Series that are hourly auctions (their two half-hours of an hour must agree)."""
ID_SERIES = ("intraday", *(m for m in MARKETS if m != "intraday"))
"""Stored series that can play the intraday leg (half-hourly): any."""
TERMINAL_POLICIES = ("free", "geq-initial", "eq-initial")
MARKET_MODES = tuple(m.value for m in Markets)
FORESIGHTS = ("perfect", "naive-week", "naive-day", "gbm")
"""``perfect``: solve on the day's actual prices (an upper bound); otherwise the forecaster whose forecasts the
run trades on, settled at the actual prices (``optimiser.backtest``, ``domain.forecasters``)."""
INTRADAY_REOPTIMISE = ("once", "hourly")
"""A forecast-driven run's intraday decisions: ``once`` on the day before for all of the day, or ``hourly``
(also re-plan the rest of the day before each of its hours)."""
DEFAULT_DECISION_TIMES = ("09:20", "15:00")
"""Day-ahead gate closure and intraday decision, UK local on the day before (the settings' defaults): a run
with these leaves them out of its stored parameters, so runs stored before they were settings keep their
fingerprint."""


@dataclass(frozen=True)
class Number:
    label: str
    unit: str
    default: float | None
    low: float | None = None
    low_inclusive: bool = True
    high: float | None = None
    optional: bool = False
    low_reason: str = ""

    def check(self, value: Any) -> tuple[float | None, str | None]:
        if value is None or (isinstance(value, str) and not value.strip()):
            if self.optional:
                return None, None
            return None, f"{self.label} is required"
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None, f"{self.label}: {value!r} is not a number"
        number = float(value)
        if not math.isfinite(number):
            return None, f"{self.label}: {value!r} is not a finite number"
        unit = f" {self.unit}" if self.unit else ""
        if self.low is not None and (number < self.low or (number == self.low and not self.low_inclusive)):
            bound = "at least" if self.low_inclusive else "above"
            return None, f"{self.label} must be {bound} {self.low:g}{unit}{self.low_reason} (got {number:g})"
        if self.high is not None and number > self.high:
            return None, f"{self.label} must be at most {self.high:g}{unit} (got {number:g})"
        return number, None


@dataclass(frozen=True)
class Choice:
    label: str
    options: tuple[str, ...]
    default: str

    def check(self, value: Any) -> tuple[str | None, str | None]:
        if value is None or value == "":
            return self.default, None
        if not isinstance(value, str) or value not in self.options:
            return None, f"{self.label}: {value!r} is not one of {', '.join(self.options)}"
        return value, None


BATTERY_FIELDS: dict[str, Number | Choice] = {
    "power_mw": Number("power", "MW", 100.0, 0, False, 10_000),
    "energy_mwh": Number("energy", "MWh", 100.0, 0, False, 100_000),
    "charge_efficiency": Number("charge efficiency", "", 0.85, 0, False, 1),
    "discharge_efficiency": Number("discharge efficiency", "", 0.85, 0, False, 1),
    "soc_min_frac": Number("SoC minimum", "", 0.0, 0, True, 1),
    "soc_max_frac": Number("SoC maximum", "", 1.0, 0, False, 1),
    "initial_soc_frac": Number("initial SoC", "", 0.5, 0, True, 1),
    "terminal_soc": Choice("SoC at the end of the range", TERMINAL_POLICIES, "free"),
    "import_limit_mw": Number("grid import limit", "MW", None, 0, True, 10_000, optional=True),
    "export_limit_mw": Number("grid export limit", "MW", None, 0, True, 10_000, optional=True),
    "max_cycles_per_day": Number("cycle limit", "cycles/day", 2.0, 0, False, 10,
                                 low_reason=" (a battery limited to 0 cycles never discharges)"),
    "degradation_cost_gbp_per_mwh": Number("degradation cost", "£/MWh", 0.0, 0, True, 1_000),
    "carbon_price_gbp_per_tco2": Number("carbon price", "£/tCO2", None, 0, True, 1_000, optional=True),
}
SOLVER_FIELDS: dict[str, Number | Choice] = {
    "time_limit_s": Number("solver time limit", "s", 60.0, 0, False, 3_600),
    "mip_gap": Number("MIP gap", "", 1e-4, 0, True, 0.5),
}
OTHER_FIELDS: dict[str, Number | Choice] = {
    "markets": Choice("markets", MARKET_MODES, "da+id"),
    "da_series": Choice("day-ahead price series", DA_SERIES, "day_ahead"),
    "id_series": Choice("intraday price series", ID_SERIES, "intraday"),
    "foresight": Choice("foresight", FORESIGHTS, "perfect"),
    "intraday_reoptimise": Choice("intraday re-optimisation", INTRADAY_REOPTIMISE, "once"),
}
FIELDS = {**BATTERY_FIELDS, **SOLVER_FIELDS, **OTHER_FIELDS}
KNOWN_KEYS = frozenset(FIELDS) | {"name", "first_date", "last_date", "always_binary", "skip_missing_days"}
LABEL_TO_FIELD = {spec.label: key for key, spec in BATTERY_FIELDS.items()} | {
    "maximum cycles per day": "max_cycles_per_day", "energy capacity": "energy_mwh", "import limit": "import_limit_mw",
    "export limit": "export_limit_mw"}
"""The optimiser's messages start with a field's label; this maps them back to the field."""
DEFAULTS = {key: spec.default for key, spec in FIELDS.items()} | {"always_binary": False, "name": "",
                                                                  "skip_missing_days": False}


@dataclass(frozen=True)
class RunRequest:
    """What a user asks for: a battery, a range of settlement dates, the markets and the price series that play
    them, solver settings."""

    first: date
    last: date
    battery: BatteryParams
    markets: str = "da+id"
    solver: SolverSettings | None = None
    name: str = ""
    da_series: str = "day_ahead"
    id_series: str = "intraday"
    skip_missing_days: bool = False
    """A day without every price is skipped (battery idle, SoC carried) instead of refusing the run."""
    foresight: str = "perfect"
    intraday_reoptimise: str = "once"
    """``once`` or ``hourly`` (forecast-driven runs only)."""
    decision_times: tuple[str, str] = DEFAULT_DECISION_TIMES
    """(day-ahead gate closure, intraday decision), UK local ``HH:MM`` on the day before delivery: the
    ``FORECAST_*_TIME`` settings when the run was submitted (forecast-driven runs only)."""

    @property
    def da_hourly(self) -> bool:
        return self.da_series in HOURLY_SERIES

    def describe(self) -> dict:
        """The parameters that decide the result (the name does not)."""
        described = {
            "first_date": self.first.isoformat(),
            "last_date": self.last.isoformat(),
            "markets": str(Markets.parse(self.markets)),
            "battery": self.battery.model_dump(mode="json"),
            "solver": (self.solver or SolverSettings()).model_dump(mode="json"),
        }
        if (self.da_series, self.id_series) != ("day_ahead", "intraday"):
            described["series"] = {"da": self.da_series, "id": self.id_series}
        if self.skip_missing_days:
            described["skip_missing_days"] = True
        if self.foresight != "perfect":  # left out for perfect foresight, so stored runs keep their fingerprint
            described["foresight"] = self.foresight
            if self.intraday_reoptimise != "once":
                described["intraday_reoptimise"] = self.intraday_reoptimise
            if tuple(self.decision_times) != DEFAULT_DECISION_TIMES:
                described["decision_times"] = {"da_gate": self.decision_times[0], "id": self.decision_times[1]}
        return described


class RequestProblems(InvalidInput):
    """A request with one or more bad fields; ``problems`` maps field name -> message."""

    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        super().__init__("; ".join(f"{field}: {message}" for field, message in problems.items()))


def _date(value: Any, label: str) -> tuple[date | None, str | None]:
    if value is None or value == "":
        return None, f"choose the {label}"
    if isinstance(value, date):
        return value, None
    if not isinstance(value, str):
        return None, f"{label} {value!r} is not a date (use YYYY-MM-DD)"
    try:
        return parse_date(value, label, allow_midnight_suffix=True), None
    except InvalidInput as error:
        return None, str(error)


def field_problems(values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Check every field of ``values`` (missing fields take their defaults); returns (parsed, problems)."""
    problems: dict[str, str] = {}
    parsed: dict[str, Any] = {}
    for key in sorted(set(values) - KNOWN_KEYS):
        problems[key] = f"{key!r} is not a known parameter"
    name = values.get("name", "")
    if name is None:
        name = ""
    if not isinstance(name, str):
        problems["name"] = f"name must be text, not {type(name).__name__}"
    elif len(name.strip()) > MAX_NAME_CHARS:
        problems["name"] = f"name is {len(name.strip())} characters; at most {MAX_NAME_CHARS} are allowed"
    else:
        parsed["name"] = name.strip()
    for key, label in DATE_LABELS.items():
        parsed[key], problem = _date(values.get(key), label)
        if problem:
            problems[key] = problem
    if not problems.keys() & {"first_date", "last_date"} and parsed["last_date"] < parsed["first_date"]:
        problems["last_date"] = (f"the last settlement date {parsed['last_date'].isoformat()} is before the first "
                                 f"{parsed['first_date'].isoformat()}")
    elif not problems.keys() & {"first_date", "last_date"}:
        days = (parsed["last_date"] - parsed["first_date"]).days + 1
        if days > MAX_RUN_DAYS:
            problems["last_date"] = f"choose at most {MAX_RUN_DAYS} days for one run (these dates span {days:,} days)"
    for key, spec in FIELDS.items():
        value = values.get(key, spec.default)
        parsed[key], problem = spec.check(value)
        if problem:
            problems[key] = problem
    for flag in ("always_binary", "skip_missing_days"):
        value = values.get(flag, False)
        if value is None:
            value = False
        if not isinstance(value, bool):
            problems[flag] = f"{flag} must be true or false, not {value!r}"
        parsed[flag] = bool(value)
    problems.update({k: m for k, m in soc_problems(parsed).items() if k not in problems})
    if parsed.get("intraday_reoptimise") == "hourly":
        if parsed.get("foresight") == "perfect":
            problems["intraday_reoptimise"] = ("hourly intraday re-optimisation is for forecast-driven runs (with "
                                               "perfect foresight it changes nothing); choose a forecaster or once")
        elif parsed.get("markets") == "da":
            problems["intraday_reoptimise"] = ("hourly intraday re-optimisation needs the intraday market; choose "
                                               "da+id or id, or once")
    if parsed.get("foresight") not in (None, "perfect"):
        if parsed.get("markets") == "joint":
            problems["foresight"] = ("joint trading is a perfect-foresight bound, not a strategy; choose da+id, da or "
                                     "id to trade on forecasts")
        elif parsed.get("carbon_price_gbp_per_tco2") is not None:
            problems["foresight"] = "a forecast-driven run does not price carbon yet; clear the carbon price"
        elif parsed.get("skip_missing_days"):
            problems["foresight"] = ("a forecast-driven run needs every day's prices; untick \"skip days without "
                                     "prices\" or choose a range without gaps")
    if not problems.keys() & set(BATTERY_FIELDS):
        try:
            battery = BatteryParams.model_construct(**{k: parsed[k] for k in BATTERY_FIELDS})
            for message in battery_problems(battery):
                field = next((f for label, f in sorted(LABEL_TO_FIELD.items(), key=lambda i: -len(i[0]))
                              if message.startswith(label)), "battery")
                problems.setdefault(field, message)
        except (OptimiserError, TypeError, ValueError) as error:
            problems["battery"] = str(error)
    return parsed, problems


def _percent(fraction: float) -> str:
    return f"{fraction * 100:.10g}%"


def soc_problems(parsed: Mapping[str, Any]) -> dict[str, str]:
    """The SoC window's own rules (minimum below maximum, initial SoC inside), in % as the form shows them;
    only for fields that passed their single-field check."""
    low, high, initial = (parsed.get(k) for k in ("soc_min_frac", "soc_max_frac", "initial_soc_frac"))
    if low is None or high is None:
        return {}
    if low >= high:
        return {"soc_min_frac": f"SoC minimum ({_percent(low)}) must be below the SoC maximum ({_percent(high)})"}
    if initial is not None and not low <= initial <= high:
        return {"initial_soc_frac": f"initial SoC ({_percent(initial)}) must be between the SoC minimum "
                                    f"({_percent(low)}) and the SoC maximum ({_percent(high)})"}
    return {}


def decision_times(settings: Settings | None = None) -> tuple[str, str]:
    """The decision times a forecast-driven run submitted now takes (``settings``, else the environment's)."""
    return (settings if settings is not None else Settings()).forecast_decision_times()


def parse_request(values: Mapping[str, Any], settings: Settings | None = None) -> RunRequest:
    """A checked ``RunRequest`` from field values; ``RequestProblems`` names every bad field.

    A forecast-driven run takes its decision times from ``settings`` (default: read from the environment)."""
    if not isinstance(values, Mapping):
        raise RequestProblems({"body": "send a JSON object of run parameters"})
    parsed, problems = field_problems(values)
    if problems:
        raise RequestProblems(problems)
    try:
        battery = BatteryParams(**{k: parsed[k] for k in BATTERY_FIELDS})
        solver = SolverSettings(time_limit_s=parsed["time_limit_s"], mip_gap=parsed["mip_gap"],
                                always_binary=parsed["always_binary"])
    except OptimiserError as error:
        raise RequestProblems({"battery": str(error)}) from error
    return RunRequest(parsed["first_date"], parsed["last_date"], battery, parsed["markets"], solver,
                      parsed["name"], parsed["da_series"], parsed["id_series"],
                      skip_missing_days=parsed["skip_missing_days"], foresight=parsed["foresight"],
                      intraday_reoptimise=parsed["intraday_reoptimise"],
                      decision_times=decision_times(settings) if parsed["foresight"] != "perfect"
                      else DEFAULT_DECISION_TIMES)
