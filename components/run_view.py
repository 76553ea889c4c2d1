"""Builders for one stored run's view: KPI cards, daily P&L, daily operation, SoC heatmap, details.

Pure: a run (an OptimisationRun-like object) and its intervals in, Dash components or Plotly
figures out. Every piece of user text (the run name) is passed as text, never as HTML: Dash
escapes component children, and chart titles go through ``plain_title`` first.
"""

from __future__ import annotations

import functools
import html as html_lib
from datetime import date

import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from dash import html
from plotly.subplots import make_subplots

from components.figures import MODEBAR, PLOTLY_TEMPLATES, round_overlay_ticks, shown_values, theme_name
from domain.run_status import finished_ok
from domain.settlement_time import LONDON, PERIOD_HOURS, format_local

DA_PRICE_COLOUR = "#0d6efd"
ID_PRICE_COLOUR = "#fd7e14"
DA_POSITION_COLOUR = "#6f42c1"
ID_POSITION_COLOUR = "#d63384"
PHYSICAL_COLOUR = "#868e96"
SOC_COLOUR = "#198754"
DEGRADATION_COLOUR = "#adb5bd"
CUMULATIVE_COLOUR = "#0dcaf0"
SHORT_RANGE_DAYS = 28
"""Below this many days a £/MW/yr figure is annualised from too little to lean on."""
BOUND_NOTE = "DA and ID traded at once with perfect foresight of both prices, same battery, day by day."
NAIVE_NOTE = "naive: DA only, charge in the cheapest hours, discharge in the dearest"


def utc_axis(starts) -> np.ndarray:
    """UTC instants as naive ``datetime64`` for a Plotly time axis.

    plotly.js draws wall-clock values and ignores zones, so every time axis here carries UTC and
    is labelled in UK time by its ticks (``components.schedule.zoom_ticks``) and hover labels.
    Plain numpy arrays also validate and serialise several times faster than Timestamp objects.
    """
    return pd.DatetimeIndex(starts).tz_convert("UTC").tz_localize(None).to_numpy()


WEEKDAYS = np.array(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])
MONTHS = np.array(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"])


def _local_parts(starts) -> tuple[pd.DatetimeIndex, np.ndarray, np.ndarray]:
    """Local GB times, their naive wall-clock values and zone names (GMT/BST), vectorised."""
    local = pd.DatetimeIndex(starts).tz_convert(LONDON)
    wall = local.tz_localize(None).to_numpy()
    offsets = (wall - pd.DatetimeIndex(starts).tz_convert("UTC").tz_localize(None).to_numpy())
    zones = np.where(offsets == np.timedelta64(0, "ns"), "GMT", "BST")
    return local, wall, zones


def local_time_text(starts) -> np.ndarray:
    """``2023-10-29 01:30 GMT`` for each UTC instant, without a Python loop per row."""
    _local, wall, zones = _local_parts(starts)
    minutes = np.char.replace(np.datetime_as_string(wall, unit="m"), "T", " ")
    return np.char.add(np.char.add(minutes, " "), zones)


def hover_text(starts, periods) -> np.ndarray:
    """``Sun 29 Oct 01:30 GMT · SP4`` for each interval, vectorised (the shared ``hover_labels``
    formats one Timestamp at a time, too slow for a season of half-hours)."""
    local, wall, zones = _local_parts(starts)
    clock = np.char.partition(np.datetime_as_string(wall, unit="m"), "T")[:, 2]
    day = np.char.zfill(local.day.to_numpy().astype(str), 2)
    parts = [WEEKDAYS[local.day_of_week.to_numpy()], " ", day, " ", MONTHS[local.month.to_numpy() - 1], " ", clock, " ",
             zones, " · SP", np.asarray(periods).astype(int).astype(str)]
    text = parts[0]
    for part in parts[1:]:
        text = np.char.add(text, part)
    return text


def text_array(labels) -> np.ndarray:
    """Hover labels as a numpy string array (cheap for Plotly to validate, unlike a list)."""
    return np.asarray(list(labels), dtype=str)


@functools.cache
def _layout_template(theme: str) -> dict:
    """The layout half of Plotly's template for a colour mode (what the charts here use of it).

    Copying Plotly's whole named template into every figure cost about as much as building the
    run view's figures themselves; every trace here sets its own colours."""
    return {"layout": pio.templates[PLOTLY_TEMPLATES[theme]].layout.to_plotly_json()}


def new_figure(theme: str | None, **subplots) -> go.Figure:
    """An empty figure in the colour mode's template; ``subplots`` are ``make_subplots`` arguments."""
    figure = go.Figure(layout={"template": _layout_template(theme_name(theme))})
    if subplots:
        make_subplots(figure=figure, **subplots)
    return figure


def apply_theme(figure: go.Figure, theme: str | None) -> go.Figure:
    """Like ``components.figures.apply_theme`` (transparent background, toolbar colours, margins),
    for figures made by ``new_figure``, whose template is already the colour mode's."""
    figure.update_layout(paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)",
                         margin={"l": 60, "r": 20, "t": 40, "b": 50}, legend={"orientation": "h", "y": 1.08, "x": 0},
                         modebar=MODEBAR[theme_name(theme)])
    return round_overlay_ticks(figure)


