"""Warnings a stored run's view shows about the data it ran on, computed from its intervals when it opens.

Prices of exactly £0.00/MWh are often a gap the source filled with zero rather than a real price; the
optimiser treats them as real, so the run says how many intervals had one, per market, and whether every
market the run traded was at zero at once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from domain.settlement_time import format_local

PRICE_COLUMNS = {"da_price": "day-ahead", "id_price": "intraday"}
"""Interval column [£/MWh] -> the market whose price it holds (as the run traded it, whichever series played it)."""


def zero_price_warnings(intervals: pd.DataFrame) -> list[str]:
    """One sentence per market with intervals priced at exactly £0.00/MWh, and one when every market the
    run traded was at exactly £0.00 in the same interval; empty when no price is exactly zero. A market the
    run did not trade has no prices (NaN) and is left out."""
    if intervals.empty:
        return []
    traded = [c for c in PRICE_COLUMNS if c in intervals.columns and intervals[c].notna().any()]
    if not traded:
        return []
    zero = intervals[traded].to_numpy(dtype=float) == 0.0
    total = len(intervals)
    warnings = []
    for index, column in enumerate(traded):
        count = int(zero[:, index].sum())
        if count:
            first = intervals["interval_start_utc"].iloc[int(np.argmax(zero[:, index]))]
            market = PRICE_COLUMNS[column]
            article = "an" if market[0] in "aeiou" else "a"
            warnings.append(f"{count} of the {total} half-hours have {article} {market} price of exactly £0.00/MWh (the first "
                            f"at {format_local(first.to_pydatetime())}); the run treated them as real prices.")
    everywhere = zero.all(axis=1)
    if len(traded) > 1 and everywhere.any():
        first = intervals["interval_start_utc"].iloc[int(np.argmax(everywhere))]
        warnings.append(f"In {int(everywhere.sum())} half-hours the price is exactly £0.00/MWh in every market "
                        f"(the first at {format_local(first.to_pydatetime())}): often a gap filled with zero "
                        "rather than a real price. Check the prices before relying on this run.")
    elif warnings:
        warnings.append("A price of exactly zero is often a gap filled with zero: check the prices before relying on "
                        "this run.")
    return warnings
