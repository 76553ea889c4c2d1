"""Min/max decimation of the whole-range chart's lines: every peak and trough a pixel column can show is kept."""

import numpy as np
import pytest

from domain.decimate import min_max_indices


def column_envelopes(values: np.ndarray, keep: np.ndarray, columns: int):
    edges = np.linspace(0, len(values), columns + 1).astype(int)
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        kept = keep[(keep >= lo) & (keep < hi)]
        yield values[lo:hi], values[kept]


@pytest.mark.parametrize("length", [17_520, 112_512, 2_001])
def test_each_pixel_column_keeps_its_minimum_and_maximum(length):
    rng = np.random.default_rng(length)
    soc = np.clip(np.cumsum(rng.normal(size=length)), 0, None)  # flat at 0 in places, like an empty battery
    price = rng.normal(80, 40, size=length)
    for series in (soc, price):
        keep = min_max_indices(series, 1000)
        assert len(keep) <= 2 * 1000 + 2 and np.all(np.diff(keep) > 0)
        assert keep[0] == 0 and keep[-1] == length - 1
        for full, kept in column_envelopes(series, keep, 1000):
            assert kept.min() == full.min() and kept.max() == full.max()


def test_every_local_extreme_of_a_daily_cycle_is_kept():
    # SoC of two cycles a day for a year: a peak or trough every 6 hours, at most two in a pixel column
    half_hours = np.arange(365 * 48)
    soc = 50 + 50 * np.sin(2 * np.pi * half_hours / 24)
    keep = set(min_max_indices(soc, 1000))
    interior = soc[1:-1]
    extremes = np.flatnonzero(((interior >= soc[:-2]) & (interior > soc[2:])) |
                              ((interior <= soc[:-2]) & (interior < soc[2:]))) + 1
    assert len(extremes) > 1000  # more extremes than pixel columns, and every one is kept
    assert set(extremes) <= keep

def test_short_series_and_gaps_are_left_whole():
    assert list(min_max_indices([3.0, 1.0, 2.0], 1000)) == [0, 1, 2]
    values = np.full(5000, np.nan)
    values[:10] = 1.0
    keep = min_max_indices(values, 100)
    assert np.isnan(values[keep]).any()  # an all-NaN column keeps a NaN point: the line stays broken there
