"""Figure builders. Time axes are true UTC instants labelled in GB local time, so a 50-period
autumn day draws its repeated 01:00 hour in order instead of folding back on itself."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from domain.markets import MARKET_NAMES
from domain.settlement_time import LONDON

PLOTLY_TEMPLATES = {"light": "plotly_white", "dark": "plotly_dark"}
MARKET_COLOURS = {"day_ahead": "#0d6efd", "intraday": "#fd7e14", "market_index": "#198754"}
MODEBAR = {
    "light": {"bgcolor": "rgba(255,255,255,0.85)", "color": "#6c757d", "activecolor": "#0d6efd"},
    "dark": {"bgcolor": "rgba(33,37,41,0.85)", "color": "#adb5bd", "activecolor": "#ffffff"},
}
"""Plotly toolbar colours per colour mode, so its icons read on either background."""


FLOAT32_RELATIVE_ERROR = 2.0 ** -24
"""The most a float64 value moves, relative to itself, when stored as the nearest float32."""


def shown_values(values, decimals: int) -> np.ndarray:
    """``values`` rounded to the ``decimals`` a chart shows, as float32 when every one of them survives that
    exactly, else float64.

    Plotly sends a float array as base64 of its bytes, so float32 halves it. Float32 moves a value by at
    most ``|v|·2⁻²⁴``; while that is under half the last shown digit, rounding the float32 value to
    ``decimals`` gives back the value sent (SoC in MWh to 0.001 below 8,388 MWh, prices and £ to 0.01
    below 83,886). NaN stays NaN."""
    rounded = np.round(np.asarray(values, dtype=np.float64), decimals) + 0.0
    finite = rounded[np.isfinite(rounded)]
    largest = float(np.abs(finite).max()) if finite.size else 0.0
    if largest * FLOAT32_RELATIVE_ERROR < 0.5 * 10.0 ** -decimals:
        return rounded.astype(np.float32)
    return rounded


def theme_name(stored: str | None) -> str:
    return "dark" if stored == "dark" else "light"


SCATTERGL_POINTS = 5_000
"""Above this many points a chart draws with WebGL (fast, but blank where the browser has no WebGL); at or below
it, with SVG, which works everywhere."""


def apply_theme(figure: go.Figure, theme: str | None) -> go.Figure:
    """Plotly template for the Bootstrap colour mode, on a transparent background."""
    figure.update_layout(
        template=PLOTLY_TEMPLATES[theme_name(theme)],
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        margin={"l": 60, "r": 20, "t": 40, "b": 50},
        legend={"orientation": "h", "y": 1.08, "x": 0},
        modebar=MODEBAR[theme_name(theme)],
    )
    return round_overlay_ticks(figure)


def round_overlay_ticks(figure: go.Figure) -> go.Figure:
    """Round tick values on every second y axis (cumulative £, £/MWh, gCO2/kWh, kW).

    Plotly.js 3 gives an overlaying axis ``tickmode="sync"`` by default, which puts its ticks on the main
    axis's gridlines at values such as £60,659 or 157.8 £/MWh; those axes draw no gridlines of their own."""
    figure.for_each_yaxis(lambda axis: axis.update(tickmode="auto")
                          if axis.overlaying and axis.tickmode is None else None)
    return figure


def local_time_ticks(starts: pd.DatetimeIndex) -> tuple[list[pd.Timestamp], list[str]]:
    """Tick positions (UTC instants) and labels (local GB wall-clock) suited to the span shown."""
    if len(starts) == 0:
        return [], []
    local = starts.tz_convert(LONDON)
    span = starts[-1] - starts[0]
    if span <= timedelta(days=2):
        chosen = local[(local.minute == 0) & (local.hour % 3 == 0)]
        labels = [t.strftime("%H:%M %Z") if t.hour else t.strftime("%d %b<br>%H:%M %Z") for t in chosen]
    else:
        step = max(1, int(span / timedelta(days=1)) // 10 + 1)
        midnights = local[(local.hour == 0) & (local.minute == 0)]
        chosen = midnights[:: step]
        labels = [t.strftime("%a %d %b") for t in chosen]
    return [t.tz_convert("UTC") for t in chosen], labels


def hover_labels(starts: pd.DatetimeIndex, periods: list[int] | pd.Series) -> list[str]:
    """``Sun 29 Oct 01:30 GMT · SP4`` for each interval."""
    local = starts.tz_convert(LONDON)
    return [f"{t.strftime('%a %d %b %H:%M %Z')} · SP{int(p)}" for t, p in zip(local, periods, strict=True)]


def price_chart(prices: pd.DataFrame, theme: str | None, title: str = "") -> go.Figure:
    """Step chart of half-hourly prices [£/MWh] per market column (``day_ahead``, ``intraday``)."""
    figure = go.Figure()
    if not prices.empty:
        labels = hover_labels(prices.index, prices["settlement_period"])
        for market in [m for m in MARKET_NAMES if m in prices.columns]:
            figure.add_trace(
                go.Scatter(
                    x=prices.index,
                    y=prices[market],
                    name=MARKET_NAMES[market],
                    mode="lines",
                    line={"shape": "hv", "width": 1.6, "color": MARKET_COLOURS[market]},
                    customdata=labels,
                    hovertemplate="%{customdata}<br>%{y:.2f} £/MWh<extra>" + MARKET_NAMES[market] + "</extra>",
                )
            )
        tickvals, ticktext = local_time_ticks(prices.index)
        figure.update_xaxes(tickvals=tickvals, ticktext=ticktext, title_text="UK local time")
    figure.update_yaxes(title_text="£/MWh")
    figure.update_layout(title={"text": title, "x": 0, "font": {"size": 15}}, hovermode="x unified")
    if prices.empty:
        figure.add_annotation(text="No prices in this range", showarrow=False, x=0.5, y=0.5, xref="paper",
                              yref="paper")
    return apply_theme(figure, theme)
