"""Typed, self-validating inputs: battery parameters, solver settings, markets mode.

Both models are frozen pydantic models, so a run can store its inputs with
``model_dump()`` and rebuild them with ``BatteryParams(**stored)``. Every
field carries its unit in its description. Invalid values raise
``InvalidParameters`` with every problem found, in the trader's words
("initial SoC 1.2 is above the maximum 0.9"), never a pydantic traceback.
"""

from __future__ import annotations

import math
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from optimiser.errors import InvalidParameters

TerminalSocPolicy = Literal["free", "geq-initial", "eq-initial"]


class Markets(StrEnum):
    """Which markets a run trades, and how."""

    DA_ID = "da+id"
    """Day-ahead first, then intraday with the day-ahead positions fixed (how a trader works)."""
    DA = "da"
    """Day-ahead only."""
    ID = "id"
    """Intraday only."""
    JOINT = "joint"
    """Both markets at once with perfect foresight: an upper bound, not a strategy."""

    @classmethod
    def parse(cls, value: str | Markets) -> Markets:
        try:
            return cls(value)
        except ValueError:
            choices = ", ".join(m.value for m in cls)
            raise InvalidParameters(f"markets mode {value!r} is not one of {choices}") from None


def _describe_validation_error(exc: ValidationError, labels: dict[str, str]) -> str:
    """Turn pydantic's errors into one line: ``power (MW): 'abc' is not a number``."""
    parts = []
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else ""
        label = labels.get(field, field)
        if error["type"] == "extra_forbidden":
            parts.append(f"{field!r} is not a known parameter")
        elif error["type"] in {"float_parsing", "float_type", "int_parsing", "int_type"}:
            parts.append(f"{label}: {error['input']!r} is not a number")
        else:
            parts.append(f"{label}: {error['msg']} (got {error['input']!r})")
    return "; ".join(parts)


