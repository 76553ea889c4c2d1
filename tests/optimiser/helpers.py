"""Helpers for the optimiser tests: synthetic prices, a battery easy to compute by hand, physical invariants."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from domain.settlement_time import settlement_index
from optimiser import BatteryParams, OptimisationResult

SEED_PRICE_FILE = Path(__file__).resolve().parents[2] / "data_access" / "demo_data" / "zenobe_da_id_prices_2023.csv"
DT = 0.5
TOL = 1e-6


def prices_for(first: date, last: date, day_ahead=50.0, intraday=50.0) -> pd.DataFrame:
    """A price frame covering settlement dates ``first``..``last``.

    ``day_ahead`` / ``intraday``: a constant, or one value per period of the range [£/MWh].
    """
    index = settlement_index(first, last)
    n = len(index)
    frame = pd.DataFrame(
        {
            "day_ahead": np.broadcast_to(np.asarray(day_ahead, dtype=float), (n,)).copy(),
            "intraday": np.broadcast_to(np.asarray(intraday, dtype=float), (n,)).copy(),
        },
        index=pd.DatetimeIndex(index["interval_start_utc"]),
    )
    return frame


def hourly(values) -> np.ndarray:
    """Per-period values from per-hour values (each hour's two half-hours share the value)."""
    return np.repeat(np.asarray(values, dtype=float), 2)


def small_battery(**overrides) -> BatteryParams:
    """10 MW / 10 MWh, lossless, empty at the start, one cycle a day: easy to compute by hand."""
    values = dict(
        power_mw=10.0,
        energy_mwh=10.0,
        charge_efficiency=1.0,
        discharge_efficiency=1.0,
        soc_min_frac=0.0,
        soc_max_frac=1.0,
        initial_soc_frac=0.0,
        max_cycles_per_day=1.0,
    )
    values.update(overrides)
    return BatteryParams(**values)


def burner_battery() -> BatteryParams:
    """Full, lossy (90 %/90 %) and with no effective cycle limit: paid to take energy, the LP would
    rather burn it by charging and discharging at once than sit idle."""
    return small_battery(charge_efficiency=0.9, discharge_efficiency=0.9, initial_soc_frac=1.0, max_cycles_per_day=100)


def assert_physically_consistent(result: OptimisationResult, params: BatteryParams) -> None:
    """Every interval obeys the battery model: balance, SoC recursion and bounds, DA hours, no simultaneity."""
    assert result.ok, result.message
    f = result.intervals
    p = params.power_mw
    for column in ("da_buy_mw", "da_sell_mw", "id_buy_mw", "id_sell_mw", "charge_mw", "discharge_mw"):
        assert (f[column] >= -TOL).all(), column
        assert (f[column] <= p + TOL).all(), column
    net_position = f.da_buy_mw - f.da_sell_mw + f.id_buy_mw - f.id_sell_mw
    np.testing.assert_allclose(f.charge_mw - f.discharge_mw, net_position, atol=TOL)
    assert (np.minimum(f.charge_mw, f.discharge_mw) <= TOL).all(), "charges and discharges in the same interval"
    stored = DT * (params.charge_efficiency * f.charge_mw - f.discharge_mw / params.discharge_efficiency)
    expected_soc = params.initial_soc_mwh + np.cumsum(stored.to_numpy())
    np.testing.assert_allclose(f.soc_mwh, expected_soc, atol=1e-5)
    assert (f.soc_mwh >= params.soc_min_mwh - 1e-5).all()
    assert (f.soc_mwh <= params.soc_max_mwh + 1e-5).all()
    starts = pd.DatetimeIndex(f.interval_start_utc)
    on_the_hour = starts.minute == 0
    assert on_the_hour[::2].all(), "DA hours must start on the hour"
    for column in ("da_buy_mw", "da_sell_mw"):
        values = f[column].to_numpy()
        np.testing.assert_allclose(values[0::2], values[1::2], atol=TOL, err_msg=f"{column} differs within an hour")
    discharged = (DT * f.discharge_mw).groupby(f.settlement_date).sum()
    assert (discharged <= params.daily_discharge_limit_mwh + 1e-5).all()
    np.testing.assert_allclose(f.da_cash_gbp, DT * f.da_price * (f.da_sell_mw - f.da_buy_mw), atol=1e-6)
    np.testing.assert_allclose(f.id_cash_gbp, DT * f.id_price * (f.id_sell_mw - f.id_buy_mw), atol=1e-6)
