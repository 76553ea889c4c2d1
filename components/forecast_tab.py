"""The run view's Forecast tab: how a forecast-driven run did against perfect foresight of the same battery.

Realised and perfect-foresight net revenue per month and cumulatively, the capture ratio per month, the
forecast against the actual price for a chosen day, and where the money was lost: per half-hour, the
realised cash less the perfect-foresight cash, with the half-hours the forecast ranked wrongly (among the
day's 4 dearest or 4 cheapest by forecast but not by actual price, or the other way round) marked.
"""

from __future__ import annotations

from datetime import date

import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from components.graph import graph
from components.run_view import apply_theme, hover_text, new_figure, plain_title, utc_axis
from domain.forecast_quality import EXTREME_PERIODS

TAB_ID = "forecast"
SUMMARY = "runs-forecast-summary"
MONTHLY_CHART = "runs-forecast-monthly"
DAY = "runs-forecast-day"
DAY_CHART = "runs-forecast-day-chart"
QUALITY = "runs-forecast-quality"


def tab() -> dbc.Tab:
    return dbc.Tab(html.Div([
        html.Div(id=SUMMARY, className="pt-3"),
        dcc.Loading(graph(MONTHLY_CHART, "520px")),
        dbc.Row(dbc.Col([dbc.Label("Day", html_for=DAY, className="small mb-1"),
                         dcc.Dropdown(id=DAY, clearable=False)], md=4), className="g-2 mb-2"),
        dcc.Loading(graph(DAY_CHART, "520px")),
        html.Div(id=QUALITY, className="pt-2"),
    ]), label="Forecast", tab_id=TAB_ID)


def monthly_revenue(days: list[dict]) -> pd.DataFrame:
    """Per month: realised and perfect-foresight net revenue [£], their cumulative sums, capture ratio."""
    frame = pd.DataFrame(days)
    if frame.empty:
        return pd.DataFrame(columns=["month", "realised_gbp", "perfect_gbp", "cumulative_realised_gbp",
                                     "cumulative_perfect_gbp", "capture_ratio"])
    frame["month"] = frame["settlement_date"].str[:7]
    monthly = frame.groupby("month", sort=True)[["realised_gbp", "perfect_gbp"]].sum().reset_index()
    monthly["cumulative_realised_gbp"] = monthly["realised_gbp"].cumsum()
    monthly["cumulative_perfect_gbp"] = monthly["perfect_gbp"].cumsum()
    monthly["capture_ratio"] = monthly["realised_gbp"] / monthly["perfect_gbp"].where(monthly["perfect_gbp"].abs() > 1e-9)
    return monthly


def monthly_figure(days: list[dict], theme: str | None, title: str) -> go.Figure:
    monthly = monthly_revenue(days)
    figure = new_figure(theme, rows=2, cols=1, shared_xaxes=True, row_heights=[0.65, 0.35], vertical_spacing=0.08,
                        specs=[[{"secondary_y": True}], [{}]])
    months = monthly["month"].tolist()
    figure.add_trace(go.Bar(x=months, y=monthly["perfect_gbp"], name="Perfect foresight £", marker_color="#9aa5b1"),
                     row=1, col=1)
    figure.add_trace(go.Bar(x=months, y=monthly["realised_gbp"], name="Realised £", marker_color="#1f77b4"),
                     row=1, col=1)
    figure.add_trace(go.Scatter(x=months, y=monthly["cumulative_perfect_gbp"], name="Cumulative perfect £",
                                line={"color": "#9aa5b1", "dash": "dot"}), row=1, col=1, secondary_y=True)
    figure.add_trace(go.Scatter(x=months, y=monthly["cumulative_realised_gbp"], name="Cumulative realised £",
                                line={"color": "#1f77b4"}), row=1, col=1, secondary_y=True)
    figure.add_trace(go.Bar(x=months, y=monthly["capture_ratio"], name="Capture ratio", marker_color="#2ca02c",
                            hovertemplate="%{x}: %{y:.1%}<extra></extra>"), row=2, col=1)
    figure.update_layout(title=plain_title(title), barmode="group")
    figure.update_yaxes(title_text="£ per month", row=1, col=1, secondary_y=False)
    figure.update_yaxes(title_text="£ cumulative", row=1, col=1, secondary_y=True)
    figure.update_yaxes(title_text="capture", tickformat=".0%", row=2, col=1)
    return apply_theme(figure, theme)


