"""The seed day (asset abc123xyz, 2019-11-25): the stored footprint against an independent step-hold
computation, HH14–20 = 0, and why the seed implementations' answers were wrong."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from data_access.carbon_intensity import read_intensity_file
from services import footprint

DAY = date(2019, 11, 25)


@pytest.fixture
def seed_readings() -> pd.DataFrame:
    raw = pd.read_csv(footprint.DEMO_POWER_FILE)
    return pd.DataFrame({"time": pd.to_datetime(raw["Time"], format="ISO8601", utc=True),
                         "kw": raw["Value"].astype(float)})


@pytest.fixture
def seed_intensity() -> np.ndarray:
    frame = read_intensity_file(footprint.DEMO_INTENSITY_DIR / "reconstructed_2019-11-25.json")
    assert len(frame) == 48
    return frame["actual_g_per_kwh"].to_numpy()


def step_hold_by_overlap(readings: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Independent reference: every held segment [t_i, t_i+1) against every half-hour, overlap in seconds."""
    ordered = readings.sort_values("time", kind="stable")
    seconds = (ordered["time"] - pd.Timestamp("2019-11-25T00:00Z")).dt.total_seconds().to_numpy()
    segment_end = np.append(seconds[1:], 86_400.0)
    period_start = np.arange(48) * 1800.0
    overlap = np.clip(np.minimum(segment_end[:, None], period_start + 1800) -
                      np.maximum(seconds[:, None], period_start), 0, None)
    covered = overlap.sum(axis=0)
    return (overlap * ordered["kw"].to_numpy()[:, None]).sum(axis=0) / covered, covered


@pytest.fixture
def seed_db(db):
    footprint.load_intensity_file(db, footprint.DEMO_INTENSITY_DIR / "reconstructed_2019-11-25.json")
    footprint.register_asset(db, footprint.DEMO_ASSET_ID, "demo")
    footprint.import_power_file(db, footprint.DEMO_POWER_FILE.read_bytes(), footprint.DEMO_POWER_FILE.name)
    return db


def test_seed_day_half_hours_14_to_20_are_zero(seed_db):
    result = footprint.footprint_range(seed_db, "abc123xyz", DAY, 14, 20)
    assert list(result.rows["half_hour_id"]) == list(range(14, 21))
    assert result.rows["footprint_g"].tolist() == [0.0] * 7
    assert result.total_g == 0.0
    assert set(result.rows["intensity_kind"]) == {"actual"}


def test_seed_day_matches_an_independent_step_hold_computation(seed_db, seed_readings, seed_intensity):
    expected_kw, covered = step_hold_by_overlap(seed_readings)
    stored = footprint.asset_day_footprint(seed_db, "abc123xyz", DAY)
    assert len(stored) == 48
    assert stored["power_kw"].to_numpy() == pytest.approx(expected_kw, abs=1e-6)
    assert stored["known_share"].to_numpy() == pytest.approx(covered / 1800)
    assert stored["footprint_g"].to_numpy() == pytest.approx(expected_kw * 0.5 * seed_intensity, abs=1e-3)
    # HH1 starts 1.6 s before the first reading (00:00:01.647): known for the rest, never set to 0
    assert 0.99 < stored["known_share"].iloc[0] < 1.0 and stored["power_kw"].iloc[0] == pytest.approx(-100.0)


def test_the_seed_implementations_answers_differ_from_the_time_weighted_one(seed_readings, seed_intensity):
    expected_kw, _ = step_hold_by_overlap(seed_readings)
    expected_g = expected_kw * 0.5 * seed_intensity
    period = ((seed_readings["time"] - pd.Timestamp("2019-11-25T00:00Z")) // pd.Timedelta(minutes=30)).astype(int)
    ordered = seed_readings.assign(period=period).sort_values("time")
    grouped = ordered.groupby("period")["kw"]
    index = pd.RangeIndex(48)
    one_sample = grouped.first().reindex(index).ffill().to_numpy()
    maximum = grouped.max().reindex(index).ffill().to_numpy()
    plain_mean = grouped.mean().reindex(index).ffill().to_numpy()
    for wrong_kw in (one_sample, maximum, plain_mean):
        wrong_g = wrong_kw * 0.5 * seed_intensity
        assert np.abs(wrong_g - expected_g).max() > 10_000  # at least one half-hour off by > 10 kgCO2
        assert not np.allclose(wrong_g.sum(), expected_g.sum(), rtol=0.01)
    no_half_hour = expected_kw * seed_intensity
    assert no_half_hour.sum() == pytest.approx(2 * expected_g.sum())  # twice the footprint
