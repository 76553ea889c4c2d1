"""Builders for schedule against metered output: deviation statistics and the comparison chart."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import html

from components.run_view import PHYSICAL_COLOUR, apply_theme, hover_text, new_figure, plain_title, utc_axis
from components.schedule import zoom_ticks
from domain.operational import DeviationStats
from domain.settlement_time import format_local

METERED_COLOUR = "#e8590c"
MISSING_COLOUR = "#dc3545"


def deviation_cards(stats: DeviationStats) -> dbc.Row | dbc.Alert:
    """MAE, largest deviation and the share of schedule intervals without a reading."""
    if stats.intervals == 0:
        return dbc.Alert("This run has no schedule to compare.", color="secondary", className="py-2")
    if stats.mae_mw is None:
        return dbc.Alert("No metered readings cover this run's intervals yet: every interval is missing. Import "
                         "a CSV file of metered MW per settlement period.", color="info", className="py-2",
                         id="runs-operational-none")

    def card(label, value, note, card_id):
        return dbc.Col(html.Div([html.Div(label, className="small-label text-body-secondary"),
                                 html.Div(value, className="display-value"),
                                 html.Div(note, className="small text-body-secondary")],
                                className="pd-tile", id=card_id), xs=6, md=3, className="mb-3")

    return dbc.Row([
        card("Mean absolute deviation", f"{stats.mae_mw:,.2f} MW", "metered − scheduled, where metered",
             "runs-operational-mae"),
        card("Largest deviation", f"{stats.max_abs_deviation_mw:,.2f} MW",
             format_local(stats.max_deviation_at.to_pydatetime()), "runs-operational-max"),
        card("Missing", f"{stats.share_missing * 100:.1f}%", f"{stats.missing} of {stats.intervals} intervals have "
             "no reading", "runs-operational-missing"),
    ])


def schedule_vs_actual_figure(joined: pd.DataFrame, theme: str | None, title: str = "") -> go.Figure:
    """Scheduled and metered net output [MW, + exports] on a UK-time axis; deviation below;
    intervals without a reading marked at zero in red."""
    figure = new_figure(theme, rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08, row_heights=[0.7, 0.3],
                        subplot_titles=("Net output (MW, + exports)", "Metered − scheduled (MW)"))
    starts = pd.DatetimeIndex(joined["interval_start_utc"])
    x = utc_axis(starts)
    labels = hover_text(starts, joined["settlement_period"])
    missing = joined["metered_mw"].isna().to_numpy()
    figure.add_trace(go.Scatter(x=x, y=joined["scheduled_mw"].round(3), name="Scheduled", mode="lines",
                                line={"shape": "hv", "color": PHYSICAL_COLOUR, "width": 2}, customdata=labels,
                                hovertemplate="%{customdata}<br>%{y:,.2f} MW<extra>Scheduled</extra>"), row=1, col=1)
    figure.add_trace(go.Scatter(x=x, y=joined["metered_mw"].round(3), name="Metered", mode="lines",
                                line={"shape": "hv", "color": METERED_COLOUR, "width": 1.5, "dash": "dot"},
                                customdata=labels, connectgaps=False,
                                hovertemplate="%{customdata}<br>%{y:,.2f} MW<extra>Metered</extra>"), row=1, col=1)
    figure.add_trace(go.Scatter(x=x[missing], y=[0.0] * int(missing.sum()), name="No reading", mode="markers",
                                marker={"symbol": "x", "color": MISSING_COLOUR, "size": 8},
                                customdata=labels[missing],
                                hovertemplate="%{customdata}<br>no reading<extra></extra>"), row=1, col=1)
    figure.add_trace(go.Bar(x=x, y=(joined["metered_mw"] - joined["scheduled_mw"]).round(3), name="Deviation",
                            marker_color=METERED_COLOUR, customdata=labels, showlegend=False,
                            hovertemplate="%{customdata}<br>%{y:,.2f} MW<extra>Deviation</extra>"), row=2, col=1)
    if len(x):
        tickvals, ticktext = zoom_ticks(starts[0], starts[-1] + pd.Timedelta(minutes=30))
        figure.update_xaxes(tickmode="array", tickvals=tickvals, ticktext=ticktext)
    figure.update_layout(title={"text": plain_title(title), "x": 0, "font": {"size": 15}}, hovermode="x unified")
    apply_theme(figure, theme)
    figure.update_layout(legend={"orientation": "h", "y": -0.12, "x": 0}, margin={"t": 70, "b": 80})
    return figure