def misranked(actual: np.ndarray, forecast: np.ndarray, n: int = EXTREME_PERIODS) -> np.ndarray:
    """True where a half-hour is among the day's ``n`` dearest or cheapest by one price and not the other."""
    def extremes(values: np.ndarray) -> np.ndarray:
        order = np.argsort(values, kind="stable")
        mask = np.zeros(len(values), dtype=bool)
        mask[order[:n]] = True
        mask[order[-n:]] = True
        return mask

    return extremes(actual) != extremes(forecast)


def day_frame(joined: pd.DataFrame, day: date) -> pd.DataFrame:
    """One day's rows: actual and forecast of the traded leg(s), realised and perfect cash, mis-ranked flag."""
    rows = joined[joined["settlement_date"] == day].copy()
    leg = "id" if rows["id_forecast"].notna().any() else "da"
    rows["actual"] = rows[f"{leg}_price"]
    rows["forecast"] = rows[f"{leg}_forecast"]
    rows["realised_cash_gbp"] = rows["da_cash_gbp"] + rows["id_cash_gbp"]
    rows["lost_gbp"] = rows["realised_cash_gbp"] - rows["perfect_cash_gbp"]
    rows["misranked"] = misranked(rows["actual"].to_numpy(float), rows["forecast"].to_numpy(float))
    return rows


def day_figure(joined: pd.DataFrame, day: date, theme: str | None, title: str) -> go.Figure:
    rows = day_frame(joined, day)
    starts = rows["interval_start_utc"]
    x = utc_axis(starts)
    text = hover_text(starts, rows["settlement_period"])
    figure = new_figure(theme, rows=2, cols=1, shared_xaxes=True, row_heights=[0.55, 0.45], vertical_spacing=0.08)
    for leg, colour, dash in (("da", "#ff7f0e", "dot"), ("id", "#1f77b4", "dot")):
        if rows[f"{leg}_forecast"].notna().any():
            figure.add_trace(go.Scatter(x=x, y=rows[f"{leg}_price"], name=f"{leg.upper()} actual £/MWh",
                                        line={"color": colour}, text=text, hovertemplate="%{text}: %{y:.2f}"),
                             row=1, col=1)
            figure.add_trace(go.Scatter(x=x, y=rows[f"{leg}_forecast"], name=f"{leg.upper()} forecast £/MWh",
                                        line={"color": colour, "dash": dash}, text=text,
                                        hovertemplate="%{text}: %{y:.2f}"), row=1, col=1)
    colours = np.where(rows["misranked"], "#d62728", "#9aa5b1")
    figure.add_trace(go.Bar(x=x, y=rows["lost_gbp"], name="Realised − perfect £ (red: forecast ranked it wrongly)",
                            marker_color=colours, text=text, hovertemplate="%{text}: £%{y:,.2f}"), row=2, col=1)
    figure.update_layout(title=plain_title(title))
    figure.update_yaxes(title_text="£/MWh", row=1, col=1)
    figure.update_yaxes(title_text="£ vs perfect", row=2, col=1)
    return apply_theme(figure, theme)


def _money(value) -> str:
    return "–" if value is None else f"£{value:,.0f}"


def summary_cards(summary: dict, net_gbp: float | None) -> dbc.Row:
    capture = summary.get("capture_ratio")
    cells = [("Forecaster", summary.get("forecaster", "")), ("Realised net revenue", _money(net_gbp)),
             ("Perfect-foresight net revenue", _money(summary.get("perfect_net_revenue_gbp"))),
             ("Capture ratio", "–" if capture is None else f"{capture:.1%}")]
    return dbc.Row([dbc.Col(dbc.Card(dbc.CardBody([html.Div(label, className="small text-body-secondary"),
                                                   html.Div(value, className="fs-5")])), md=3)
                    for label, value in cells], className="g-2 mb-2")


def quality_table(quality: list[dict]) -> dbc.Table | html.Div:
    if not quality:
        return html.Div()
    header = html.Thead(html.Tr([html.Th(h) for h in ("Leg", "Month", "MAE £/MWh", "RMSE £/MWh",
                                                       f"Top/bottom {EXTREME_PERIODS} MAE £/MWh", "Half-hours")]))
    def number(value) -> str:
        return "–" if value is None else f"{value:.2f}"

    body = html.Tbody([html.Tr([html.Td(q["leg"].upper()), html.Td(q["month"]), html.Td(number(q["mae"])),
                                html.Td(number(q["rmse"])), html.Td(number(q["extremes_mae"])),
                                html.Td(str(q["periods"]))]) for q in quality])
    return html.Div([html.H6("Forecast quality per month"),
                     dbc.Table([header, body], size="sm", striped=True, id="runs-forecast-quality-table")])
