"""Carbon page figures (pure: data in, go.Figure out)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from components.figures import apply_theme, hover_labels, local_time_ticks
from domain.settlement_time import LONDON

EMITTED_COLOUR = "#6c757d"
AVOIDED_COLOUR = "#198754"
INTENSITY_COLOUR = "#fd7e14"
POWER_COLOUR = "#0d6efd"


def shared_zero_ranges(*values, padding: float = 1.08) -> list[list[float]]:
    """One [low, high] range per array of ``values`` such that 0 sits at the same height on every axis
    (bars below zero on one axis and a line from zero on another read against one baseline). NaN is left out."""
    below, above = [], []
    for array in values:
        finite = np.asarray(array, float)
        finite = finite[np.isfinite(finite)]
        below.append(max(0.0, -float(finite.min())) if finite.size else 0.0)
        above.append(max(0.0, float(finite.max())) if finite.size else 0.0)
    fractions = [b / (b + a) for b, a in zip(below, above, strict=True) if b + a > 0]
    share = max(fractions, default=0.0)
    ranges = []
    for b, a in zip(below, above, strict=True):
        spans = [b / share if share > 0 else 0.0, a / (1 - share) if share < 1 else 0.0]
        span = (max(spans) or 1.0) * padding
        ranges.append([-share * span, (1 - share) * span])
    return ranges


def _empty(figure: go.Figure, text: str, theme: str | None) -> go.Figure:
    figure.add_annotation(text=text, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    return apply_theme(figure, theme)


def asset_footprint_figure(rows: pd.DataFrame, theme: str | None, title: str = "") -> go.Figure:
    """Bars of kgCO2 per HalfHourId (imports up, exports below zero as "avoided"), intensity [kgCO2/MWh, the same
    number as gCO2/kWh] on a second axis, average power [kW] as a line on a third. ``rows``: ``services.footprint`` range rows."""
    figure = go.Figure()
    if rows.empty:
        return _empty(figure, "No half-hours to show", theme)
    ids = rows["half_hour_id"].to_numpy(int)
    kilograms = rows["footprint_g"].to_numpy(float) / 1000.0
    intensity = rows["intensity_g_per_kwh"].to_numpy(float)
    power = rows["power_kw"].round(3).to_numpy(float)
    local = pd.DatetimeIndex(rows["start_utc"]).tz_convert(LONDON)
    when = [f"HH{i} · {t.strftime('%H:%M %Z')}" for i, t in zip(ids, local, strict=True)]
    figure.add_trace(go.Bar(x=ids, y=np.where(kilograms > 0, kilograms, 0.0), name="emitted kgCO2", marker_color=EMITTED_COLOUR,
                            customdata=when, hovertemplate="%{customdata}<br>%{y:,.3f} kgCO2 emitted<extra></extra>"))
    figure.add_trace(go.Bar(x=ids, y=np.where(kilograms < 0, kilograms, 0.0), name="avoided kgCO2 (export)",
                            marker_color=AVOIDED_COLOUR, customdata=when,
                            hovertemplate="%{customdata}<br>%{y:,.3f} kgCO2 avoided<extra></extra>"))
    unknown = ids[np.isnan(kilograms)]
    if len(unknown):
        figure.add_trace(go.Scatter(x=unknown, y=np.zeros(len(unknown)), mode="markers", name="unknown (no data)",
                                    marker={"symbol": "x", "size": 9, "color": "#dc3545"},
                                    hovertemplate="HH%{x}: unknown<extra></extra>"))
    figure.add_trace(go.Scatter(x=ids, y=intensity, name="intensity kgCO2/MWh", yaxis="y2",
                                mode="lines+markers", line={"color": INTENSITY_COLOUR, "width": 1.5},
                                customdata=np.stack([when, rows["intensity_kind"].fillna("none").to_numpy()], -1),
                                hovertemplate="%{customdata[0]}<br>%{y:.0f} kgCO2/MWh (%{customdata[1]})"
                                              "<extra></extra>"))
    # Rounded to the watt: a steady power averaged over COV readings differs in its last bits per half-hour,
    # which an axis fitted to the line drew as a square wave between 715.47198479999895 and ...973 kW.
    figure.add_trace(go.Scatter(x=ids, y=power, name="power kW", yaxis="y3", mode="lines",
                                line={"color": POWER_COLOUR, "width": 2, "shape": "hvh", "dash": "dot"},
                                customdata=when, hovertemplate="%{customdata}<br>%{y:,.1f} kW<extra></extra>"))
    ranges = shared_zero_ranges(np.nan_to_num(kilograms), intensity, power)
    figure.update_layout(
        barmode="relative",
        title={"text": title, "x": 0, "y": 0.98, "yref": "container", "yanchor": "top", "font": {"size": 15}},
        xaxis={"title": "HalfHourId (settlement period, UK local date)", "tickmode": "array", "tickvals": ids,
               "domain": [0, 0.88]},
        yaxis={"title": "kgCO2 per half-hour (below 0: avoided)", "zeroline": True, "range": ranges[0]},
        yaxis2={"title": "intensity kgCO2/MWh", "overlaying": "y", "side": "right", "range": ranges[1],
                "showgrid": False, "zeroline": False},
        yaxis3={"title": "power kW", "overlaying": "y", "side": "right", "anchor": "free", "position": 0.97,
                "showgrid": False, "zeroline": False, "range": ranges[2]},
        hovermode="x unified",
    )
    # Room for the title above the legend row.
    return apply_theme(figure, theme).update_layout(margin={"t": 90}, legend={"y": 1.02, "yanchor": "bottom"})


def run_footprint_figure(frame: pd.DataFrame, theme: str | None, title: str = "",
                         empty_text: str = "This run has no schedule") -> go.Figure:
    """A battery run's emissions per interval [kgCO2] (exports below zero as "avoided") and the intensity
    [kgCO2/MWh, the same number as gCO2/kWh] on an axis whose zero is the bars' zero;
    ``empty_text`` in place of the chart when ``frame`` is empty."""
    figure = go.Figure()
    if frame.empty:
        return _empty(figure, empty_text, theme)
    starts = pd.DatetimeIndex(frame["interval_start_utc"])
    labels = hover_labels(starts, frame["settlement_period"])
    figure.add_trace(go.Bar(x=starts, y=frame["emitted_kg"], name="emitted kgCO2 (import)",
                            marker_color=EMITTED_COLOUR, customdata=labels,
                            hovertemplate="%{customdata}<br>%{y:,.0f} kgCO2<extra></extra>"))
    figure.add_trace(go.Bar(x=starts, y=-frame["avoided_kg"], name="avoided kgCO2 (export)",
                            marker_color=AVOIDED_COLOUR, customdata=labels,
                            hovertemplate="%{customdata}<br>%{y:,.0f} kgCO2 avoided<extra></extra>"))
    figure.add_trace(go.Scatter(x=starts, y=frame["intensity_g_per_kwh"], name="intensity kgCO2/MWh", yaxis="y2",
                                mode="lines", line={"color": INTENSITY_COLOUR, "width": 1.4, "shape": "hv"},
                                customdata=labels, hovertemplate="%{customdata}<br>%{y:.0f} kgCO2/MWh<extra></extra>"))
    tickvals, ticktext = local_time_ticks(starts)
    ranges = shared_zero_ranges(np.concatenate([frame["emitted_kg"].to_numpy(float),
                                                -frame["avoided_kg"].to_numpy(float)]),
                                frame["intensity_g_per_kwh"].to_numpy(float))
    figure.update_layout(
        barmode="relative", title={"text": title, "x": 0, "font": {"size": 15}},
        xaxis={"title": "UK local time", "tickvals": tickvals, "ticktext": ticktext},
        yaxis={"title": "kgCO2 per half-hour (below 0: avoided)", "range": ranges[0]},
        yaxis2={"title": "intensity kgCO2/MWh", "overlaying": "y", "side": "right", "range": ranges[1],
                "showgrid": False, "zeroline": False},
        hovermode="x unified",
    )
    # Room for the title above the legend row.
    return apply_theme(figure, theme).update_layout(margin={"t": 90}, legend={"y": 1.02, "yanchor": "bottom"})


def tradeoff_figure(points: list, theme: str | None) -> go.Figure:
    """Net revenue [£] (without the carbon charge) against net tCO2, one point per carbon price."""
    figure = go.Figure()
    usable = [p for p in points if p.revenue_gbp is not None and p.net_tco2 is not None]
    if not usable:
        return _empty(figure, "Start the carbon trade-off to see what cleaner operation costs", theme)
    figure.add_trace(go.Scatter(
        x=[p.net_tco2 for p in usable], y=[p.revenue_gbp for p in usable], mode="lines+markers+text",
        text=[f"£{p.carbon_price_gbp_per_tco2:g}/t" for p in usable], textposition="top center",
        marker={"size": 10, "color": AVOIDED_COLOUR}, line={"dash": "dot"},
        customdata=[[p.carbon_price_gbp_per_tco2, p.run_id] for p in usable],
        hovertemplate="carbon price £%{customdata[0]:g}/tCO2 (run #%{customdata[1]})<br>%{x:.2f} tCO2 net<br>"
                      "£%{y:,.0f} net revenue<extra></extra>", name="runs"))
    figure.update_layout(title={"text": "Carbon trade-off: net revenue against net tCO2", "x": 0, "font": {"size": 15}},
                         xaxis={"title": "net tCO2 of grid imports minus exports (lower is cleaner)"},
                         yaxis={"title": "net revenue £ (without the carbon charge)"}, showlegend=False)
    return apply_theme(figure, theme)