def plain_title(text: str) -> str:
    """``text`` escaped for a Plotly title, which would otherwise render HTML-like tags."""
    return html_lib.escape(text, quote=False)


def run_label(run) -> str:
    """``Run #7: my name`` (plain text)."""
    return f"Run #{run.id}" + (f": {run.name}" if run.name else "")


def no_figure() -> dict:
    """An empty figure with no axes, for places that must hold a figure but have nothing to show."""
    return {"data": [], "layout": {"xaxis": {"visible": False}, "yaxis": {"visible": False},
                                   "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)",
                                   "height": 40, "margin": {"l": 0, "r": 0, "t": 0, "b": 0}}}


# --- KPI cards -------------------------------------------------------------------------------------

def _card(label: str, value: str, note, card_id: str, warning: str | None = None) -> dbc.Col:
    children = [
        html.Div(label, className="small-label text-body-secondary"),
        html.Div(value, className="display-value"),
        html.Div(note, className="small text-body-secondary"),
    ]
    if warning:
        children.append(html.Div(["⚠ ", warning], className="small text-warning-emphasis", id=f"{card_id}-warning"))
    return dbc.Col(html.Div(children, className="pd-tile h-100", id=card_id), xs=6, md=3, xl=3, className="mb-3")


def money(value: float | None) -> str:
    """Whole pounds with a sign for negatives: ``£12,345`` / ``−£1,200``."""
    if value is None:
        return "n/a"
    return f"{'−' if value < -0.5 else ''}£{abs(value):,.0f}"


def percent(fraction: float | None) -> str:
    """One decimal everywhere a share is shown (``35.0%`` beside ``41.4%``)."""
    return "n/a" if fraction is None else f"{fraction * 100:.1f}%"


def capture_ratio(net: float, bound: float | None) -> float | None:
    """``net`` as a fraction of ``bound`` [-], or None when the bound is missing or not positive."""
    if bound is None or bound <= 0:
        return None
    return net / bound


