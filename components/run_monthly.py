"""The run view's Monthly tab: revenue per month (DA, ID, net), £/MW/month, cycles and capture of the
perfect-foresight bound per month, and £/MW/year per calendar year with the days it counts."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import html

from components.run_view import (
    CUMULATIVE_COLOUR,
    DA_POSITION_COLOUR,
    DEGRADATION_COLOUR,
    ID_POSITION_COLOUR,
    apply_theme,
    new_figure,
    plain_title,
)


def _money(value) -> str:
    return "–" if value is None or pd.isna(value) else f"£{value:,.0f}"


def _percent(value) -> str:
    return "–" if value is None or pd.isna(value) else f"{value:.0%}"


def monthly_figure(months: pd.DataFrame, theme: str | None, title: str = "") -> go.Figure:
    figure = new_figure(theme, rows=1, cols=1, specs=[[{"secondary_y": True}]])
    x = list(months["month"])
    for column, name, colour in (("da_gbp", "DA revenue", DA_POSITION_COLOUR), ("id_gbp", "ID revenue",
                                 ID_POSITION_COLOUR), ("degradation_gbp", "Degradation", DEGRADATION_COLOUR)):
        figure.add_trace(go.Bar(x=x, y=months[column].round(2), name=name, marker_color=colour,
                                hovertemplate="%{x}<br>£%{y:,.0f}<extra>" + name + "</extra>"), secondary_y=False)
    figure.add_trace(go.Scatter(x=x, y=months["capture"].round(4), name="Capture of the bound", mode="lines+markers",
                                line={"color": CUMULATIVE_COLOUR, "width": 2},
                                hovertemplate="%{x}<br>%{y:.0%}<extra>Capture</extra>"), secondary_y=True)
    figure.update_layout(barmode="relative", hovermode="x unified",
                         title={"text": plain_title(title), "x": 0, "font": {"size": 15}})
    figure.update_xaxes(type="category", title_text="Month (settlement dates)")
    figure.update_yaxes(title_text="£ per month", tickprefix="£", tickformat=",.0f", secondary_y=False)
    figure.update_yaxes(title_text="Capture", tickformat=".0%", secondary_y=True, showgrid=False, rangemode="tozero")
    apply_theme(figure, theme)
    figure.update_layout(legend={"orientation": "h", "y": -0.25, "x": 0}, margin={"t": 50, "b": 90})
    return figure


def _table(header: list[str], rows: list[list], table_id: str) -> dbc.Table:
    return dbc.Table([html.Thead(html.Tr([html.Th(h) for h in header])),
                      html.Tbody([html.Tr([html.Td(c, className="pd-num" if i else None) for i, c in enumerate(row)])
                                  for row in rows])],
                     size="sm", striped=True, className="mb-0 small", id=table_id)


def years_table(years: pd.DataFrame) -> dbc.Table:
    rows = [[str(r.year), f"{r.days}" + (f" (+{r.skipped_days} skipped)" if r.skipped_days else ""),
             _money(r.net_gbp), _money(r.net_gbp_per_mw_year), f"{r.cycles:,.1f}", _percent(r.capture)]
            for r in years.itertuples()]
    return _table(["Year", "Days counted", "Net", "£/MW/year (annualised)", "Cycles", "Capture"], rows,
                  "runs-monthly-years")


def months_table(months: pd.DataFrame) -> dbc.Table:
    rows = [[r.month, f"{r.days}" + (f" (+{r.skipped_days} skipped)" if r.skipped_days else ""), _money(r.da_gbp),
             _money(r.id_gbp), _money(r.net_gbp), _money(r.net_gbp_per_mw_month), f"{r.cycles:,.1f}",
             _percent(r.capture)] for r in months.itertuples()]
    return _table(["Month", "Days", "DA", "ID", "Net", "£/MW/month", "Cycles", "Capture"], rows, "runs-monthly-months")


def monthly_view(months: pd.DataFrame, years: pd.DataFrame, figure: go.Figure) -> html.Div:
    from components.graph import graph

    if months.empty:
        return html.Div(html.P("This run has no schedule.", className="text-body-secondary"), className="pt-3")
    return html.Div([
        graph("runs-monthly-chart", "380px", figure=figure),
        html.H4("By calendar year", className="h6 mt-3"),
        html.P("£/MW/year is the year's net revenue per MW of power, annualised over the days traded in it "
               "(a part year or one with skipped days is scaled up, and says how many days it counts).",
               className="small text-body-secondary mb-1"),
        years_table(years),
        html.H4("By month", className="h6 mt-3"),
        html.Div(months_table(months), style={"maxHeight": "420px", "overflowY": "auto"}),
    ], className="pt-3")
