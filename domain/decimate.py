"""Decimating a long series for a chart: keep the first and last point and, in each of ``columns``
equal slices of the series (one per pixel column of the plot), the points of its minimum and its
maximum. Drawn at that width, the line covers exactly what the full series covers: every peak and
trough that a pixel column can show is kept (M4/min-max decimation), in at most ``2 * columns + 2``
points whatever the length.
"""

from __future__ import annotations

import numpy as np

CHART_COLUMNS = 1000
"""Pixel columns a whole-range chart is decimated to (wider than the plot area of a full-HD screen's page)."""


def min_max_indices(values, columns: int = CHART_COLUMNS) -> np.ndarray:
    """Sorted positions to keep of ``values`` (1-D, NaN allowed): all of them when there are at most
    ``2 * columns`` values; else the first, the last, and each slice's minimum and maximum (a slice that
    is all NaN keeps its first position, so a gap stays a gap)."""
    y = np.asarray(values, dtype=float)
    n = len(y)
    if n <= 2 * columns:
        return np.arange(n)
    edges = np.linspace(0, n, columns + 1).astype(np.int64)
    bucket = np.repeat(np.arange(columns), np.diff(edges))
    low = np.where(np.isnan(y), np.inf, y)
    high = np.where(np.isnan(y), -np.inf, y)
    # Per slice: the position of its minimum and maximum (lexsort picks them without a loop per slice).
    by_low = np.lexsort((low, bucket))
    by_high = np.lexsort((-high, bucket))
    starts = edges[:-1]
    lows, highs = by_low[starts], by_high[starts]
    gaps = starts[np.isinf(low[lows])]
    keep = np.concatenate([[0, n - 1], lows, highs, gaps])
    return np.unique(keep)


def min_max_union(series, columns: int = CHART_COLUMNS) -> np.ndarray:
    """``min_max_indices`` of several equal-length series at once: the union of their positions, so they
    can share one x array."""
    picks = [min_max_indices(values, columns) for values in series]
    return np.unique(np.concatenate(picks)) if picks else np.arange(0)