def kpi_cards(run, partial: bool = False) -> dbc.Row | dbc.Alert:
    """The headline figures of a finished run, or its status and message when it has no schedule.
    ``partial``: the totals of the days a stopped run solved and kept (shown whatever its status)."""
    totals = run.totals
    if not totals or not (partial or finished_ok(run.status)):
        return dbc.Alert([html.Strong(f"Run #{run.id}: {run.status}. "), run.message or "It has no schedule."],
                         color="warning", id="run-kpi-status")
    baselines = totals.get("baselines") or {}
    net = totals["net_revenue_gbp"]
    bound = baselines.get("joint_net_revenue_gbp")
    naive = baselines.get("naive_net_revenue_gbp")
    capture = capture_ratio(net, bound)
    days = int(totals.get("days") or 0)
    short = (f"annualised from {days} day{'s' if days != 1 else ''} only: seasonal prices make this indicative"
             if days < SHORT_RANGE_DAYS else None)
    uplift = None if naive is None else net - naive
    uplift_note = NAIVE_NOTE if naive is None or naive <= 0 else f"{percent(uplift / naive)} over {NAIVE_NOTE}"
    discharged = totals.get("discharged_mwh", 0.0)
    return dbc.Row([
        _card("Net revenue", money(net), "DA + ID − degradation", "run-kpi-net"),
        _card("Day-ahead", money(totals["da_revenue_gbp"]), "revenue", "run-kpi-da"),
        _card("Intraday", money(totals["id_revenue_gbp"]), "revenue", "run-kpi-id"),
        _card("Degradation", money(totals["degradation_cost_gbp"]), f"cost of {discharged:,.0f} MWh discharged",
              "run-kpi-degradation"),
        _card("Cycles", f"{totals['cycles']:,.1f}", f"{totals['cycles'] / days:,.2f} a day over {days} day{'' if days == 1 else 's'}"
              if days else "", "run-kpi-cycles"),
        _card("Per MW-year", money(totals["net_revenue_gbp_per_mw_year"]), "£/MW/yr: net revenue per MW over 365 days",
              "run-kpi-per-mw-year", warning=short),
        _card("Capture", percent(capture), [f"of the perfect-foresight bound ({money(bound)}). ", BOUND_NOTE],
              "run-kpi-capture"),
        _card("Uplift", money(uplift), uplift_note, "run-kpi-uplift"),
    ], className="g-3")


# --- Daily revenue ---------------------------------------------------------------------------------

def daily_pnl(intervals: pd.DataFrame, degradation_gbp_per_mwh: float) -> pd.DataFrame:
    """Per settlement date: DA and ID cash, degradation cost (negative), net and cumulative net [£]."""
    discharged_mwh = intervals["discharge_mw"] * PERIOD_HOURS
    frame = pd.DataFrame({
        "settlement_date": intervals["settlement_date"],
        "da_gbp": intervals["da_cash_gbp"],
        "id_gbp": intervals["id_cash_gbp"],
        "degradation_gbp": -degradation_gbp_per_mwh * discharged_mwh,
    })
    daily = frame.groupby("settlement_date", sort=True).sum()
    daily["net_gbp"] = daily[["da_gbp", "id_gbp", "degradation_gbp"]].sum(axis=1)
    daily["cumulative_gbp"] = daily["net_gbp"].cumsum()
    return daily


def degradation_rate(run) -> float:
    """The run's degradation cost [£/MWh discharged] from its stored parameters."""
    return float(((run.params or {}).get("battery") or {}).get("degradation_cost_gbp_per_mwh") or 0.0)


DAY_MS = 86_400_000
"""One settlement date on a Plotly date axis [ms]."""


def _consecutive(dates) -> bool:
    """Whether ``dates`` (sorted ``date`` objects) follow one another a day apart, none missing."""
    days = np.asarray(dates, dtype="datetime64[D]").astype(np.int64)
    return len(days) < 2 or bool(np.all(np.diff(days) == 1))


