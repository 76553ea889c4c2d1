"""Builders for a stored run: the schedule figure, the totals tiles, the runs-table rows."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import html
from plotly.subplots import make_subplots

from components.figures import MARKET_COLOURS, apply_theme, hover_labels, local_time_ticks
from domain.settlement_time import LONDON, format_local

SOC_COLOUR = "#20c997"
PHYSICAL_COLOUR = "#6c757d"


def schedule_figure(intervals: pd.DataFrame, theme: str | None, title: str = "") -> go.Figure:
    """Three panels sharing a UK-time axis: prices [£/MWh], positions and flow [MW], SoC [MWh].

    Positions are drawn as net sales (sell − buy): above zero the battery exports.
    """
    figure = make_subplots(rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.05,
                           row_heights=[0.35, 0.35, 0.3],
                           subplot_titles=("Prices (£/MWh)", "Net sales (MW): DA, ID and physical", "SoC (MWh)"))
    if intervals.empty:
        figure.add_annotation(text="This run has no schedule", showarrow=False, x=0.5, y=0.5, xref="paper",
                              yref="paper")
        return apply_theme(figure, theme)
    x = pd.DatetimeIndex(intervals["interval_start_utc"])
    labels = hover_labels(x, intervals["settlement_period"])

    def line(y, name, colour, row, shape="hv", dash=None):
        figure.add_trace(go.Scatter(
            x=x, y=y, name=name, mode="lines", customdata=labels,
            line={"shape": shape, "color": colour, "width": 1.5, "dash": dash},
            hovertemplate="%{customdata}<br>%{y:,.2f}<extra>" + name + "</extra>",
        ), row=row, col=1)

    line(intervals["da_price"], "DA price", MARKET_COLOURS["day_ahead"], 1)
    line(intervals["id_price"], "ID price", MARKET_COLOURS["intraday"], 1)
    line(intervals["da_sell_mw"] - intervals["da_buy_mw"], "DA net sales", MARKET_COLOURS["day_ahead"], 2)
    line(intervals["id_sell_mw"] - intervals["id_buy_mw"], "ID net sales", MARKET_COLOURS["intraday"], 2)
    line(intervals["discharge_mw"] - intervals["charge_mw"], "Physical export", PHYSICAL_COLOUR, 2, dash="dot")
    line(intervals["soc_mwh"], "SoC (end of period)", SOC_COLOUR, 3, shape="linear")
    tickvals, ticktext = local_time_ticks(x)
    figure.update_xaxes(tickvals=tickvals, ticktext=ticktext)
    figure.update_xaxes(title_text="UK local time", row=3, col=1)
    figure.update_layout(title={"text": title, "x": 0, "font": {"size": 15}}, hovermode="x unified")
    apply_theme(figure, theme)
    # Three panels have their own titles: the legend goes under the time axis, clear of them.
    figure.update_layout(legend={"orientation": "h", "y": -0.1, "x": 0}, margin={"t": 80, "b": 90})
    return figure


def _tile(label: str, value: str, note: str = "", tile_id: str | None = None) -> dbc.Col:
    return dbc.Col(html.Div([
        html.Div(label, className="small-label text-body-secondary"),
        html.Div(value, className="display-value"),
        html.Div(note, className="small text-body-secondary"),
    ], className="pd-tile", id=tile_id or f"run-tile-{label.lower().replace(' ', '-')}"), xs=6, md=3, className="mb-3")


def capture_ratio(net: float, bound: float | None) -> float | None:
    """``net`` as a fraction of ``bound`` [-], or None when the bound is missing or not positive."""
    if bound is None or bound <= 0:
        return None
    return net / bound


def totals_tiles(run) -> dbc.Row | dbc.Alert:
    """The headline numbers of a run, or its status message when it has no schedule."""
    totals = run.totals
    if not totals:
        return dbc.Alert([html.Strong(f"Run #{run.id}: {run.status}. "), run.message or ""], color="warning")
    baselines = totals.get("baselines") or {}
    joint = capture_ratio(totals["net_revenue_gbp"], baselines.get("joint_net_revenue_gbp"))
    naive = baselines.get("naive_net_revenue_gbp")
    return dbc.Row([
        _tile("Net revenue", f"£{totals['net_revenue_gbp']:,.0f}", f"£{totals['net_revenue_gbp_per_mw_year']:,.0f}/MW/yr"),
        _tile("Day-ahead", f"£{totals['da_revenue_gbp']:,.0f}", "revenue"),
        _tile("Intraday", f"£{totals['id_revenue_gbp']:,.0f}", "revenue"),
        _tile("Degradation", f"£{totals['degradation_cost_gbp']:,.0f}", "cost"),
        _tile("Cycles", f"{totals['cycles']:,.2f}", f"{totals['discharged_mwh']:,.0f} MWh discharged over "
                                                    f"{totals['days']} days"),
        _tile("Capture", f"{joint:.0%}" if joint is not None else "n/a", "of the joint perfect-foresight bound"),
        _tile("Naive strategy", f"£{naive:,.0f}" if naive is not None else "n/a", "cheapest/dearest hours, DA only"),
        _tile("Status", run.status, run.message or ""),
    ])


def run_rows(runs) -> list[dict]:
    """Rows for the runs grid; times in UK local time."""
    rows = []
    for run in runs:
        totals = run.totals or {}
        baselines = totals.get("baselines") or {}
        joint = capture_ratio(totals.get("net_revenue_gbp", 0.0), baselines.get("joint_net_revenue_gbp"))
        rows.append({
            "row_id": str(run.id),  # AG Grid row ids must be strings
            "id": run.id,
            "name": run.name or f"Run #{run.id}",
            "dates": f"{run.first_date.isoformat()} → {run.last_date.isoformat()}",
            "markets": run.markets,
            "status": run.status,
            "net_revenue_gbp": totals.get("net_revenue_gbp"),
            "capture": round(joint * 100, 1) if joint is not None else None,
            "created": format_local(run.created_at, with_period=False),
            "by": run.created_by.username if run.created_by else "command line",
        })
    return rows


def intervals_export(intervals: pd.DataFrame) -> pd.DataFrame:
    """The intervals with UK local time beside UTC, for CSV export."""
    export = intervals.copy()
    starts = pd.DatetimeIndex(export["interval_start_utc"])
    export.insert(1, "local_time", [t.strftime("%Y-%m-%d %H:%M %Z") for t in starts.tz_convert(LONDON)])
    export["interval_start_utc"] = [t.isoformat() for t in starts]
    return export
