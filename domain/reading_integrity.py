"""Plausibility rules for COV power readings: what may be stored, and what a read must skip.

Pure and vectorised: plain arrays in, one reason (or None) per reading out. The same rules guard
every write (API, file upload, command line) and every read (rows an older version stored).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

EARLIEST_READING_UTC = datetime(2000, 1, 1, tzinfo=UTC)
"""No COV reading is older than this: an earlier time is a typo or a broken clock."""
FUTURE_ALLOWANCE = timedelta(days=1)
"""A reading may be stamped at most this far after the clock of the check [timedelta]."""
RATING_MULTIPLE = 10.0
"""|power| may be at most this many times the asset's registered rating [-]."""
UNRATED_LIMIT_KW = 10_000_000.0
"""|power| limit of an asset without a registered rating: 10 GW [kW]."""


def power_limit_kw(rating_kw: float | None) -> float:
    """Largest |power| [kW] accepted for an asset of rating ``rating_kw`` [kW] (None: unrated)."""
    if not _rated(rating_kw):
        return UNRATED_LIMIT_KW
    return RATING_MULTIPLE * float(rating_kw)


def reading_problems(times_utc: pd.Series, power_kw: pd.Series, rating_kw: float | None,
                     now_utc: datetime) -> pd.Series:
    """Per reading, why it cannot be stored (or None when it can).

    ``times_utc``: timezone-aware UTC times; ``power_kw``: power [kW]; ``rating_kw``: the asset's rating
    [kW] or None; ``now_utc``: the clock of the check (injected, so tests pin it).
    """
    latest = pd.Timestamp(now_utc + FUTURE_ALLOWANCE)
    earliest = pd.Timestamp(EARLIEST_READING_UTC)
    limit = power_limit_kw(rating_kw)
    limit_text = (f"±{limit:g} kW (10 × the asset's rating of {rating_kw:g} kW)" if _rated(rating_kw)
                  else f"±{limit:g} kW (10 GW: the asset has no registered rating)")
    times = pd.Series(times_utc).reset_index(drop=True)
    power = pd.Series(power_kw, dtype=float).reset_index(drop=True)
    too_early = (times < earliest).to_numpy()
    too_late = (times > latest).to_numpy()
    too_big = ~(power.abs() <= limit).to_numpy()
    reasons: list[str | None] = [None] * len(times)
    for index in np.flatnonzero(too_early | too_late | too_big):
        parts = []
        if too_early[index]:
            parts.append(f"time {times[index].isoformat()} is before {earliest.date().isoformat()}")
        if too_late[index]:
            parts.append(f"time {times[index].isoformat()} is more than a day after now "
                         f"({pd.Timestamp(now_utc).isoformat()})")
        if too_big[index]:
            parts.append(f"power {power[index]:g} kW is outside {limit_text}")
        reasons[index] = "; ".join(parts)
    return pd.Series(reasons, dtype=object)


def _rated(rating_kw: float | None) -> bool:
    return rating_kw is not None and bool(np.isfinite(rating_kw)) and rating_kw > 0
