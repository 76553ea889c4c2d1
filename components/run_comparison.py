"""Builders for 2–4 runs side by side: a KPI table, overlaid cumulative P&L and SoC, parameter differences.

``runs`` is a list of ``(run, intervals)`` pairs as ``services.runs.get_runs`` returns them.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import html

from components.run_view import (
    apply_theme,
    capture_ratio,
    daily_pnl,
    degradation_rate,
    flat_parameters,
    hover_text,
    money,
    new_figure,
    percent,
    plain_title,
    run_label,
    utc_axis,
)
from components.schedule import zoom_ticks

RUN_COLOURS = ("#0d6efd", "#d63384", "#198754", "#fd7e14")
CHANGED_CLASS = "table-warning fw-semibold"


def _kpis(run) -> dict[str, str]:
    totals = run.totals or {}
    baselines = totals.get("baselines") or {}
    net = totals.get("net_revenue_gbp")
    naive = baselines.get("naive_net_revenue_gbp")
    return {
        "Status": run.status,
        "Settlement dates": f"{run.first_date:%d %b %Y} – {run.last_date:%d %b %Y}",
        "Net revenue": money(net),
        "Day-ahead": money(totals.get("da_revenue_gbp")),
        "Intraday": money(totals.get("id_revenue_gbp")),
        "Degradation": money(totals.get("degradation_cost_gbp")),
        "Cycles": f"{totals['cycles']:,.1f}" if totals.get("cycles") is not None else "n/a",
        "£/MW/yr": money(totals.get("net_revenue_gbp_per_mw_year")),
        "Capture of the bound": percent(capture_ratio(net, baselines.get("joint_net_revenue_gbp"))
                                        if net is not None else None),
        "Uplift over naive": money(None if net is None or naive is None else net - naive),
    }


def comparison_table(runs) -> dbc.Table:
    """KPIs, then every parameter, one column per run; parameters that differ are highlighted."""
    headers = [html.Th("")] + [html.Th(run_label(run), style={"color": RUN_COLOURS[i]}) for i, (run, _) in
                               enumerate(runs)]
    kpis = [_kpis(run) for run, _ in runs]
    params = [flat_parameters(run) for run, _ in runs]
    body = [html.Tr(html.Th("Figures", colSpan=len(runs) + 1, className="text-body-secondary small"))]
    for key in kpis[0]:
        body.append(html.Tr([html.Th(key, className="fw-normal")] +
                            [html.Td(k[key], className="pd-num") for k in kpis]))
    body.append(html.Tr(html.Th("Parameters (differences highlighted)", colSpan=len(runs) + 1,
                                className="text-body-secondary small")))
    keys = list(dict.fromkeys(key for p in params for key in p))
    for key in keys:
        values = [p.get(key) for p in params]
        differs = len({repr(v) for v in values}) > 1
        body.append(html.Tr([html.Th(key, className="fw-normal")] +
                            [html.Td("none" if v is None else str(v), className="pd-num") for v in values],
                            className=CHANGED_CLASS if differs else None,
                            **({"data-differs": "true"} if differs else {})))
    return dbc.Table([html.Thead(html.Tr(headers)), html.Tbody(body)], size="sm", hover=True, responsive=True,
                     className="mb-0", id="runs-compare-table")


def differing_parameters(runs) -> list[str]:
    """Names of the parameters whose values differ between the runs."""
    params = [flat_parameters(run) for run, _ in runs]
    keys = list(dict.fromkeys(key for p in params for key in p))
    return [key for key in keys if len({repr(p.get(key)) for p in params}) > 1]


def comparison_figure(runs, theme: str | None) -> go.Figure:
    """Cumulative net P&L per settlement date [£] and SoC [MWh], each run in its own colour."""
    figure = new_figure(theme, rows=2, cols=1, vertical_spacing=0.14, row_heights=[0.5, 0.5],
                        subplot_titles=("Cumulative net P&L (£) by settlement date", "SoC (MWh), UK local time"))
    starts = []
    for i, (run, intervals) in enumerate(runs):
        if intervals.empty:
            continue
        colour = RUN_COLOURS[i % len(RUN_COLOURS)]
        name = plain_title(run_label(run))
        daily = daily_pnl(intervals, degradation_rate(run))
        figure.add_trace(go.Scatter(
            x=[d.isoformat() for d in daily.index], y=daily["cumulative_gbp"].round(2), name=name, legendgroup=name,
            mode="lines+markers", line={"color": colour, "width": 2},
            hovertemplate="%{x}<br>£%{y:,.0f}<extra>" + name + "</extra>"), row=1, col=1)
        times = pd.DatetimeIndex(intervals["interval_start_utc"])
        starts.append(times)
        figure.add_trace(go.Scatter(
            x=utc_axis(times), y=intervals["soc_mwh"].clip(lower=0).round(3).to_numpy(), name=name, legendgroup=name,
            showlegend=False, mode="lines", line={"color": colour, "width": 1.3},
            customdata=hover_text(times, intervals["settlement_period"]),
            hovertemplate="%{customdata}<br>%{y:,.1f} MWh<extra>" + name + "</extra>"), row=2, col=1)
    if starts:
        first = min(s[0] for s in starts)
        last = max(s[-1] for s in starts) + pd.Timedelta(minutes=30)
        tickvals, ticktext = zoom_ticks(first, last)
        figure.update_xaxes(tickmode="array", tickvals=tickvals, ticktext=ticktext, row=2, col=1)
    figure.update_xaxes(type="date", tickformat="%d %b", row=1, col=1)
    figure.update_yaxes(tickprefix="£", tickformat=",.0f", row=1, col=1)
    figure.update_layout(hovermode="x unified")
    apply_theme(figure, theme)
    figure.update_layout(legend={"orientation": "h", "y": -0.1, "x": 0}, margin={"t": 50, "b": 80})
    return figure