def daily_revenue_figure(intervals: pd.DataFrame, degradation_gbp_per_mwh: float, theme: str | None,
                         title: str = "", skipped: tuple | list = ()) -> go.Figure:
    """Daily revenue bars split by market, degradation below zero, cumulative net P&L on a second axis;
    ``skipped`` settlement dates (no prices, battery idle) are marked on the zero line."""
    figure = new_figure(theme, rows=1, cols=1, specs=[[{"secondary_y": True}]])
    daily = daily_pnl(intervals, degradation_gbp_per_mwh)
    label_format = "%a %d %b" if len(daily) <= 60 else "%d %b %Y"
    # A long run's every date goes on a date axis as ``x0`` + one day a bar: its 2,344 date labels, once per
    # trace, were a fifth of the page. Up to 60 dates (or with a date missing) one category per settlement date.
    by_date = len(daily) > 60 and _consecutive(daily.index)
    if by_date:
        dates = None
        spacing = {"x0": daily.index[0].isoformat(), "dx": DAY_MS}
    else:
        dates = [d.strftime(label_format) for d in daily.index]  # one category per settlement date: no 12-hour ticks
        spacing = {}
    for column, name, colour in (("da_gbp", "DA revenue", DA_POSITION_COLOUR), ("id_gbp", "ID revenue",
                                 ID_POSITION_COLOUR), ("degradation_gbp", "Degradation", DEGRADATION_COLOUR)):
        y = shown_values(daily[column], 2) if by_date else daily[column].round(2)
        figure.add_trace(go.Bar(x=dates, y=y, name=name, marker_color=colour, **spacing,
                                hovertemplate="%{x}<br>£%{y:,.0f}<extra>" + name + "</extra>"), secondary_y=False)
    cumulative = shown_values(daily["cumulative_gbp"], 2) if by_date else daily["cumulative_gbp"].round(2)
    figure.add_trace(go.Scatter(x=dates, y=cumulative, name="Cumulative net P&L", **spacing,
                                mode="lines+markers", line={"color": CUMULATIVE_COLOUR, "width": 2.5},
                                hovertemplate="%{x}<br>£%{y:,.0f}<extra>Cumulative</extra>"), secondary_y=True)
    if skipped:
        marked = [d.isoformat() if by_date else d.strftime(label_format) for d in daily.index if d in set(skipped)]
        figure.add_trace(go.Scatter(x=marked, y=[0] * len(marked), name="Skipped: no prices (idle)", mode="markers",
                                    marker={"symbol": "x", "size": 9, "color": DEGRADATION_COLOUR},
                                    hovertemplate="%{x}<br>skipped: no prices, battery idle<extra></extra>"),
                         secondary_y=False)
    figure.update_layout(barmode="relative", hovermode="x unified",
                         title={"text": plain_title(title), "x": 0, "font": {"size": 15}})
    if by_date:
        figure.update_xaxes(type="date", title_text="Settlement date", tickformat=label_format,
                            hoverformat="%a %d %b %Y")
    else:
        figure.update_xaxes(type="category", title_text="Settlement date")
    figure.update_yaxes(title_text="£ per day", tickprefix="£", tickformat=",.0f", secondary_y=False)
    figure.update_yaxes(title_text="Cumulative £", tickprefix="£", tickformat=",.0f", secondary_y=True,
                        showgrid=False, rangemode="tozero")
    figure.update_yaxes(rangemode="tozero", secondary_y=False)
    apply_theme(figure, theme)
    figure.update_layout(legend={"orientation": "h", "y": -0.2, "x": 0}, margin={"t": 50, "b": 90})
    return figure


# --- Daily operation -------------------------------------------------------------------------------

def settlement_days(intervals: pd.DataFrame) -> list[date]:
    return sorted(set(intervals["settlement_date"])) if not intervals.empty else []


def day_options(intervals: pd.DataFrame) -> list[dict]:
    """Dropdown options, one per settlement date, naming 46/50-period days."""
    counts = intervals.groupby("settlement_date")["settlement_period"].max() if not intervals.empty else {}
    options = []
    for day in settlement_days(intervals):
        periods = int(counts[day])
        note = f" · {periods} periods (clocks change)" if periods != 48 else ""
        options.append({"label": f"{day:%a %d %b %Y}{note}", "value": day.isoformat()})
    return options


