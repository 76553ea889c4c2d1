"""Builders for a stored run's schedule over its whole range, and the runs-grid rows.

The schedule figure's time axis is true UTC instants labelled in UK local time; ``zoom_ticks``
relabels it for whatever range the user zooms to (hours and settlement periods within a day).
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from components.figures import shown_values
from components.run_view import (
    DA_POSITION_COLOUR,
    DA_PRICE_COLOUR,
    ID_POSITION_COLOUR,
    ID_PRICE_COLOUR,
    PHYSICAL_COLOUR,
    SOC_COLOUR,
    apply_theme,
    capture_ratio,
    hover_text,
    intervals_export,
    new_figure,
    plain_title,
    utc_axis,
)
from domain.decimate import CHART_COLUMNS, min_max_indices
from domain.settlement_time import LONDON, PERIOD_HOURS, format_local, settlement_periods_of

__all__ = ["capture_ratio", "epoch_ms", "intervals_export", "line_detail", "run_rows", "schedule_figure", "zoom_ticks"]

DAILY_POSITIONS_AFTER_DAYS = 7
"""Longer ranges show positions as daily energy: 30 days of half-hour bars read as a barcode."""
WEEKLY_POSITIONS_AFTER_DAYS = 400
"""Longer ranges show them as weekly energy: more bars than the chart has pixel columns say nothing more."""


def zoom_ticks(start, end) -> tuple[list[pd.Timestamp], list[str]]:
    """Tick positions (UTC instants) and UK-time labels for the range ``start``..``end`` shown.

    Within 12 hours: every half hour (or hour) with its settlement period; within 2 days every 3
    hours and within 5 days every 6 (labels carry the settlement period); longer: local midnights,
    thinned to about 10 labels.
    """
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    start = start.tz_localize("UTC") if start.tzinfo is None else start.tz_convert("UTC")
    end = end.tz_localize("UTC") if end.tzinfo is None else end.tz_convert("UTC")
    if end <= start:
        return [], []
    span = end - start
    grid = pd.date_range(start.ceil("30min"), end, freq="30min")
    if len(grid) == 0:
        return [], []
    local = grid.tz_convert(LONDON)
    _dates, periods = settlement_periods_of(grid)
    periods = np.asarray(periods)
    hours, minutes = local.hour.to_numpy(), local.minute.to_numpy()
    clock = np.char.partition(np.datetime_as_string(local.tz_localize(None).to_numpy(), unit="m"), "T")[:, 2]
    sp = np.char.add("SP", periods.astype(str))
    if span <= timedelta(hours=12):
        every = 1 if span <= timedelta(hours=6) else 2
        chosen = np.flatnonzero(periods % every == 1 % every)
        labels = list(np.char.add(np.char.add(clock[chosen], "<br>"), sp[chosen]))
    elif span <= timedelta(days=5):
        every_hours = 3 if span <= timedelta(days=2) else 6
        chosen = np.flatnonzero((minutes == 0) & (hours % every_hours == 0))
        labels = [(f"{local[i]:%a %d %b}<br>" if hours[i] == 0 else "") + f"{clock[i]} {sp[i]}" for i in chosen]
    else:
        midnights = np.flatnonzero((hours == 0) & (minutes == 0))
        step = -(-len(midnights) // 10) if len(midnights) > 10 else 1
        chosen = midnights[::step]
        labels = [f"{local[i]:%a %d %b}" for i in chosen]
    return list(grid.tz_localize(None)[chosen]), [str(label) for label in labels]


LINE_SERIES = (("da_price", "DA price", 1), ("id_price", "ID price", 1), ("soc_mwh", "SoC (MWh)", 3))
"""The whole-range chart's lines that are decimated (column, trace name, panel); the bars are per day."""
LINE_DECIMALS = {"DA price": 2, "ID price": 2, "SoC (MWh)": 3}
"""What a decimated line's values are rounded to: prices to the penny shown, SoC to 0.001 MWh."""


DAILY_LINE_TRACES = {"DA price": 0, "ID price": 1, "SoC (MWh)": 6}
"""Where the decimated lines sit in the figure of a run longer than ``DAILY_POSITIONS_AFTER_DAYS``:
the two price lines, then the four daily bars, then SoC."""


def epoch_ms(x) -> np.ndarray:
    """Naive UTC ``datetime64`` values as float milliseconds since 1970 for a Plotly ``type="date"`` axis.

    Plotly sends a float array as 8 bytes a value (base64, 10.7 characters), where a datetime array goes as
    ``"2017-01-01T00:30:00.000000000"`` (29); every half-hour instant is exact in milliseconds. The axis must
    say ``type="date"``: numbers alone would make Plotly guess a linear axis."""
    return np.asarray(x, dtype="datetime64[ms]").astype(np.int64).astype(np.float64)


