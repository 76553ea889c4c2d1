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


def _empty(figure: go.Figure, text: str, theme: str | None) -> go.Figure:
    figure.add_annotation(text=text, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    return apply_theme(figure, theme)


def asset_footprint_figure(rows: pd.DataFrame, theme: str | None, title: str = "") -> go.Figure:
    """Bars of gCO2 per HalfHourId (imports up, exports below zero as "avoided"), intensity [gCO2/kWh] on a
    second axis, average power [kW] as a line on a third. ``rows``: ``services.footprint`` range rows."""
    figure = go.Figure()
    if rows.empty:
        return _empty(figure, "No half-hours to show", theme)
    ids = rows["half_hour_id"].to_numpy(int)
    grams = rows["footprint_g"].to_numpy(float)
    local = pd.DatetimeIndex(rows["start_utc"]).tz_convert(LONDON)
    when = [f"HH{i} · {t.strftime('%H:%M %Z')}" for i, t in zip(ids, local, strict=True)]
    figure.add_trace(go.Bar(x=ids, y=np.where(grams > 0, grams, 0.0), name="emitted gCO2", marker_color=EMITTED_COLOUR,
                            customdata=when, hovertemplate="%{customdata}<br>%{y:,.0f} gCO2 emitted<extra></extra>"))
    figure.add_trace(go.Bar(x=ids, y=np.where(grams < 0, grams, 0.0), name="avoided gCO2 (export)",
                            marker_color=AVOIDED_COLOUR, customdata=when,
                            hovertemplate="%{customdata}<br>%{y:,.0f} gCO2 avoided<extra></extra>"))
    unknown = ids[np.isnan(grams)]
    if len(unknown):
        figure.add_trace(go.Scatter(x=unknown, y=np.zeros(len(unknown)), mode="markers", name="unknown (no data)",
                                    marker={"symbol": "x", "size": 9, "color": "#dc3545"},
                                    hovertemplate="HH%{x}: unknown<extra></extra>"))
    figure.add_trace(go.Scatter(x=ids, y=rows["intensity_g_per_kwh"], name="intensity gCO2/kWh", yaxis="y2",
                                mode="lines+markers", line={"color": INTENSITY_COLOUR, "width": 1.5},
                                customdata=np.stack([when, rows["intensity_kind"].fillna("none").to_numpy()], -1),
                                hovertemplate="%{customdata[0]}<br>%{y:.0f} gCO2/kWh (%{customdata[1]})"
                                              "<extra></extra>"))
    # Rounded to the watt: a steady power averaged over COV readings differs in its last bits per half-hour,
    # which an axis fitted to the line drew as a square wave between 715.47198479999895 and ...973 kW.
    figure.add_trace(go.Scatter(x=ids, y=rows["power_kw"].round(3), name="power kW", yaxis="y3", mode="lines",
                                line={"color": POWER_COLOUR, "width": 2, "shape": "hvh", "dash": "dot"},
                                customdata=when, hovertemplate="%{customdata}<br>%{y:,.1f} kW<extra></extra>"))
    figure.update_layout(
        barmode="relative",
        title={"text": title, "x": 0, "y": 0.98, "yref": "container", "yanchor": "top", "font": {"size": 15}},
        xaxis={"title": "HalfHourId (settlement period, UK local date)", "tickmode": "array", "tickvals": ids,
               "domain": [0, 0.88]},
        yaxis={"title": "gCO2 per half-hour (below 0: avoided)", "zeroline": True},
        yaxis2={"title": "intensity gCO2/kWh", "overlaying": "y", "side": "right", "rangemode": "tozero",
                "showgrid": False},
        yaxis3={"title": "power kW", "overlaying": "y", "side": "right", "anchor": "free", "position": 0.97,
                "showgrid": False, "rangemode": "tozero"},
        hovermode="x unified",
    )
    # Room for the title above the legend row.
    return apply_theme(figure, theme).update_layout(margin={"t": 90}, legend={"y": 1.02, "yanchor": "bottom"})


def run_footprint_figure(frame: pd.DataFrame, theme: str | None, title: str = "",
                         empty_text: str = "This run has no schedule") -> go.Figure:
    """A battery run's emissions per interval [kgCO2] (exports below zero as "avoided") and the intensity;
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
    figure.add_trace(go.Scatter(x=starts, y=frame["intensity_g_per_kwh"], name="intensity gCO2/kWh", yaxis="y2",
                                mode="lines", line={"color": INTENSITY_COLOUR, "width": 1.4, "shape": "hv"},
                                customdata=labels, hovertemplate="%{customdata}<br>%{y:.0f} gCO2/kWh<extra></extra>"))
    tickvals, ticktext = local_time_ticks(starts)
    figure.update_layout(
        barmode="relative", title={"text": title, "x": 0, "font": {"size": 15}},
        xaxis={"title": "UK local time", "tickvals": tickvals, "ticktext": ticktext},
        yaxis={"title": "kgCO2 per half-hour (below 0: avoided)"},
        yaxis2={"title": "intensity gCO2/kWh", "overlaying": "y", "side": "right", "rangemode": "tozero",
                "showgrid": False},
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