def daily_operation_figure(intervals: pd.DataFrame, day: date, theme: str | None, title: str = "") -> go.Figure:
    """One settlement day on a settlement-period axis labelled in UK local time.

    Top: signed DA and ID positions stacked [MW] (net sales: above zero sells), the physical net
    flow (discharge − charge) [MW], DA and ID prices on a second axis [£/MWh]. Bottom: SoC at the
    end of each period [MWh]. A spring clock-change day has 46 periods, an autumn one 50.
    """
    frame = intervals[intervals["settlement_date"] == day]
    figure = new_figure(theme, rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08, row_heights=[0.68, 0.32],
                        specs=[[{"secondary_y": True}], [{}]])
    periods = [int(p) for p in frame["settlement_period"]]  # a plain list: 46-50 values, read as-is by plotly.js
    local = pd.DatetimeIndex(frame["interval_start_utc"]).tz_convert(LONDON)
    times = [t.strftime("%H:%M %Z") for t in local]
    hover = [f"SP{p} · {t}" for p, t in zip(periods, times, strict=True)]

    def bar(values, name, colour):
        figure.add_trace(go.Bar(x=periods, y=np.round(values, 3), name=name, marker_color=colour, customdata=hover,
                                hovertemplate="%{customdata}<br>%{y:,.1f} MW<extra>" + name + "</extra>"),
                         row=1, col=1, secondary_y=False)

    def line(values, name, colour, secondary, dash=None, row=1, unit="£/MWh"):
        figure.add_trace(go.Scatter(x=periods, y=np.round(values, 3), name=name, mode="lines",
                                    line={"color": colour, "width": 2, "dash": dash, "shape": "hvh"},
                                    customdata=hover,
                                    hovertemplate="%{customdata}<br>%{y:,.2f} " + unit + "<extra>" + name + "</extra>"),
                         row=row, col=1, **({"secondary_y": secondary} if row == 1 else {}))

    bar(frame["da_sell_mw"] - frame["da_buy_mw"], "DA position (MW, + sells)", DA_POSITION_COLOUR)
    bar(frame["id_sell_mw"] - frame["id_buy_mw"], "ID position (MW, + sells)", ID_POSITION_COLOUR)
    line(frame["discharge_mw"] - frame["charge_mw"], "Physical net flow (MW, + exports)", PHYSICAL_COLOUR, False,
         unit="MW")
    line(frame["da_price"], "DA price (£/MWh)", DA_PRICE_COLOUR, True, dash="dot")
    line(frame["id_price"], "ID price (£/MWh)", ID_PRICE_COLOUR, True, dash="dash")
    line(frame["soc_mwh"].clip(lower=0), "SoC (MWh, end of period)", SOC_COLOUR, False, row=2, unit="MWh")
    step = 4
    tick_periods = [p for p in periods if (p - 1) % step == 0]
    tick_text = [f"SP{p}<br>{times[i]}" for i, p in enumerate(periods) if (p - 1) % step == 0]
    figure.update_xaxes(tickmode="array", tickvals=tick_periods, ticktext=tick_text, range=[0.5, len(periods) + 0.5])
    figure.update_xaxes(title_text="Settlement period (UK local time)", row=2, col=1)
    figure.update_yaxes(title_text="MW", row=1, col=1, secondary_y=False, zeroline=True)
    figure.update_yaxes(title_text="£/MWh", row=1, col=1, secondary_y=True, showgrid=False)
    figure.update_yaxes(title_text="SoC MWh", row=2, col=1, rangemode="tozero")
    full_title = f"{title} · {day:%a %d %b %Y} · {len(periods)} settlement periods" if title else \
        f"{day:%a %d %b %Y} · {len(periods)} settlement periods"
    figure.update_layout(barmode="relative", hovermode="x unified", bargap=0.15,
                         title={"text": plain_title(full_title), "x": 0, "font": {"size": 15}})
    apply_theme(figure, theme)
    figure.update_layout(legend={"orientation": "h", "y": -0.3, "x": 0}, margin={"t": 50, "b": 130})
    return figure


# --- SoC heatmap -----------------------------------------------------------------------------------

def soc_matrix(intervals: pd.DataFrame) -> pd.DataFrame:
    """SoC [MWh] with one row per settlement date and one column per settlement period (1..48 or 50).

    Periods a date does not have (47 and 48 on the spring clock-change day) are NaN.
    """
    matrix = intervals.pivot(index="settlement_date", columns="settlement_period", values="soc_mwh")
    width = max(48, int(matrix.columns.max()) if len(matrix.columns) else 48)
    return matrix.reindex(columns=range(1, width + 1)).clip(lower=0).round(3)


HEATMAP_MAX_ROWS = 400
"""Beyond this many settlement dates the heatmap shows each period's mean SoC over blocks of consecutive
dates: a 900-pixel-high chart cannot show 2,344 rows, and sending them cost 1 MB."""


