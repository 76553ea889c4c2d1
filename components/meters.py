"""Meters page builders: meter choices, the usage figure, the plan cost table and recommendations (pure)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
import plotly.graph_objects as go
from dash import html
from plotly.subplots import make_subplots

from components.figures import apply_theme, local_time_ticks
from domain.price_plans import WEEKDAYS, PricePlan
from domain.settlement_time import LONDON

if TYPE_CHECKING:
    from services.meters import MeterComparison, MeterListing

PENCE_PER_POUND = 100.0
MAX_RAW_POINTS = 8_000
"""Above this many readings the power chart shows daily mean and peak instead of every reading."""


def pounds(pence: float | None) -> str:
    """``£1,234.56``; ``−£0.40`` below zero; ``–`` for no value."""
    if pence is None:
        return "–"
    sign = "−" if round(pence / PENCE_PER_POUND, 2) < 0 else ""
    return f"{sign}£{abs(pence) / PENCE_PER_POUND:,.2f}"


def weekday_ranges(weekdays: list[int]) -> str:
    """``Mon–Fri`` for consecutive ISO weekdays, ``Sat, Sun``-style lists otherwise."""
    names = [WEEKDAYS[day - 1][:3] for day in sorted(weekdays)]
    consecutive = sorted(weekdays) == list(range(min(weekdays), max(weekdays) + 1))
    return f"{names[0]}–{names[-1]}" if consecutive and len(names) > 2 else ", ".join(names)


def meter_options(listings: list[MeterListing]) -> list[dict]:
    """Dropdown options ``Owner · meter id (N readings)``, by owner."""
    return [{"label": f"{m.owner or 'No owner'} · {m.meter_id} ({m.readings:,} readings)", "value": m.meter_id}
            for m in listings]


def plan_options(plans: list[PricePlan]) -> list[dict]:
    return [{"label": f"{p.plan_id} · {p.supplier}", "value": p.plan_id} for p in plans]


def describe_rate(plan: PricePlan) -> str:
    """``10.00 p/kWh; ×1.5 Mon–Fri`` or the tracker formula."""
    if plan.is_dynamic:
        cap = f"min({plan.rate_cap_p_per_kwh:g}, " if plan.rate_cap_p_per_kwh is not None else "("
        text = f"{cap}{plan.unit_rate_p_per_kwh:g} + {plan.day_ahead_multiplier:g} × day-ahead £/MWh ÷ 10) p/kWh"
    else:
        text = f"{plan.unit_rate_p_per_kwh:.2f} p/kWh"
    groups: dict[float, list[int]] = {}
    for weekday, multiplier in sorted(plan.peak_multipliers.items()):
        groups.setdefault(multiplier, []).append(int(weekday))
    for multiplier, days in groups.items():
        text += f"; ×{multiplier:g} {weekday_ranges(days)}"
    return text


def with_gap_breaks(times_s: np.ndarray, power_kw: np.ndarray,
                    max_gap_s: float | None) -> tuple[np.ndarray, np.ndarray]:
    """The readings with a NaN point inserted inside every gap longer than ``max_gap_s`` [s], so a line
    chart breaks there instead of drawing usage nobody measured."""
    times = np.asarray(times_s, dtype=np.int64)
    power = np.asarray(power_kw, dtype=float)
    if max_gap_s is None or times.size < 2:
        return times, power
    after = np.flatnonzero(np.diff(times) > max_gap_s)
    if after.size == 0:
        return times, power
    return np.insert(times, after + 1, times[after] + 1), np.insert(power, after + 1, np.nan)


def usage_figure(times_s: np.ndarray, power_kw: np.ndarray, daily_kwh: pd.Series, theme: str | None,
                 max_gap_s: float | None = None) -> go.Figure:
    """Readings [kW] above, energy per UK local day [kWh] below, on one UK-time axis. Gaps between readings
    longer than ``max_gap_s`` [s] show as breaks in the line (and days without readings as breaks too)."""
    figure = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.6, 0.4], vertical_spacing=0.06)
    instants = pd.to_datetime(np.asarray(times_s, dtype=np.int64), unit="s", utc=True)
    if instants.size > MAX_RAW_POINTS:
        # Years of half-hours would be megabytes of JSON: draw each UK day's mean and peak instead.
        power = pd.Series(np.asarray(power_kw, dtype=float), index=instants.tz_convert(LONDON))
        by_day = power.groupby(power.index.normalize()).agg(["mean", "max"])
        if max_gap_s is not None and len(by_day) > 1:
            # Days without a reading become NaN rows, so the daily lines break instead of bridging them.
            all_days = pd.date_range(by_day.index[0], by_day.index[-1], freq="D", tz=LONDON).normalize()
            by_day = by_day.reindex(all_days.unique())
        days = pd.DatetimeIndex(by_day.index)
        x, hover = (days + pd.Timedelta(hours=12)).tz_convert("UTC"), days.strftime("%a %d %b %Y")
        for column, name, colour in (("max", "Daily peak (kW)", "#6610f2"), ("mean", "Daily mean (kW)", "#0d6efd")):
            figure.add_trace(go.Scatter(
                x=x, y=by_day[column].to_numpy(), mode="lines", name=name, line={"width": 1.2, "color": colour},
                customdata=hover, hovertemplate="%{customdata}<br>%{y:.3f} kW<extra>" + name + "</extra>",
            ), row=1, col=1)
    else:
        gap_times, gap_power = with_gap_breaks(times_s, power_kw, max_gap_s)
        broken_instants = pd.to_datetime(gap_times, unit="s", utc=True)
        local = broken_instants.tz_convert(LONDON)
        figure.add_trace(go.Scatter(
            x=broken_instants, y=gap_power, mode="lines", name="Power (kW)", connectgaps=False,
            line={"width": 1.2, "color": "#0d6efd"},
            customdata=local.strftime("%a %d %b %Y %H:%M %Z"),
            hovertemplate="%{customdata}<br>%{y:.3f} kW<extra></extra>",
        ), row=1, col=1)
    if not daily_kwh.empty:
        midnights = pd.DatetimeIndex(daily_kwh.index).tz_localize(LONDON)
        noons = (midnights + pd.Timedelta(hours=12)).tz_convert("UTC")
        figure.add_trace(go.Bar(
            x=noons, y=daily_kwh.to_numpy(), name="Energy per day (kWh)", marker_color="#20c997",
            customdata=midnights.strftime("%a %d %b %Y"), hovertemplate="%{customdata}<br>%{y:.2f} kWh<extra></extra>",
        ), row=2, col=1)
    tickvals, ticktext = _time_ticks(instants)
    figure.update_xaxes(tickvals=tickvals, ticktext=ticktext, row=2, col=1, title_text="UK local time")
    figure.update_xaxes(tickvals=tickvals, ticktext=[""] * len(tickvals), row=1, col=1)
    figure.update_yaxes(title_text="kW", row=1, col=1, rangemode="tozero")
    figure.update_yaxes(title_text="kWh / day", row=2, col=1, rangemode="tozero")
    figure.update_layout(bargap=0.1)
    if len(times_s) == 0:
        figure.add_annotation(text="No readings", showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    return apply_theme(figure, theme)


def _time_ticks(instants: pd.DatetimeIndex) -> tuple[list, list[str]]:
    """Local-time ticks; over a quarter of a year, the first of each month or quarter, with its year."""
    if instants.size == 0 or instants[-1] - instants[0] <= pd.Timedelta(days=92):
        return local_time_ticks(instants)
    local = instants.tz_convert(LONDON)
    months = pd.date_range(local[0].normalize().replace(day=1), local[-1], freq="MS")
    months = months[months >= local[0]]
    step = 1 if len(months) <= 12 else 3
    chosen = months[months.month % step == 0] if step > 1 else months
    return [t.tz_convert("UTC") for t in chosen], [t.strftime("%b %Y") for t in chosen]


def summary_cards(comparison: MeterComparison) -> dbc.Row:
    first = pd.Timestamp(int(comparison.times_s[0]), unit="s", tz="UTC").tz_convert(LONDON)
    last = pd.Timestamp(int(comparison.times_s[-1]), unit="s", tz="UTC").tz_convert(LONDON)
    current = comparison.plans.get(comparison.current_plan_id or "")
    gaps = comparison.gap_intervals
    energy_note = ("trapezoid rule over the stored window" if not gaps else
                   f"known usage only: {gaps:,} gap(s) over {_gap_limit_text(comparison.max_gap_s)}, "
                   f"{comparison.gap_hours:,.1f} h in all, are unknown")
    cards = [
        ("Readings", f"{comparison.times_s.size:,}",
         f"{first:%d %b %Y %H:%M %Z} – {last:%d %b %Y %H:%M %Z}"),
        ("Energy", f"{comparison.energy_kwh:,.1f} kWh", energy_note),
        ("Current plan", current.plan_id if current else "none",
         current.supplier if current else "an admin can choose one below"),
        ("Saving from switching", *_saving_text(comparison)),
    ]
    return dbc.Row([dbc.Col(dbc.Card(dbc.CardBody([
        html.Div(label, className="small text-body-secondary"),
        html.Div(value, className="fs-5 fw-semibold"),
        html.Div(note, className="small text-body-secondary"),
    ])), md=3, className="mb-3") for label, value, note in cards])


def _gap_limit_text(max_gap_s: float | None) -> str:
    if max_gap_s is None:
        return "–"
    return f"{max_gap_s / 3600:g} h" if max_gap_s >= 3600 else f"{max_gap_s / 60:g} min"


def gap_note(comparison: MeterComparison) -> dbc.Alert | None:
    """Says that usage across gaps is unknown and not costed (None when the readings have no gap)."""
    if not comparison.gap_intervals:
        return None
    return dbc.Alert(
        f"{comparison.gap_intervals:,} gap(s) between readings are longer than "
        f"{_gap_limit_text(comparison.max_gap_s)} ({comparison.gap_hours:,.1f} h in all). The meter said nothing "
        "there, so the last reading is not carried across: the chart shows a gap, and that usage is unknown and "
        "left out of every plan's cost below (the costs cover the known usage only).",
        color="warning", className="small py-2 mb-2", id="meters-gap-note")


def _saving_text(comparison: MeterComparison) -> tuple[str, str]:
    current, best = comparison.current_cost, comparison.ranked[0] if comparison.ranked else None
    if comparison.current_plan_id is None or best is None:
        return "–", "no current plan to compare with"
    if current is None:
        return "–", "the current plan cannot be costed over the whole window"
    if current.plan_id == best.plan_id or comparison.saving_p <= 0:
        return "£0.00", "already on the cheapest plan"
    annual = None if current.annual_cost_p is None else current.annual_cost_p - best.annual_cost_p
    return pounds(comparison.saving_p), f"switching to {best.plan_id}; about {pounds(annual)} a year"


def cost_table(comparison: MeterComparison) -> html.Div:
    """Ranked plans cheapest first (current plan highlighted), then plans that could not be fully costed."""
    current = comparison.current_cost
    header = html.Thead(html.Tr([html.Th(t) for t in ("Plan", "Supplier", "Rate", "Stored window", "A year",
                                                      "vs current")]))
    rows = []
    for cost in comparison.ranked:
        plan = comparison.plans[cost.plan_id]
        is_current = cost.plan_id == comparison.current_plan_id
        difference = "" if current is None or is_current else pounds(cost.cost_p - current.cost_p)
        rows.append(html.Tr([
            html.Td([cost.plan_id, dbc.Badge("current", color="primary", className="ms-2") if is_current else None]),
            html.Td(plan.supplier), html.Td(describe_rate(plan), className="small"),
            html.Td(pounds(cost.cost_p)), html.Td(pounds(cost.annual_cost_p)), html.Td(difference),
        ], className="table-active fw-semibold" if is_current else None, id=f"meters-cost-row-{cost.plan_id}"))
    for cost in comparison.incomplete:
        plan = comparison.plans[cost.plan_id]
        is_current = cost.plan_id == comparison.current_plan_id
        rows.append(html.Tr([
            html.Td([cost.plan_id, dbc.Badge("current", color="primary", className="ms-2") if is_current else None]),
            html.Td(plan.supplier), html.Td(describe_rate(plan), className="small"),
            html.Td(_not_costed_text(cost), colSpan=3, className="text-body-secondary small"),
        ], className="table-active" if is_current else None, id=f"meters-cost-row-{cost.plan_id}"))
    return html.Div([gap_note(comparison),
                     dbc.Table([header, html.Tbody(rows)], size="sm", hover=True, responsive=True, className="mb-0")])


def _not_costed_text(cost) -> str:
    if cost.costed_energy_kwh <= 0:
        return "Not costed: no day-ahead prices are stored for these readings' half-hours."
    return (f"Not costed over the whole window: no day-ahead price for {cost.uncosted_intervals:,} of the "
            f"intervals. The {cost.costed_fraction:.0%} of the energy that has prices costs {pounds(cost.cost_p)}.")


def recommendation_list(comparison: MeterComparison) -> html.Ol:
    return html.Ol([
        html.Li([html.Span(cost.plan_id, className="fw-semibold"), f" · {comparison.plans[cost.plan_id].supplier}: ",
                 f"{pounds(cost.cost_p)} ({pounds(cost.annual_cost_p)} a year)"])
        for cost in comparison.ranked
    ], className="mb-0")