def _line_values(intervals: pd.DataFrame, column: str) -> np.ndarray:
    values = intervals[column].to_numpy(dtype=float)
    return np.clip(values, 0, None) if column == "soc_mwh" else values


def line_detail(intervals: pd.DataFrame, start=None, end=None, columns: int = CHART_COLUMNS) -> dict[str, dict]:
    """Per decimated line (trace name): ``x``, ``y`` and ``customdata`` over ``start``..``end`` (UTC; the
    whole run when None), min/max-decimated to ``columns`` pixel columns: the full half-hourly detail
    once the range holds at most ``2 * columns`` intervals (about 41 days at the default)."""
    starts = pd.DatetimeIndex(intervals["interval_start_utc"])
    chosen = np.ones(len(starts), dtype=bool)
    if start is not None:
        chosen &= starts >= _utc(start) - pd.Timedelta(minutes=30)
    if end is not None:
        chosen &= starts <= _utc(end)
    frame = intervals[chosen]
    x = utc_axis(frame["interval_start_utc"])
    labels = hover_text(frame["interval_start_utc"], frame["settlement_period"]) if len(frame) else np.array([])
    detail = {}
    for column, name, _row in LINE_SERIES:
        y = _line_values(frame, column)
        keep = min_max_indices(y, columns)
        detail[name] = {"x": epoch_ms(x[keep]), "y": shown_values(y[keep], LINE_DECIMALS[name]),
                        "customdata": labels[keep]}
    return detail