def _date_blocks(matrix: pd.DataFrame) -> tuple[np.ndarray, list[str], str]:
    """The matrix's values, row labels and hover template; rows averaged over blocks when there are many."""
    dates = list(matrix.index)
    if len(dates) <= HEATMAP_MAX_ROWS:
        return matrix.to_numpy(), [d.isoformat() for d in dates], "%{y} SP%{x}<br>SoC %{z:,.1f} MWh<extra></extra>"
    size = -(-len(dates) // HEATMAP_MAX_ROWS)
    block = np.arange(len(dates)) // size
    means = matrix.groupby(block).mean().round(1)  # NaN (a missing period) is left out of a block's mean
    labels = [f"{dates[i].isoformat()} – {dates[min(i + size, len(dates)) - 1].isoformat()}"
              for i in range(0, len(dates), size)]
    return means.to_numpy(), labels, f"%{{y}} SP%{{x}}<br>mean SoC over {size} days %{{z:,.1f}} MWh<extra></extra>"


def soc_heatmap_figure(intervals: pd.DataFrame, theme: str | None, title: str = "") -> go.Figure:
    """Settlement date × settlement period, coloured by SoC at the end of the period [MWh] (mean over
    blocks of consecutive dates beyond ``HEATMAP_MAX_ROWS`` dates)."""
    matrix = soc_matrix(intervals)
    z, rows, hover = _date_blocks(matrix)
    figure = new_figure(theme)
    # 4 bytes a cell where float32 keeps the SoC to the 0.001 MWh shown: half the largest payload of a long run.
    figure.add_trace(go.Heatmap(
        z=shown_values(z, 3), x=list(matrix.columns), y=rows,
        colorscale="Viridis", colorbar={"title": {"text": "MWh"}}, hoverongaps=False,
        hovertemplate=hover,
    ))
    figure.update_xaxes(title_text="Settlement period", tickmode="array", tickvals=list(range(1, 51, 4)),
                        range=[0.5, matrix.shape[1] + 0.5])
    figure.update_yaxes(title_text="Settlement date", autorange="reversed", type="category")
    figure.update_layout(title={"text": plain_title(title), "x": 0, "font": {"size": 15}})
    apply_theme(figure, theme)
    figure.update_layout(height=max(320, min(900, 120 + 18 * len(rows))), margin={"t": 50, "b": 50})
    return figure


# --- Details ---------------------------------------------------------------------------------------

PARAMETER_LABELS = {
    "power_mw": "Power (MW)", "energy_mwh": "Energy (MWh)", "charge_efficiency": "Charge efficiency (%)",
    "discharge_efficiency": "Discharge efficiency (%)", "soc_min_frac": "SoC minimum (%)",
    "soc_max_frac": "SoC maximum (%)", "initial_soc_frac": "Initial SoC (%)",
    "terminal_soc": "Terminal SoC policy", "max_cycles_per_day": "Cycle limit (per day)",
    "degradation_cost_gbp_per_mwh": "Degradation (£/MWh discharged)", "import_limit_mw": "Grid import limit (MW)",
    "export_limit_mw": "Grid export limit (MW)", "carbon_price_gbp_per_tco2": "Carbon price (£/tCO2)",
    "time_limit_s": "Solver time limit per day (s)", "mip_gap": "MIP gap (%)", "always_binary": "Always use binaries",
}


PERCENT_PARAMETERS = frozenset({"charge_efficiency", "discharge_efficiency", "soc_min_frac", "soc_max_frac",
                                "initial_soc_frac", "mip_gap"})
"""Parameters stored as fractions (0–1) and shown, like the New run form takes them, in %."""


def flat_parameters(run) -> dict[str, object]:
    """The run's parameters as one flat mapping: dates, markets, battery and solver settings."""
    params = run.params or {}
    flat: dict[str, object] = {"Settlement dates": f"{run.first_date.isoformat()} → {run.last_date.isoformat()}",
                               "Markets": run.markets}
    for section in ("battery", "solver"):
        for key, value in (params.get(section) or {}).items():
            if key in PERCENT_PARAMETERS and isinstance(value, int | float):
                value = float(f"{value * 100:.10g}")  # stored as a fraction, shown in % as the form takes it
            flat[PARAMETER_LABELS.get(key, key.replace("_", " "))] = value
    return flat


def _value_text(value) -> str:
    if value is None:
        return "none"
    if isinstance(value, float):
        return f"{value:,.4g}"
    return str(value)


def _table(rows: list[tuple[str, str]], table_id: str) -> dbc.Table:
    return dbc.Table(html.Tbody([html.Tr([html.Th(k, className="fw-normal text-body-secondary"), html.Td(v)])
                                 for k, v in rows]), size="sm", borderless=True, className="mb-0", id=table_id)


def details_card(run) -> dbc.Row:
    """Parameters, solver status and gap, timings, and the price data the run read."""
    stats = run.solver_stats or {}
    gap = stats.get("max_mip_gap")
    solver_rows = [
        ("Status", run.status), ("Message", run.message or "—"),
        ("Solver", str(stats.get("solver", "—"))),
        ("Largest MIP gap left", "none (every day optimal)" if gap is None else f"{gap:.4%}"),
        ("Days solved with binaries", str(len(stats.get("binary_days") or []))),
        ("Build / solve / total (s)", " / ".join(f"{stats[k]:.2f}" if stats.get(k) is not None else "—"
                                                 for k in ("build_seconds", "solve_seconds", "total_seconds"))),
        ("Queued", format_local(run.created_at, with_period=False)),
        ("Started", format_local(run.started_at, with_period=False) if run.started_at else "—"),
        ("Finished", format_local(run.finished_at, with_period=False) if run.finished_at else "—"),
        ("Prices as of", format_local(run.created_at, with_period=False) + " (read when the run was queued)"),
        ("Input fingerprint", html.Code(run.input_fingerprint or "—", className="small text-break")),
        ("By", run.created_by.username if getattr(run, "created_by", None) else "command line"),
    ]
    parameter_rows = [(k, _value_text(v)) for k, v in flat_parameters(run).items()]
    return dbc.Row([
        dbc.Col([html.H6("Parameters"), _table(parameter_rows, "run-details-parameters")], md=6),
        dbc.Col([html.H6("Solver and data"), _table(solver_rows, "run-details-solver")], md=6),
    ])


# --- Intervals grid and CSV ------------------------------------------------------------------------

MW_COLUMNS = ("da_buy_mw", "da_sell_mw", "id_buy_mw", "id_sell_mw", "charge_mw", "discharge_mw", "soc_mwh")
MONEY_COLUMNS = ("da_cash_gbp", "id_cash_gbp", "da_price", "id_price")


def rounded_intervals(intervals: pd.DataFrame) -> pd.DataFrame:
    """Values as a trader reads them: MW and MWh to 3 decimals, £ and £/MWh to 2; solver noise
    (SoC −1.5e-14, 7091.750000000001) gone, and no negative zeros."""
    frame = intervals.copy()
    for column in MW_COLUMNS:
        if column in frame:
            frame[column] = frame[column].astype(float).round(3) + 0.0
    if "soc_mwh" in frame:
        frame["soc_mwh"] = frame["soc_mwh"].clip(lower=0.0)
    for column in MONEY_COLUMNS:
        if column in frame:
            frame[column] = frame[column].astype(float).round(2) + 0.0
    return frame


def intervals_export(intervals: pd.DataFrame) -> pd.DataFrame:
    """The intervals, rounded, with UK local time beside UTC, for the grid and CSV export."""
    export = rounded_intervals(intervals)
    starts = pd.DatetimeIndex(export["interval_start_utc"])
    export.insert(1, "local_time", local_time_text(starts))
    export["interval_start_utc"] = np.char.add(np.datetime_as_string(utc_axis(starts), unit="s"), "+00:00")
    export["settlement_date"] = [d.isoformat() for d in export["settlement_date"]]
    return export
