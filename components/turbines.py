"""Turbines page builders: fleet tiles, KPI cards, history and power-curve figures, repair-log rows.

Pure: data in, Dash components or figures out. Colours use Bootstrap's subtle/emphasis pairs, so
tiles read well in light and dark mode alike.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
import plotly.graph_objects as go
from dash import html

from components.figures import SCATTERGL_POINTS, apply_theme
from domain.settlement_time import LONDON, settlement_periods_of
from domain.turbine_fleet import Ticket, repair_outcome

CONDITION_COLOURS = {"ok": "success", "broken": "danger", "stale": "warning", "no data": "secondary"}
CONDITION_LABELS = {"ok": "OK", "broken": "Broken", "stale": "Stale", "no data": "No data"}
TILE_ID_PREFIX = "turbine-tile-"
WIND_COLOUR, POWER_COLOUR, CURVE_COLOUR = "#0d6efd", "#fd7e14", "#6f42c1"
IMPLAUSIBLE_COLOUR = "#dc3545"


def local_clock(ts: datetime) -> str:
    """``14:02:03 GMT``: UK local wall-clock time of an aware instant."""
    return ts.astimezone(LONDON).strftime("%H:%M:%S %Z")


def age_text(seconds: float) -> str:
    if seconds < 0:
        return "just now"
    if seconds < 90:
        return f"{seconds:.0f} s ago"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min ago"
    if seconds < 172_800:
        return f"{seconds / 3600:.0f} h ago"
    return f"{seconds / 86400:.0f} days ago"


def duration_text(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{int(seconds // 60)} min {int(seconds % 60):02d} s"
    return f"{int(seconds // 3600)} h {int(seconds % 3600 // 60):02d} min"


def turbine_tile(state, now: datetime) -> dbc.Card:
    """One turbine: name, condition badge, wind, power, last seen and repair state."""
    colour = CONDITION_COLOURS.get(state.condition, "secondary")
    if state.last_seen is not None:
        wind = f"{state.wind_speed_m_per_s:.1f} m/s"
        power = f"{state.power_kw:,.0f} kW"
        seen = f"Last report {local_clock(state.last_seen)} · {age_text((now - state.last_seen).total_seconds())}"
    else:
        wind = power = "–"
        seen = "Has never reported"
    repair = state.repair_state
    plausibility = state.plausibility
    plausibility_line = (html.Div(f"⚠ Implausible: {plausibility}", className="small fw-semibold "
                                  "pd-plausibility text-warning-emphasis") if plausibility else None)
    ticket_line = html.Div(
        [html.Span(f"Ticket #{state.ticket.id}: ", className="fw-semibold"), repair] if state.ticket else "No open ticket",
        className="small pd-repair-state" + ("" if state.ticket else " text-body-secondary"))
    stale_note = (f" (last said {state.last_status})" if state.condition == "stale" and state.last_status else "")
    return dbc.Card(
        dbc.CardBody([
            # The badge wraps under the name when both do not fit: "Stale (last said broken)" cut the name
            # to "Be…" in a six-tile row.
            html.Div([
                html.Span(state.name, className="fw-semibold pd-turbine-name"),
                dbc.Badge(CONDITION_LABELS.get(state.condition, state.condition) + stale_note, color=colour,
                          className="pd-condition"),
            ], className="d-flex flex-wrap justify-content-between align-items-center column-gap-2 row-gap-1 mb-1"),
            html.Div(f"#{state.turbine_number} · {state.rated_power_kw / 1000:g} MW", className="small text-body-secondary"),
            html.Div([html.Span(wind, className="me-3"), html.Span(power)], className="pd-num text-start fs-5 my-1"),
            html.Div(seen, className="small"),
            plausibility_line,
            ticket_line,
        ], className="py-2 px-3"),
        id=f"{TILE_ID_PREFIX}{state.turbine_number}",
        className=f"pd-turbine pd-turbine-{state.condition.replace(' ', '-')} h-100 border-{colour} "
                  f"bg-{colour}-subtle text-{colour}-emphasis",
    )


def tiles_grid(states, now: datetime):
    if not states:
        return dbc.Alert(["No turbines registered. Run ", html.Code("flask --app app turbine demo"),
                          " or ", html.Code("flask --app app turbine add NUMBER"), "."], color="info")
    return dbc.Row([dbc.Col(turbine_tile(state, now), xs=12, sm=6, lg=4, xl=3, xxl=2, className="mb-2")
                    for state in states], className="g-2")


def kpi_cards(kpis) -> dbc.Row:
    values = [
        ("Availability (24 h)", "–" if kpis.availability_pct is None else f"{kpis.availability_pct:.1f} %",
         "share of reports that said ok"),
        ("Mean time to repair", duration_text(kpis.mean_time_to_repair_s), "ticket opened → repair done, 30 days"),
        ("Open tickets", f"{kpis.open_tickets}", "queued or being repaired"),
        ("Energy today", f"{kpis.energy_today_mwh:,.2f} MWh", "since UK midnight, all turbines"),
    ]
    return dbc.Row([
        dbc.Col(dbc.Card(dbc.CardBody(html.Div([
            html.Div(label, className="small-label text-body-secondary"),
            html.Div(value, className="display-value"),
            html.Div(note, className="small text-body-secondary"),
        ], className="pd-tile")), className="h-100"), md=3, className="mb-2") for label, value, note in values
    ], className="g-2", id="turbines-kpi-row")


def _plot_time(values):
    """UTC instants as naive UTC for plotly.js, which does not read UTC offsets in ranges."""
    if isinstance(values, pd.Timestamp):
        return values.tz_convert("UTC").tz_localize(None)
    return pd.DatetimeIndex(values).tz_convert("UTC").tz_localize(None)


def _time_axis(figure: go.Figure, start: pd.Timestamp, end: pd.Timestamp) -> None:
    """Ticks at round UTC minutes (UK offsets are whole hours), labelled in UK local time."""
    span_min = max((end - start).total_seconds() / 60, 1)
    step = next((s for s in (1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440) if span_min / s <= 10), 1440)
    ticks = pd.date_range(start.floor(f"{step}min"), end, freq=f"{step}min")
    ticks = ticks[ticks >= start]
    fmt = "%H:%M %Z" if span_min <= 1440 else "%d %b %H:%M"
    figure.update_xaxes(tickvals=list(_plot_time(ticks)), ticktext=[t.tz_convert(LONDON).strftime(fmt) for t in ticks],
                        title_text="UK local time", range=[_plot_time(start), _plot_time(end)])


def broken_bands(measured_at: pd.Series, is_broken: np.ndarray, end: pd.Timestamp,
                 max_gap_s: float | None = None) -> list[tuple]:
    """(start, end) instants of each run of broken reports. A run lasts until the next report, but
    no longer than ``max_gap_s`` after its last broken report (silence is not evidence)."""
    if len(measured_at) == 0:
        return []
    flags = np.asarray(is_broken, dtype=np.int8)
    edges = np.diff(np.concatenate([[0], flags, [0]]))
    starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    times = list(measured_at)
    bands = []
    for first, after in zip(starts, stops, strict=True):
        finish = times[after] if after < len(times) else end
        if max_gap_s is not None:
            finish = min(finish, times[after - 1] + pd.Timedelta(seconds=max_gap_s))
        bands.append((times[first], finish))
    return bands


def with_gaps(metrics: pd.DataFrame, max_gap_s: float | None) -> pd.DataFrame:
    """A blank row inside every silence longer than ``max_gap_s``, so lines break there."""
    if max_gap_s is None or len(metrics) < 2:
        return metrics
    gaps = metrics["measured_at"].diff().dt.total_seconds().to_numpy() > max_gap_s
    if not gaps.any():
        return metrics
    blanks = metrics.loc[gaps, ["measured_at"]].copy()
    blanks["measured_at"] = blanks["measured_at"] - pd.Timedelta(microseconds=1)
    return pd.concat([metrics, blanks]).sort_values("measured_at", kind="stable").reset_index(drop=True)


def history_figure(metrics: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp, theme: str | None,
                   title: str, max_points: int = 4000, max_gap_s: float | None = None) -> go.Figure:
    """Wind [m/s] and power [kW] over time on two axes, broken periods shaded red; lines and bands
    stop at silences longer than ``max_gap_s``."""
    figure = go.Figure()
    if not metrics.empty:
        bands = broken_bands(metrics["measured_at"], (metrics["status"] == "broken").to_numpy(), end, max_gap_s)
        step = max(1, len(metrics) // max_points)
        shown = with_gaps(metrics.iloc[::step], None if max_gap_s is None else max_gap_s * step)
        _, periods = settlement_periods_of(shown["measured_at"])
        local = pd.DatetimeIndex(shown["measured_at"]).tz_convert(LONDON).strftime("%a %d %b %H:%M:%S %Z")
        hover = [f"{text} · SP{period}" for text, period in zip(local, periods, strict=True)]
        x = _plot_time(shown["measured_at"])
        figure.add_trace(go.Scatter(x=x, y=shown["wind_speed_m_per_s"], name="Wind [m/s]",
                                    mode="lines", line={"color": WIND_COLOUR, "width": 1.4}, customdata=hover,
                                    hovertemplate="%{customdata}<br>%{y:.1f} m/s<extra>Wind</extra>"))
        figure.add_trace(go.Scatter(x=x, y=shown["power_kw"], name="Power [kW]", yaxis="y2",
                                    mode="lines", line={"color": POWER_COLOUR, "width": 1.4}, customdata=hover,
                                    hovertemplate="%{customdata}<br>%{y:,.0f} kW<extra>Power</extra>"))
        for first, last in bands[:200]:
            figure.add_vrect(x0=_plot_time(first), x1=_plot_time(last), fillcolor="#dc3545", opacity=0.18, line_width=0, layer="below")
        if bands:
            figure.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name="Broken",
                                        marker={"color": "#dc3545", "symbol": "square", "size": 12, "opacity": 0.4}))
    else:
        figure.add_annotation(text="No reports in this window", showarrow=False, x=0.5, y=0.5, xref="paper",
                              yref="paper")
    _time_axis(figure, start, end)
    figure.update_layout(title={"text": title, "x": 0, "font": {"size": 15}}, hovermode="x unified",
                         yaxis={"title": {"text": "Wind [m/s]"}, "rangemode": "tozero"},
                         yaxis2={"title": {"text": "Power [kW]"}, "overlaying": "y", "side": "right",
                                 "rangemode": "tozero", "showgrid": False})
    apply_theme(figure, theme)
    figure.update_layout(margin={"l": 60, "r": 70, "t": 50, "b": 50})
    return figure


def power_curve_figure(metrics: pd.DataFrame, curve: pd.DataFrame, rated_power_kw: float, theme: str | None,
                       title: str, max_points: int = 5000) -> go.Figure:
    """Reported power [kW] against wind [m/s] (ok reports), with the theoretical curve at this rating."""
    figure = go.Figure()
    ok = metrics[metrics["status"] == "ok"] if not metrics.empty else metrics
    if not ok.empty:
        shown = ok.iloc[:: max(1, len(ok) // max_points)]
        # WebGL only where SVG would be slow: without it (no GPU, remote desktops) the whole chart is replaced
        # by "WebGL is not supported by your browser".
        scatter = go.Scattergl if len(shown) > SCATTERGL_POINTS else go.Scatter
        figure.add_trace(scatter(x=shown["wind_speed_m_per_s"], y=shown["power_kw"], mode="markers",
                                 name="Reported (ok)", marker={"size": 4, "color": POWER_COLOUR, "opacity": 0.5},
                                 hovertemplate="%{x:.1f} m/s · %{y:,.0f} kW<extra></extra>"))
    flagged = ok[ok["plausibility"] != ""] if "plausibility" in ok else ok.iloc[0:0]
    if not flagged.empty:
        # Implausible reports are marked, not blended in with the rest.
        figure.add_trace(go.Scatter(x=flagged["wind_speed_m_per_s"], y=flagged["power_kw"], mode="markers",
                                    name=f"Implausible ({len(flagged):,})", customdata=flagged["plausibility"],
                                    marker={"size": 8, "symbol": "x", "color": IMPLAUSIBLE_COLOUR},
                                    hovertemplate="%{x:.1f} m/s · %{y:,.0f} kW<br>%{customdata}<extra></extra>"))
    figure.add_trace(go.Scatter(x=curve["wind_speed_m_per_s"], y=curve["power_share"] * rated_power_kw,
                                mode="lines", name="Theoretical (SCADA file)", line={"color": CURVE_COLOUR, "width": 2},
                                hovertemplate="%{x:.2f} m/s · %{y:,.0f} kW<extra>Theoretical</extra>"))
    figure.update_xaxes(title_text="Wind speed [m/s]", rangemode="tozero")
    figure.update_yaxes(title_text="Power [kW]", rangemode="tozero")
    figure.update_layout(title={"text": title, "x": 0, "font": {"size": 15}})
    return apply_theme(figure, theme)


def _local(ts: datetime | None) -> str:
    return ts.astimezone(LONDON).strftime("%Y-%m-%d %H:%M:%S %Z") if ts else ""


def repair_rows(tickets: list[Ticket], names: dict[int, str]) -> list[dict]:
    """AG Grid rows for the repair log (UK local times)."""
    rows = []
    for t in tickets:
        to_done = (t.completed_at - t.opened_at).total_seconds() if t.completed_at else None
        rows.append({
            "id": t.id, "row_id": str(t.id), "turbine": f"#{t.turbine_number} {names.get(t.turbine_number, '')}".strip(),
            "status": "failed again" if t.failed_again_at else t.status.replace("_", " "),
            "engineer": t.engineer or "",
            "incident": _local(t.incident_at), "opened": _local(t.opened_at), "assigned": _local(t.assigned_at),
            "started": _local(t.started_at), "completed": _local(t.completed_at),
            "resolved": repair_outcome(t) or _local(t.resolved_at),
            "repair_s": round(t.repair_s, 1) if t.repair_s is not None else None,
            "time_to_repair": duration_text(to_done) if to_done is not None else "",
        })
    return rows


def window_bounds(now: datetime, minutes: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    end = pd.Timestamp(now).tz_convert("UTC")
    return end - timedelta(minutes=minutes), end
