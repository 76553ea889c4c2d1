"""Overview tiles: coverage, the last full day's prices, the latest optimisation run."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from domain.markets import MARKET_NAMES
from domain.settlement_time import format_local

GAPS_SHOWN = 12
"""Gaps listed per market before the rest are counted ("… and N more")."""


def coverage_card(rows) -> dbc.Card:
    """``rows``: CoverageRow-like objects (market, first/last date and period, intervals, ranges, gaps):
    per market its whole-day ranges and every gap (missing days and partial days), never one first–last span."""
    if not rows:
        body = html.P("No prices stored yet. Run `flask --app app demo load` to load the demo data.",
                      className="text-body-secondary mb-0")
    else:
        body = dbc.Table(
            [html.Thead(html.Tr([html.Th("Market"), html.Th("Covered (whole days)"), html.Th("Gaps"),
                                 html.Th("Last complete day"), html.Th("Half-hours")])),
             html.Tbody([
                 html.Tr([
                     html.Td(MARKET_NAMES.get(row.market, row.market)),
                     html.Td(_ranges_cell(row)),
                     html.Td(_gaps_cell(row), id=f"coverage-gaps-{row.market}"),
                     html.Td(_last_cell(row)),
                     html.Td(f"{row.intervals:,}", className="pd-num"),
                 ]) for row in rows
             ])],
            size="sm", borderless=True, className="mb-0",
        )
    return dbc.Card([dbc.CardHeader("Price coverage (settlement dates)"), dbc.CardBody(body)])


def _ranges_cell(row) -> list:
    ranges = getattr(row, "ranges", ())
    if not ranges:
        return [f"{row.first_date.isoformat()} SP{row.first_period} – {row.last_date.isoformat()} (no whole day)"]
    cell = []
    for first, last in ranges[:GAPS_SHOWN]:
        days = (last - first).days + 1
        cell += [f"{first.isoformat()} – {last.isoformat()} ({days:,} d)", html.Br()]
    if len(ranges) > GAPS_SHOWN:
        cell.append(f"… and {len(ranges) - GAPS_SHOWN} more ranges")
    return cell


def _gaps_cell(row) -> list:
    gaps = getattr(row, "gaps", ())
    if not gaps:
        return ["none"]
    cell = []
    for gap in gaps[:GAPS_SHOWN]:
        cell += [html.Span(gap.describe(), className="small"), html.Br()]
    if len(gaps) > GAPS_SHOWN:
        cell.append(html.Span(f"… and {len(gaps) - GAPS_SHOWN} more", className="small"))
    return cell


def _last_cell(row) -> list:
    """The last complete settlement day, and a trailing partial day said as partial."""
    complete = getattr(row, "last_complete_date", None)
    cell = [complete.isoformat() if complete else "none recent"]
    if getattr(row, "partial_date", None):
        cell += [html.Br(), html.Span(f"{row.partial_date.isoformat()} partial: {row.partial_periods} of "
                                      f"{row.partial_expected} periods", className="small text-body-secondary")]
    return cell


def day_summary_card(summaries) -> dbc.Card:
    """``summaries``: DaySummary-like objects for one settlement date [£/MWh]."""
    if not summaries:
        return dbc.Card([dbc.CardHeader("Latest day in the data"),
                         dbc.CardBody(html.P("No complete day of prices yet.", className="mb-0"))])
    day = summaries[0].settlement_date
    columns = []
    for summary in summaries:
        columns.append(dbc.Col(html.Div([
            html.Div(MARKET_NAMES.get(summary.market, summary.market), className="small-label text-body-secondary"),
            html.Div(f"£{summary.mean:,.2f}", className="display-value"),
            html.Div("mean £/MWh", className="small text-body-secondary mb-2"),
            html.Div(f"min £{summary.minimum:,.2f} (SP{summary.min_period}) · "
                     f"max £{summary.maximum:,.2f} (SP{summary.max_period})", className="small"),
            html.Div(f"spread £{summary.spread:,.2f} · {summary.intervals} periods", className="small"),
        ], className="pd-tile", id=f"overview-summary-{summary.market}"), md=6))
    return dbc.Card([dbc.CardHeader(f"Latest full day in the data: {day:%A %d %B %Y}"),
                     dbc.CardBody(dbc.Row(columns))])


def latest_run_card(run) -> dbc.Card:
    """``run``: an OptimisationRun-like object, or None."""
    if run is None:
        body = html.P("No optimisation runs yet.", className="text-body-secondary mb-0")
    else:
        totals = run.totals or {}
        net = totals.get("net_revenue_gbp")
        author = run.created_by.username if run.created_by else "unknown"
        body = html.Div([
            html.Div(run.name or f"Run #{run.id}", className="fw-semibold"),
            html.Div(f"{run.first_date.isoformat()} → {run.last_date.isoformat()} · {run.markets}",
                     className="small"),
            html.Div(f"Status: {run.status}", className="small"),
            html.Div(f"Net revenue £{net:,.0f}" if net is not None else "", className="display-value"),
            html.Div(f"by {author}, {format_local(run.created_at, with_period=False)}",
                     className="small text-body-secondary"),
            dcc.Link("Open the schedule →", href=f"/runs?run={run.id}", className="small"),
        ], className="pd-tile")
    return dbc.Card([dbc.CardHeader("Latest optimisation run"), dbc.CardBody(body)])