def _utc(moment) -> pd.Timestamp:
    stamp = pd.Timestamp(moment)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def schedule_figure(intervals: pd.DataFrame, theme: str | None, title: str = "",
                    columns: int = CHART_COLUMNS) -> go.Figure:
    """Three panels sharing a UK-time axis: prices [£/MWh], positions and flow [MW], SoC [MWh].

    Prices are lines; positions are bars in their own colours (net sales, sell − buy: above zero
    the battery sells), so a market's price and its position never share a colour or a legend
    style. Beyond ``DAILY_POSITIONS_AFTER_DAYS`` days, positions are summed per settlement date
    [MWh] and the physical flow is left to the daily operation view.
    """
    if intervals.empty:
        return go.Figure()
    days = intervals["settlement_date"].nunique()
    daily = days > DAILY_POSITIONS_AFTER_DAYS
    weekly = days > WEEKLY_POSITIONS_AFTER_DAYS
    unit = "week" if weekly else "day"
    middle = f"Energy sold (+) and bought (−) per settlement {unit} (MWh)" if daily else \
        "Net sales (MW): DA, ID and physical"
    figure = new_figure(theme, rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.06,
                        row_heights=[0.35, 0.35, 0.3],
                        subplot_titles=("Prices (£/MWh)", middle, "SoC (MWh, end of period)"))
    starts = pd.DatetimeIndex(intervals["interval_start_utc"])
    x = utc_axis(starts)
    labels = hover_text(starts, intervals["settlement_period"])
    # A decimated (long) run sends its instants as milliseconds on a date axis: a third of the bytes.
    shown_x = epoch_ms(x) if daily else x

    def line(y, name, colour, row, shape="hv", dash=None, unit=""):
        # Min/max per pixel column: every peak and trough a screen can show, in a bounded number of points;
        # zooming in brings the full detail back (``line_detail``).
        keep = min_max_indices(y, columns) if daily else slice(None)
        y = np.asarray(y, dtype=float)
        figure.add_trace(go.Scatter(
            x=shown_x[keep], y=shown_values(y[keep], LINE_DECIMALS[name]) if daily else y[keep].round(3), name=name, mode="lines", customdata=labels[keep],
            line={"shape": shape, "color": colour, "width": 1.5, "dash": dash},
            hovertemplate="%{customdata}<br>%{y:,.2f} " + unit + "<extra>" + name + "</extra>",
        ), row=row, col=1)

    line(intervals["da_price"], "DA price", DA_PRICE_COLOUR, 1, unit="£/MWh")
    line(intervals["id_price"], "ID price", ID_PRICE_COLOUR, 1, dash="dot", unit="£/MWh")
    da_net = intervals["da_sell_mw"] - intervals["da_buy_mw"]
    id_net = intervals["id_sell_mw"] - intervals["id_buy_mw"]
    if daily:
        frame = pd.DataFrame({"day": intervals["settlement_date"], "start": x})  # naive UTC
        for market in ("da", "id"):
            frame[f"{market}_sold"] = intervals[f"{market}_sell_mw"] * PERIOD_HOURS
            frame[f"{market}_bought"] = -intervals[f"{market}_buy_mw"] * PERIOD_HOURS
        if weekly:  # blocks of seven settlement dates from the first: 2,344 daily bars would not fit the width
            dates = np.array(sorted(set(intervals["settlement_date"])))
            frame["day"] = dates[(np.searchsorted(dates, intervals["settlement_date"].to_numpy()) // 7) * 7]
        per_day = frame.groupby("day", sort=True).agg("sum", numeric_only=True)
        middays = frame.groupby("day", sort=True)["start"].min() + pd.Timedelta(hours=84 if weekly else 12)
        day_labels = [("week from " if weekly else "") + d.strftime("%a %d %b %Y") for d in per_day.index]
        for market, colour in (("da", DA_POSITION_COLOUR), ("id", ID_POSITION_COLOUR)):
            for side, word in (("sold", "sold"), ("bought", "bought")):
                name = f"{market.upper()} {word} (MWh/{unit})"
                figure.add_trace(go.Bar(
                    x=epoch_ms(middays), y=shown_values(per_day[f"{market}_{side}"], 1), name=name, marker_color=colour,
                    legendgroup=market, showlegend=side == "sold", customdata=day_labels,
                    marker_pattern_shape="" if side == "sold" else "/",
                    hovertemplate="%{customdata}<br>%{y:,.1f} MWh<extra>" + name + "</extra>"), row=2, col=1)
        figure.update_layout(barmode="relative")
    else:
        for values, name, colour in ((da_net, "DA net sales (MW)", DA_POSITION_COLOUR),
                                     (id_net, "ID net sales (MW)", ID_POSITION_COLOUR)):
            figure.add_trace(go.Bar(x=x + np.timedelta64(15, "m"), y=values.round(3), name=name, marker_color=colour,
                                    customdata=labels, width=30 * 60 * 1000 * 0.9,
                                    hovertemplate="%{customdata}<br>%{y:,.1f} MW<extra>" + name + "</extra>"),
                             row=2, col=1)
        figure.update_layout(barmode="relative")
        line(intervals["discharge_mw"] - intervals["charge_mw"], "Physical export (MW)", PHYSICAL_COLOUR, 2,
             unit="MW")
    line(_line_values(intervals, "soc_mwh"), "SoC (MWh)", SOC_COLOUR, 3, shape="linear", unit="MWh")
    tickvals, ticktext = zoom_ticks(starts[0], starts[-1] + pd.Timedelta(minutes=30))
    figure.update_xaxes(tickmode="array", tickvals=tickvals, ticktext=ticktext)
    if daily:
        figure.update_xaxes(type="date")
    figure.update_xaxes(title_text="UK local time (zoom in for hours and settlement periods)", row=3, col=1)
    figure.update_layout(title={"text": plain_title(title), "x": 0, "font": {"size": 15}}, hovermode="x unified")
    apply_theme(figure, theme)
    # Three panels have their own titles: the legend goes under the time axis, clear of them.
    figure.update_layout(legend={"orientation": "h", "y": -0.12, "x": 0}, margin={"t": 80, "b": 100})
    return figure


def run_rows(runs) -> list[dict]:
    """Rows for the runs grid; times in UK local time; figures rounded as shown."""
    rows = []
    for run in runs:
        totals = run.totals or {}
        baselines = totals.get("baselines") or {}
        net = totals.get("net_revenue_gbp")
        joint = capture_ratio(net, baselines.get("joint_net_revenue_gbp")) if net is not None else None
        per_mw_year = totals.get("net_revenue_gbp_per_mw_year")
        rows.append({
            "row_id": str(run.id),  # AG Grid row ids must be strings
            "id": run.id,
            "name": run.name or f"Run #{run.id}",
            "dates": f"{run.first_date.isoformat()} → {run.last_date.isoformat()}",
            "first_date": run.first_date.isoformat(),
            "last_date": run.last_date.isoformat(),
            "days": (run.last_date - run.first_date).days + 1,
            "markets": run.markets,
            "status": run.status,
            "net_revenue_gbp": round(net, 2) if net is not None else None,
            "per_mw_year_gbp": round(per_mw_year, 0) if per_mw_year is not None else None,
            "capture": round(joint * 100, 1) if joint is not None else None,
            "created": format_local(run.created_at, with_period=False),
            "by": run.created_by.username if run.created_by else "command line",
            "owner_id": run.created_by_id,
        })
    return rows
