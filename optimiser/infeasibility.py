"""Name the likely cause when a day has no feasible schedule.

A day is solved from a known starting SoC towards an end-of-day SoC window,
so the usual causes can be checked with arithmetic: the window needs more
energy than the import limit can store in the day, or a deeper discharge than
the cycle or export limit allows.
"""

from __future__ import annotations

from domain.settlement_time import PERIOD_HOURS as DT  # optimiser.model.DT, without importing Pyomo
from optimiser.params import BatteryParams

_TOLERANCE_MWH = 1e-6


def likely_cause(battery: BatteryParams, n_periods: int, soc_start_mwh: float, window_mwh: tuple[float, float]) -> str:
    """A sentence naming why no schedule reaches ``window_mwh`` [MWh] from ``soc_start_mwh`` in one day."""
    low, high = window_mwh
    hours = n_periods * DT
    policy = f" (terminal SoC policy {battery.terminal_soc})" if battery.terminal_soc != "free" else ""
    storable_mwh = battery.import_mw * hours * battery.charge_efficiency
    if low > min(battery.soc_max_mwh, soc_start_mwh + storable_mwh) + _TOLERANCE_MWH:
        limit = "import limit" if battery.import_mw < battery.power_mw else "power"
        return (
            f"the battery starts the day at {soc_start_mwh:.1f} MWh and must end it at {low:.1f} MWh or more"
            f"{policy}, but at {battery.import_mw:g} MW ({limit}) it can store at most {storable_mwh:.1f} MWh "
            "in the day"
        )
    export_mwh = battery.export_mw * hours
    cycle_mwh = battery.daily_discharge_limit_mwh
    deliverable_mwh = min(export_mwh, cycle_mwh)
    if high < max(battery.soc_min_mwh, soc_start_mwh - deliverable_mwh / battery.discharge_efficiency) - _TOLERANCE_MWH:
        if cycle_mwh <= export_mwh:
            limit = f"the cycle limit of {battery.max_cycles_per_day:g} cycles/day"
        else:
            limit = f"the export limit of {battery.export_mw:g} MW"
        return (
            f"the battery starts the day at {soc_start_mwh:.1f} MWh and must end it at {high:.1f} MWh or less"
            f"{policy}, but {limit} lets it discharge at most {deliverable_mwh:.1f} MWh in the day"
        )
    return (
        "the battery's limits leave no feasible schedule; check the SoC bounds, terminal SoC policy, "
        "cycle limit and grid limits"
    )