class _Validated(BaseModel):
    """A frozen model whose construction errors are ``InvalidParameters``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise InvalidParameters(_describe_validation_error(exc, type(self)._field_labels())) from None

    @classmethod
    def _field_labels(cls) -> dict[str, str]:
        return {name: (field.title or name) for name, field in cls.model_fields.items()}


def _finite(problems: list[str], label: str, value: float | None) -> bool:
    if value is not None and not math.isfinite(value):
        problems.append(f"{label} {value} is not a finite number")
        return False
    return True


class BatteryParams(_Validated):
    """One battery: its power, energy, efficiencies, SoC window, cycle limit and costs."""

    power_mw: float = Field(
        100.0, title="power", description="Maximum charge and discharge power at the grid connection [MW]."
    )
    energy_mwh: float = Field(100.0, title="energy capacity", description="Usable energy capacity C [MWh].")
    charge_efficiency: float = Field(
        0.95,
        title="charge efficiency",
        description="Fraction of energy drawn from the grid that reaches storage, 0 < eta_c <= 1 [-].",
    )
    discharge_efficiency: float = Field(
        0.95,
        title="discharge efficiency",
        description="Fraction of energy taken from storage that reaches the grid, 0 < eta_d <= 1 [-].",
    )
    soc_min_frac: float = Field(
        0.0, title="SoC minimum", description="Lowest state of charge, as a fraction of the energy capacity [-]."
    )
    soc_max_frac: float = Field(
        1.0, title="SoC maximum", description="Highest state of charge, as a fraction of the energy capacity [-]."
    )
    initial_soc_frac: float = Field(
        0.5,
        title="initial SoC",
        description="State of charge at the start of the first settlement date, fraction of capacity [-].",
    )
    terminal_soc: TerminalSocPolicy = Field(
        "free",
        title="terminal SoC policy",
        description=(
            "State of charge required at the end of the last settlement date of the range: 'free', "
            "'geq-initial' (at least the initial SoC) or 'eq-initial' (equal to it). Days before the "
            "last end wherever the optimisation leaves them; each next day starts from there."
        ),
    )
    max_cycles_per_day: float = Field(
        2.0,
        title="maximum cycles per day",
        description="Limit on energy discharged per settlement date, in multiples of the capacity [cycles/day].",
    )
    degradation_cost_gbp_per_mwh: float = Field(
        0.0, title="degradation cost", description="Wear cost charged on every MWh discharged to the grid [£/MWh]."
    )
    import_limit_mw: float | None = Field(
        None, title="import limit", description="Grid import limit [MW]; None means the battery power."
    )
    export_limit_mw: float | None = Field(
        None, title="export limit", description="Grid export limit [MW]; None means the battery power."
    )
    carbon_price_gbp_per_tco2: float | None = Field(
        None,
        title="carbon price",
        description=(
            "Price put on the carbon of net grid imports [£/tCO2]; needs a carbon-intensity series. "
            "None leaves carbon out of the objective."
        ),
    )

    @model_validator(mode="after")
    def _check(self) -> BatteryParams:
        problems = battery_problems(self)
        if problems:
            raise InvalidParameters("; ".join(problems))
        return self

    @property
    def soc_min_mwh(self) -> float:
        """Lowest state of charge [MWh]."""
        return self.soc_min_frac * self.energy_mwh

    @property
    def soc_max_mwh(self) -> float:
        """Highest state of charge [MWh]."""
        return self.soc_max_frac * self.energy_mwh

    @property
    def initial_soc_mwh(self) -> float:
        """State of charge at the start of the range [MWh]."""
        return self.initial_soc_frac * self.energy_mwh

    @property
    def import_mw(self) -> float:
        """Effective grid import limit [MW]: the smaller of the import limit and the power."""
        return self.power_mw if self.import_limit_mw is None else min(self.import_limit_mw, self.power_mw)

    @property
    def export_mw(self) -> float:
        """Effective grid export limit [MW]: the smaller of the export limit and the power."""
        return self.power_mw if self.export_limit_mw is None else min(self.export_limit_mw, self.power_mw)

    @property
    def daily_discharge_limit_mwh(self) -> float:
        """Energy that may be discharged in one settlement date [MWh]."""
        return self.max_cycles_per_day * self.energy_mwh


def battery_problems(p: BatteryParams) -> list[str]:
    """Every reason ``p`` is not a usable battery, in words a trader acts on."""
    problems: list[str] = []
    if _finite(problems, "power", p.power_mw) and p.power_mw <= 0:
        problems.append(f"power {p.power_mw:g} MW must be above zero")
    if _finite(problems, "energy capacity", p.energy_mwh) and p.energy_mwh <= 0:
        problems.append(f"energy capacity {p.energy_mwh:g} MWh must be above zero")
    for label, eta in (("charge efficiency", p.charge_efficiency), ("discharge efficiency", p.discharge_efficiency)):
        if _finite(problems, label, eta) and not 0 < eta <= 1:
            problems.append(f"{label} {eta:g} must be above 0 and at most 1")
    soc_ok = True
    for label, frac in (("SoC minimum", p.soc_min_frac), ("SoC maximum", p.soc_max_frac)):
        if not _finite(problems, label, frac):
            soc_ok = False
        elif not 0 <= frac <= 1:
            problems.append(f"{label} {frac:g} must be between 0 and 1 (a fraction of the energy capacity)")
            soc_ok = False
    if soc_ok and p.soc_min_frac >= p.soc_max_frac:
        problems.append(f"SoC minimum {p.soc_min_frac:g} must be below the SoC maximum {p.soc_max_frac:g}")
        soc_ok = False
    if _finite(problems, "initial SoC", p.initial_soc_frac) and soc_ok:
        if p.initial_soc_frac > p.soc_max_frac:
            problems.append(f"initial SoC {p.initial_soc_frac:g} is above the maximum {p.soc_max_frac:g}")
        elif p.initial_soc_frac < p.soc_min_frac:
            problems.append(f"initial SoC {p.initial_soc_frac:g} is below the minimum {p.soc_min_frac:g}")
    if _finite(problems, "maximum cycles per day", p.max_cycles_per_day) and p.max_cycles_per_day < 0:
        problems.append(f"maximum cycles per day {p.max_cycles_per_day:g} must be zero or more")
    if _finite(problems, "degradation cost", p.degradation_cost_gbp_per_mwh) and p.degradation_cost_gbp_per_mwh < 0:
        problems.append(f"degradation cost {p.degradation_cost_gbp_per_mwh:g} £/MWh must be zero or more")
    for label, limit in (("import limit", p.import_limit_mw), ("export limit", p.export_limit_mw)):
        if limit is not None and _finite(problems, label, limit) and limit < 0:
            problems.append(f"{label} {limit:g} MW must be zero or more (leave it empty to use the power)")
    carbon = p.carbon_price_gbp_per_tco2
    if carbon is not None and _finite(problems, "carbon price", carbon) and carbon < 0:
        problems.append(f"carbon price {carbon:g} £/tCO2 must be zero or more")
    return problems


class SolverSettings(_Validated):
    """How hard HiGHS tries on each daily problem; reported with every result."""

    time_limit_s: float = Field(60.0, title="time limit", description="Wall-clock limit for each daily solve [s].")
    mip_gap: float = Field(
        1e-4,
        title="MIP gap",
        description="Relative optimality gap at which a daily MILP counts as solved [-] (1e-4 = 0.01 %).",
    )
    always_binary: bool = Field(
        False,
        title="always binary",
        description=(
            "Solve every day as a MILP with a charge/discharge binary. By default each day is solved as an "
            "LP and re-solved with binaries only if the LP charges and discharges in the same interval."
        ),
    )

    @model_validator(mode="after")
    def _check(self) -> SolverSettings:
        problems: list[str] = []
        if _finite(problems, "time limit", self.time_limit_s) and self.time_limit_s <= 0:
            problems.append(f"time limit {self.time_limit_s:g} s must be above zero")
        if _finite(problems, "MIP gap", self.mip_gap) and not 0 <= self.mip_gap < 1:
            problems.append(f"MIP gap {self.mip_gap:g} must be at least 0 and below 1")
        if problems:
            raise InvalidParameters("; ".join(problems))
        return self
