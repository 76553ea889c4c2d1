"""The naive daily strategy: what a battery earns without an optimiser, for capture ratios.

Each settlement date, on day-ahead prices only: buy in the cheapest clock
hours and sell in the dearest, as many hours as the cycle limit needs, pairing
the i-th cheapest hour with the i-th dearest only while the pair pays after
round-trip losses and degradation. The hours are then played in time order:
a charge stops when the battery is full, a discharge when it is empty or the
day's cycle allowance is used. SoC carries over from day to day like the
optimised run; the terminal SoC policy is not applied (the strategy does not
plan ahead). The joint perfect-foresight bound is the other baseline; it is an
optimisation, run by ``optimiser.rolling``.
"""

from __future__ import annotations

import math

import numpy as np

from domain.settlement_time import PERIOD_HOURS as DT  # optimiser.model.DT, without importing Pyomo
from optimiser.params import BatteryParams
from optimiser.prices import RangeInputs
from optimiser.results import Schedule

HOUR_H = 1.0


def naive_hours(hourly_prices: np.ndarray, battery: BatteryParams) -> tuple[set[int], set[int]]:
    """(charge hours, discharge hours) of one day, as indices into ``hourly_prices`` [£/MWh].

    A pair (i-th cheapest hour c, i-th dearest hour d) is worth trading when
    p_d ηc ηd − p_c − k_deg ηc ηd > 0 [£ per MWh bought].
    """
    n_hours = len(hourly_prices)
    round_trip = battery.charge_efficiency * battery.discharge_efficiency
    order = np.argsort(hourly_prices, kind="stable")
    worth = 0
    for i in range(n_hours // 2):
        cheap, dear = hourly_prices[order[i]], hourly_prices[order[n_hours - 1 - i]]
        if dear * round_trip - cheap - battery.degradation_cost_gbp_per_mwh * round_trip <= 0:
            break
        worth += 1
    deliver_mwh = battery.daily_discharge_limit_mwh
    discharge_count = math.ceil(deliver_mwh / (battery.export_mw * HOUR_H)) if battery.export_mw > 0 else 0
    charge_count = math.ceil(deliver_mwh / (round_trip * battery.import_mw * HOUR_H)) if battery.import_mw > 0 else 0
    charge_count, discharge_count = min(charge_count, worth), min(discharge_count, worth)
    charge = {int(h) for h in order[:charge_count]}
    discharge = {int(h) for h in order[n_hours - discharge_count :]} if discharge_count else set()
    return charge, discharge


def naive_schedule(inputs: RangeInputs, battery: BatteryParams) -> Schedule:
    """The naive strategy's schedule over the whole range (day-ahead positions only)."""
    schedule = Schedule.zeros(len(inputs.day_ahead))
    soc = battery.initial_soc_mwh
    eta_c, eta_d = battery.charge_efficiency, battery.discharge_efficiency
    for day in inputs.days:
        hourly = day.day_ahead.reshape(-1, 2).mean(axis=1)  # a half-hourly DA leg: the hour's mean
        charge_hours, discharge_hours = naive_hours(hourly, battery)
        allowance_mwh = battery.daily_discharge_limit_mwh
        for hour in range(len(hourly)):
            buy = sell = 0.0
            if hour in charge_hours:
                buy = max(0.0, min(battery.import_mw, (battery.soc_max_mwh - soc) / (eta_c * HOUR_H)))
            elif hour in discharge_hours:
                sell = max(
                    0.0,
                    min(battery.export_mw, (soc - battery.soc_min_mwh) * eta_d / HOUR_H, allowance_mwh / HOUR_H),
                )
                allowance_mwh -= sell * HOUR_H
            for t in (day.rows.start + 2 * hour, day.rows.start + 2 * hour + 1):
                soc += DT * (eta_c * buy - sell / eta_d)
                schedule.da_buy_mw[t] = schedule.charge_mw[t] = buy
                schedule.da_sell_mw[t] = schedule.discharge_mw[t] = sell
                schedule.soc_mwh[t] = soc
    return schedule
