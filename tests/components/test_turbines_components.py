"""Turbines page builders: tiles by condition, broken bands, durations."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

from components.turbines import age_text, broken_bands, duration_text, turbine_tile, with_gaps
from domain.turbine_fleet import Ticket
from services.turbines import TurbineState

NOW = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # autumn clock change: 01:30 UTC is 01:30 GMT


def state(condition, ticket=None, seen=NOW - timedelta(seconds=2)):
    return TurbineState(7, "Carn Dubh 2", 3000.0, condition, "broken" if condition == "stale" else condition, seen,
                        12.34, 2345.6, ticket)


def test_a_broken_tile_names_the_engineer_and_uses_the_danger_colours():
    ticket = Ticket(12, 7, NOW, NOW, "in_repair", "Priya Shah", NOW, NOW)
    tile = turbine_tile(state("broken", ticket), NOW)
    text = str(tile)
    assert "pd-turbine-broken" in tile.className and "bg-danger-subtle" in tile.className
    assert "Ticket #12: " in text and "Priya Shah repairing" in text
    assert "12.3 m/s" in text and "2,346 kW" in text and "01:29:58 GMT" in text


def test_stale_and_never_seen_tiles():
    stale = turbine_tile(state("stale", seen=NOW - timedelta(minutes=10)), NOW)
    assert "pd-turbine-stale" in stale.className and "last said broken" in str(stale)
    never = turbine_tile(state("no data", seen=None), NOW)
    assert "Has never reported" in str(never) and "pd-turbine-no-data" in never.className


def test_broken_bands_run_until_the_next_report():
    times = pd.Series(pd.to_datetime([0, 1, 2, 3, 4, 5], unit="s", utc=True))
    end = pd.Timestamp(10, unit="s", tz="UTC")
    bands = broken_bands(times, np.array([False, True, True, False, True, True]), end)
    assert bands == [(times[1], times[3]), (times[4], end)]
    capped = broken_bands(times, np.array([False, True, True, False, True, True]), end, max_gap_s=2)
    assert capped[-1] == (times[4], times[5] + pd.Timedelta(seconds=2))


def test_lines_break_at_silences():
    frame = pd.DataFrame({"measured_at": pd.to_datetime([0, 1, 2, 60, 61], unit="s", utc=True),
                          "wind_speed_m_per_s": [1.0, 2, 3, 4, 5], "power_kw": [1.0, 2, 3, 4, 5],
                          "status": ["ok"] * 5})
    gapped = with_gaps(frame, max_gap_s=3)
    assert len(gapped) == 6 and np.isnan(gapped["wind_speed_m_per_s"].iloc[3])


def test_durations_and_ages_read_naturally():
    assert duration_text(75) == "1 min 15 s"
    assert duration_text(None) == "–"
    assert duration_text(3 * 3600 + 120) == "3 h 02 min"
    assert age_text(3) == "3 s ago" and age_text(600) == "10 min ago"


def test_the_power_curve_draws_without_webgl_unless_the_window_is_large():
    # Scattergl replaced the whole chart with "WebGL is not supported" in browsers without WebGL (no GPU,
    # remote desktops), even for an hour of reports.
    from components.figures import SCATTERGL_POINTS
    from components.turbines import power_curve_figure
    from services.turbines import theoretical_power_curve

    def metrics(count):
        return pd.DataFrame({"status": ["ok"] * count, "wind_speed_m_per_s": np.linspace(0, 25, count),
                             "power_kw": np.linspace(0, 3000, count)})

    hour = power_curve_figure(metrics(3600), theoretical_power_curve(), 3000, "dark", "curve")
    assert [trace.type for trace in hour.data] == ["scatter", "scatter"]
    assert len(hour.data[0].x) == 3600
    thinned = power_curve_figure(metrics(SCATTERGL_POINTS * 40), theoretical_power_curve(), 3000, "dark", "curve")
    assert thinned.data[0].type == "scatter" and len(thinned.data[0].x) == SCATTERGL_POINTS
    many = power_curve_figure(metrics(SCATTERGL_POINTS + 4000), theoretical_power_curve(), 3000, "dark", "curve")
    assert many.data[0].type == "scattergl" and len(many.data[0].x) == SCATTERGL_POINTS + 4000


def test_a_long_condition_badge_wraps_under_the_name_instead_of_cutting_it():
    # "Stale (last said broken)" beside a truncating name cut "Carn Dubh 2" to "Ca…" in a six-tile row.
    header = turbine_tile(state("stale", seen=NOW - timedelta(minutes=10)), NOW).children.children[0]
    name, badge = header.children
    assert name.children == "Carn Dubh 2" and "text-truncate" not in name.className
    assert "flex-wrap" in header.className.split()
    assert badge.children == "Stale (last said broken)"


def test_an_implausible_latest_report_is_flagged_on_its_tile_and_marked_on_the_power_curve():
    from dataclasses import replace

    from components.turbines import power_curve_figure

    flagged = turbine_tile(replace(state("ok"), plausibility="power at zero wind"), NOW)
    assert "⚠ Implausible: power at zero wind" in str(flagged)
    assert "Implausible" not in str(turbine_tile(state("ok"), NOW))
    metrics = pd.DataFrame({"status": ["ok", "ok"], "wind_speed_m_per_s": [0.0, 8.0], "power_kw": [500.0, 1500.0],
                            "plausibility": ["power at zero wind", ""]})
    curve = pd.DataFrame({"wind_speed_m_per_s": [0.0, 25.0], "power_share": [0.0, 1.0]})
    figure = power_curve_figure(metrics, curve, 3000.0, None, "t")
    (marked,) = [t for t in figure.data if t.name.startswith("Implausible")]
    assert marked.name == "Implausible (1)" and list(marked.x) == [0.0] and list(marked.customdata) == [
        "power at zero wind"]
