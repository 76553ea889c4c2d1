"""Study builders: the points as a table, and the sizing charts (£/MW/year and net revenue against
duration, one line per other varied parameter; revenue per cycle; capture of the bound).

Pure: a study dict (``services.studies.get_study``) in, rows or a go.Figure out.
"""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from components.figures import apply_theme
from domain.study_grid import duration_h
from optimiser import BatteryParams

DEFAULT_BATTERY = BatteryParams()
"""What a point's run uses for a parameter the study leaves out."""

SERIES_COLOURS = ("#0d6efd", "#fd7e14", "#198754", "#d63384", "#6f42c1", "#20c997", "#dc3545", "#6c757d")
DASHES = ("solid", "dash")
WIDTHS = (6.0, 3.5, 1.5)
"""Line widths [px] of a study's first, second and third series (then again): a series whose values equal
another's is drawn wider beneath it, so both show (£/MW/year is the same for every power at one duration)."""
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "cross", "star", "pentagon")
MARKER_SIZES = (13, 9, 6)


def point_rows(study: dict) -> list[dict]:
    """One row per point for the grid and the CSV: parameters, status and headline figures (rounded)."""
    rows = []
    for point in study["points"]:
        params, totals = point["params"], point["totals"] or {}
        bound = (totals.get("baselines") or {}).get("joint_net_revenue_gbp")
        net = totals.get("net_revenue_gbp")
        cycles = totals.get("cycles")
        foresight = params.get("foresight", "perfect")
        reoptimise = params.get("intraday_reoptimise", "once")
        summary = totals.get("foresight") or {}
        perfect, capture = summary.get("perfect_net_revenue_gbp"), summary.get("capture_ratio")
        rows.append({
            "row_id": str(point["index"]),
            "study": study["name"],
            "point": point["index"] + 1,
            "run_id": point["run_id"],
            "status": point["status"],
            "power_mw": params.get("power_mw", DEFAULT_BATTERY.power_mw),
            "energy_mwh": params.get("energy_mwh", DEFAULT_BATTERY.energy_mwh),
            "duration_h": round(duration_h(params), 3),
            "max_cycles_per_day": params.get("max_cycles_per_day", DEFAULT_BATTERY.max_cycles_per_day),
            "round_trip_efficiency": round(params.get("charge_efficiency", DEFAULT_BATTERY.charge_efficiency)
                                           * params.get("discharge_efficiency", DEFAULT_BATTERY.discharge_efficiency),
                                           4),
            "markets": params.get("markets", "da+id"),
            "foresight": foresight,
            "intraday_reoptimise": reoptimise,
            "decisions": foresight if foresight == "perfect" else f"{foresight} · {reoptimise}",
            "net_revenue_gbp": None if net is None else round(net, 2),
            "gbp_per_mw_year": None if net is None else round(totals["net_revenue_gbp_per_mw_year"], 2),
            "cycles": None if cycles is None else round(cycles, 2),
            "gbp_per_cycle": round(net / cycles, 2) if net is not None and cycles else None,
            "capture_pct": round(100 * net / bound, 1) if net is not None and bound and bound > 0 else None,
            # A forecast-driven point's own bound: the perfect-foresight run of the same battery and markets.
            "perfect_net_revenue_gbp": None if perfect is None else round(perfect, 2),
            "capture_of_perfect_pct": None if capture is None else round(100 * capture, 1),
            "per_year": per_year_text(totals),
            "message": point["message"],
        })
    return rows


def per_year_text(totals: dict) -> str:
    """£/MW/year per calendar year with the days counted ("2023: £61,200 (365 d) · 2024: …"); empty for runs
    stored before years were kept."""
    parts = []
    for year in totals.get("by_year") or []:
        value = year.get("net_gbp_per_mw_year")
        money = "–" if value is None else f"£{value:,.0f}"
        parts.append(f"{year['year']}: {money} ({year['days']} d)")
    return " · ".join(parts)


LABELS = {
    "power_mw": "{} MW", "max_cycles_per_day": "{} cycles/day", "markets": "{}", "charge_efficiency": "ηc {}",
    "discharge_efficiency": "ηd {}", "degradation_cost_gbp_per_mwh": "£{}/MWh degradation",
    "carbon_price_gbp_per_tco2": "£{}/tCO2", "import_limit_mw": "import ≤ {} MW", "export_limit_mw": "export ≤ {} MW",
}
"""How a varied parameter names its line; anything else shows as ``name value``."""


def _describe(key: str, value) -> str:
    if key == "round_trip_efficiency":
        return f"{value:.0%} round trip"
    return LABELS[key].format(value) if key in LABELS else f"{key.replace('_', ' ')} {value}"


def _decided(point: dict) -> dict:
    """The point's varied parameters as decided: a perfect-foresight point decides once, whatever was asked."""
    varied = dict(point["varied"])
    if point["params"].get("foresight", "perfect") == "perfect" and "intraday_reoptimise" in varied:
        varied["intraday_reoptimise"] = "once"
    return varied


def _series_label(varied: dict, study_name: str | None) -> str:
    parts = [_describe(key, value) for key, value in varied.items() if key not in ("duration_h", "energy_mwh")]
    label = ", ".join(parts) or "all points"
    # Plotly renders a few HTML tags in names and hover text; a study name is shown as typed.
    return html.escape(f"{study_name}: {label}" if study_name else label)


def sizing_figure(studies: list[dict], theme: str | None) -> go.Figure:
    """£/MW/year, net revenue, revenue per cycle and capture against duration [h], one line per
    combination of the other varied parameters; a second study is drawn dashed."""
    figure = make_subplots(rows=2, cols=2, horizontal_spacing=0.09, vertical_spacing=0.16, subplot_titles=(
        "£/MW/year", "Net revenue (£)", "Revenue per cycle (£)", "Capture of the perfect-foresight bound (%)"))
    colour_of: dict[str, int] = {}
    durations: set[float] = set()
    for study_number, study in enumerate(studies):
        rows = pd.DataFrame(point_rows(study))
        if rows.empty:
            continue
        rows["series"] = [_series_label(_decided(p), study["name"] if len(studies) > 1 else None)
                          for p in study["points"]]
        # A perfect-foresight point of a grid that varies the intraday decisions is the once point again.
        done = (rows.dropna(subset=["net_revenue_gbp"]).drop_duplicates(["series", "duration_h"])
                .sort_values("duration_h"))
        for series, group in done.groupby("series", sort=False):
            key = series.split(": ", 1)[-1]
            number = colour_of.setdefault(key, len(colour_of))
            colour = SERIES_COLOURS[number % len(SERIES_COLOURS)]
            line = {"color": colour, "dash": DASHES[study_number % 2], "width": WIDTHS[number % len(WIDTHS)]}
            marker = {"symbol": SYMBOLS[number % len(SYMBOLS)], "size": MARKER_SIZES[number % len(MARKER_SIZES)]}
            durations.update(group["duration_h"].tolist())
            for (row, col), column in zip(((1, 1), (1, 2), (2, 1), (2, 2)),
                                          ("gbp_per_mw_year", "net_revenue_gbp", "gbp_per_cycle", "capture_pct"),
                                          strict=True):
                figure.add_trace(go.Scatter(
                    x=group["duration_h"].tolist(), y=group[column].tolist(), mode="lines+markers", name=series, line=line,
                    marker=marker,
                    legendgroup=series, showlegend=(row, col) == (1, 1),
                    customdata=group[["run_id", "power_mw", "energy_mwh"]].to_numpy().tolist(),
                    hovertemplate=(f"{series}<br>%{{x}} h · %{{customdata[1]}} MW / %{{customdata[2]}} MWh"
                                   "<br>%{y:,.1f}<br>run #%{customdata[0]}<extra></extra>"),
                ), row=row, col=col)
    # Ticks on the studied durations themselves (0.5, 1, 2, 4 h), not on Plotly's 1.2, 1.4, ... between them.
    ticks = sorted(durations)
    figure.update_xaxes(title_text="Duration (h)", tickmode="array" if ticks else "auto", tickvals=ticks or None,
                        ticktext=[f"{t:g}" for t in ticks] or None)
    figure.update_yaxes(tickformat="~s", nticks=6)
    apply_theme(figure, theme)
    # Room above the subplot titles for the mode bar, which otherwise sits on "Net revenue (£)".
    figure.update_layout(height=620, legend={"orientation": "h", "y": -0.14, "x": 0}, margin={"t": 70, "b": 90})
    return figure
