"""Prices page builders: series, DA−ID spread, day × period heatmap, distribution, daily-statistics
grid rows, the import report and the conflicts table. Pure: data in, figure/component out."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from dash import html

from components.figures import MARKET_COLOURS, SCATTERGL_POINTS, apply_theme, local_time_ticks
from domain.markets import MARKET_NAMES
from domain.price_statistics import day_matrix
from domain.settlement_time import LONDON, periods_in_day

ID_SERIES = ("intraday", "market_index")
"""Series a DA−ID spread can be taken against, in preference order."""


def themed(figure: go.Figure, theme: str | None, title: str, title_size: int = 15) -> go.Figure:
    """The house theme, with the title above a legend row so the two never overlap."""
    apply_theme(figure, theme)
    figure.update_layout(title={"text": title, "x": 0, "y": 0.98, "yanchor": "top", "font": {"size": title_size}},
                         margin={"t": 64}, legend={"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"})
    return figure


def empty_figure(theme: str | None, message: str, title: str = "") -> go.Figure:
    figure = go.Figure()
    figure.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper",
                          font={"size": 14})
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    figure.update_layout(title={"text": title, "x": 0, "font": {"size": 15}})
    return apply_theme(figure, theme)


def present_markets(prices: pd.DataFrame, markets) -> list[str]:
    """Markets in display order that are ticked and have at least one price in ``prices``."""
    return [m for m in MARKET_NAMES if m in markets and m in prices.columns and prices[m].notna().any()]


def period_labels(prices: pd.DataFrame) -> np.ndarray:
    """``Sun 29 Oct 01:30 GMT · SP4`` for each interval (vectorised; the hover text of every chart)."""
    local = pd.DatetimeIndex(prices.index).tz_convert(LONDON).strftime("%a %d %b %H:%M %Z")
    return np.char.add(np.char.add(np.asarray(local, dtype=str), " · SP"),
                       prices["settlement_period"].to_numpy(dtype=int).astype(str))


def utc_x(prices: pd.DataFrame) -> np.ndarray:
    """The UTC instants as a datetime64 array (Plotly draws them as given; much faster to send than
    Timestamp objects). Tick positions from ``local_time_ticks`` are the same UTC instants."""
    return pd.DatetimeIndex(prices.index).tz_convert("UTC").tz_localize(None).to_numpy()


def one_day_axis(prices: pd.DataFrame) -> dict:
    """Settlement-period x axis for one settlement day, ticks labelled in UK local time; on a 46- or
    50-period day the labels follow the clock change (e.g. SP3 02:00 BST on the spring day, two
    01:00s on the autumn day, told apart by GMT/BST)."""
    day = prices["settlement_date"].iloc[0]
    count = periods_in_day(day)
    starts = pd.date_range(prices.index[0] - (int(prices["settlement_period"].iloc[0]) - 1) * pd.Timedelta("30min"),
                           periods=count, freq="30min")
    local = starts.tz_convert(LONDON)
    with_zone = count != 48
    shown = list(range(1, count + 1, 4))
    text = [f"SP{p}<br>{local[p - 1].strftime('%H:%M %Z' if with_zone else '%H:%M')}" for p in shown]
    return {"tickvals": shown, "ticktext": text, "range": [0.5, count + 0.5],
            "title_text": f"Settlement period (UK local time) · {count} periods"}


def series_chart(prices: pd.DataFrame, markets, theme: str | None, title: str = "") -> go.Figure:
    """Each ticked market over time [£/MWh]: a settlement-period axis for one day, else UTC instants
    labelled in UK local time."""
    shown = present_markets(prices, markets)
    if not shown:
        return empty_figure(theme, "No prices for the ticked markets in this range", title)
    one_day = prices["settlement_date"].nunique() == 1
    labels = period_labels(prices)
    scatter = go.Scattergl if len(prices) * len(shown) > SCATTERGL_POINTS else go.Scatter
    x = utc_x(prices)
    figure = go.Figure()
    for market in shown:
        figure.add_trace(scatter(
            x=prices["settlement_period"].tolist() if one_day else x, y=prices[market], name=MARKET_NAMES[market],
            mode="lines", line={"shape": "hv", "width": 1.6, "color": MARKET_COLOURS[market]}, customdata=labels,
            hovertemplate="%{customdata}<br>%{y:.2f} £/MWh<extra>" + MARKET_NAMES[market] + "</extra>",
        ))
    if one_day:
        figure.update_xaxes(**one_day_axis(prices))
    else:
        tickvals, ticktext = local_time_ticks(prices.index)
        figure.update_xaxes(tickvals=tickvals, ticktext=ticktext, title_text="UK local time")
    figure.update_yaxes(title_text="£/MWh")
    figure.update_layout(hovermode="x unified")
    return themed(figure, theme, title)


def spread_chart(prices: pd.DataFrame, theme: str | None) -> go.Figure:
    """Day-ahead minus each ID series (intraday, market index) per interval [£/MWh]."""
    title = "DA − ID spread"
    pairs = [m for m in ID_SERIES if "day_ahead" in prices.columns and m in prices.columns
             and (prices["day_ahead"] - prices[m]).notna().any()]
    if not pairs:
        return empty_figure(theme, "No interval has both a day-ahead and an ID price", title)
    labels = period_labels(prices)
    scatter = go.Scattergl if len(prices) > SCATTERGL_POINTS else go.Scatter
    figure = go.Figure()
    for market in pairs:
        figure.add_trace(scatter(
            x=utc_x(prices), y=prices["day_ahead"] - prices[market], name=f"DA − {MARKET_NAMES[market]}",
            mode="lines", line={"shape": "hv", "width": 1.3, "color": MARKET_COLOURS[market]}, customdata=labels,
            hovertemplate="%{customdata}<br>%{y:.2f} £/MWh<extra>%{fullData.name}</extra>",
        ))
    tickvals, ticktext = local_time_ticks(prices.index)
    figure.update_xaxes(tickvals=tickvals, ticktext=ticktext, title_text="UK local time")
    figure.update_yaxes(title_text="£/MWh", zeroline=True)
    figure.update_layout(hovermode="x unified")
    return themed(figure, theme, title)


def heatmap_chart(prices: pd.DataFrame, market: str | None, theme: str | None) -> go.Figure:
    """Settlement day (rows) × settlement period (columns) of one market [£/MWh]; periods that a
    day does not have (47–50 on most days) stay blank."""
    note = ""
    if not market or market not in prices.columns or not prices[market].notna().any():
        fallback = present_markets(prices, MARKET_NAMES)
        if not fallback:
            return empty_figure(theme, "No prices in this range", "Prices by settlement day and period")
        note = f" (no {MARKET_NAMES.get(market or '', market or 'chosen market')} prices in this range)"
        market = fallback[0]
    title = f"{MARKET_NAMES[market]} by settlement day and period{note}"
    days, matrix = day_matrix(prices, market)
    used = int(prices["settlement_period"].max())
    figure = go.Figure(go.Heatmap(
        z=matrix[:, :used], x=list(range(1, used + 1)), y=[d.isoformat() for d in days],
        colorscale="RdBu_r", zmid=0 if np.nanmin(matrix) < 0 else None,
        colorbar={"title": {"text": "£/MWh"}},
        hovertemplate="%{y} SP%{x}<br>%{z:.2f} £/MWh<extra></extra>",
    ))
    figure.update_xaxes(title_text="Settlement period", tickvals=[1, 9, 17, 25, 33, 41, 48])
    figure.update_yaxes(title_text="Settlement date", autorange="reversed", type="category",
                        nticks=min(len(days), 20))
    return themed(figure, theme, title)


def distribution_chart(prices: pd.DataFrame, markets, theme: str | None) -> go.Figure:
    """Histogram of half-hourly prices per market; the negative side is shaded and counted."""
    title = "Price distribution"
    shown = present_markets(prices, markets)
    if not shown:
        return empty_figure(theme, "No prices for the ticked markets in this range", title)
    figure = go.Figure()
    for market in shown:
        values = prices[market].dropna()
        negative = int((values < 0).sum())
        figure.add_trace(go.Histogram(x=values.to_numpy(), name=f"{MARKET_NAMES[market]}: {negative:,} of "
                                      f"{len(values):,} negative", opacity=0.6, nbinsx=60,
                                      marker={"color": MARKET_COLOURS[market]},
                                      hovertemplate="%{x} £/MWh: %{y} periods<extra>" + MARKET_NAMES[market]
                                      + "</extra>"))
    low = min(float(prices[m].min()) for m in shown)
    if low < 0:
        figure.add_vrect(x0=low, x1=0, fillcolor="#dc3545", opacity=0.12, line_width=0)
    figure.add_vline(x=0, line_width=1, line_dash="dot", line_color="#dc3545")
    figure.update_layout(barmode="overlay")
    figure.update_xaxes(title_text="£/MWh")
    figure.update_yaxes(title_text="Settlement periods")
    return themed(figure, theme, title + " (negative prices shaded)")


def daily_stats_rows(stats: pd.DataFrame) -> list[dict]:
    """AG Grid rows of ``domain.price_statistics.daily_statistics`` with the market's display name."""
    if stats.empty:
        return []
    frame = stats.copy()
    frame["settlement_date"] = [d.isoformat() for d in frame["settlement_date"]]
    frame["market"] = frame["market"].map(lambda m: MARKET_NAMES.get(m, m))
    frame = frame.astype(object).where(frame.notna(), None)
    return frame.to_dict("records")


def _format(field: str, decimals: int = 2) -> dict:
    return {"field": field, "type": "numericColumn",
            "valueFormatter": {"function": f"params.value == null ? '' : d3.format(',.{decimals}f')(params.value)"}}


DAILY_STATS_COLUMNS = [
    {"field": "settlement_date", "headerName": "Settlement date", "pinned": "left", "minWidth": 130},
    {"field": "market", "headerName": "Market", "pinned": "left", "minWidth": 120},
    {"field": "periods", "headerName": "Periods", "type": "numericColumn", "maxWidth": 100},
    {**_format("min"), "headerName": "Min £/MWh"},
    {"field": "min_period", "headerName": "Min SP", "type": "numericColumn", "maxWidth": 100},
    {**_format("max"), "headerName": "Max £/MWh"},
    {"field": "max_period", "headerName": "Max SP", "type": "numericColumn", "maxWidth": 100},
    {**_format("mean"), "headerName": "Mean £/MWh"},
    {**_format("peak_mean"), "headerName": "Peak mean (07–19)"},
    {**_format("offpeak_mean"), "headerName": "Off-peak mean"},
    {"field": "negative_periods", "headerName": "Negative SPs", "type": "numericColumn", "maxWidth": 130},
    {**_format("best_1h_spread"), "headerName": "Best 1 h spread £/MWh"},
    {"field": "best_1h_charge_period", "headerName": "1 h charge SP", "type": "numericColumn"},
    {"field": "best_1h_discharge_period", "headerName": "1 h discharge SP", "type": "numericColumn"},
    {**_format("best_2h_spread"), "headerName": "Best 2 h spread £/MWh"},
    {"field": "best_2h_charge_period", "headerName": "2 h charge SP", "type": "numericColumn"},
    {"field": "best_2h_discharge_period", "headerName": "2 h discharge SP", "type": "numericColumn"},
]


def conflicts_view(conflicts: pd.DataFrame, limit: int = 50) -> html.Div | None:
    """Where sources disagree in the range: each stored price, the one used marked. None when none."""
    if conflicts.empty:
        return None
    intervals = conflicts[["market", "interval_start_utc"]].drop_duplicates()
    shown = conflicts.head(limit)
    local = pd.DatetimeIndex(shown["interval_start_utc"]).tz_convert(LONDON)
    rows = [
        html.Tr([
            html.Td(MARKET_NAMES.get(m, m)), html.Td(f"{d.isoformat()} SP{p}"), html.Td(t.strftime("%H:%M %Z")),
            html.Td(source), html.Td(f"{price:,.2f}", className="pd-num"),
            html.Td("used" if used else "", className="fw-semibold"),
        ])
        for m, d, p, t, source, price, used in zip(shown["market"], shown["settlement_date"],
                                                   shown["settlement_period"], local, shown["source"],
                                                   shown["price_gbp_per_mwh"], shown["used"], strict=True)
    ]
    more = len(conflicts) - len(shown)
    return html.Div([
        html.H3(f"Conflicting prices: {len(intervals):,} interval(s) where sources disagree", className="h6"),
        html.P("Both prices are kept. Charts, statistics, runs and downloads use the one marked used: the market's "
               "source precedence decides, then the newest import.",
               className="small text-body-secondary mb-2"),
        html.Table([html.Thead(html.Tr([html.Th(h) for h in
                                        ("Market", "Settlement", "UK time", "Source", "£/MWh", "")])),
                    html.Tbody(rows)], className="table table-sm mb-0"),
        html.P(f"… and {more:,} more rows.", className="small mb-0") if more > 0 else None,
    ], id="prices-conflicts-list")


def import_report_view(report) -> html.Div:
    """The import report: counts, refused days, other rejected lines and conflicts (first 20 of each)."""
    items = [html.P(report.summary(), className="mb-1")]
    if report.refused_days:
        items.append(html.Div("Refused days:", className="small fw-semibold"))
        items.append(html.Ul([html.Li(day) for day in report.refused_days[:20]], className="small mb-1"))
    if report.notes:
        items.append(html.Ul([html.Li(note) for note in report.notes], className="small mb-1"))
    refused = set(report.refused_days)
    other = [(line, reason) for line, reason in report.rejected if reason not in refused]
    hidden = report.rows_rejected - len(refused) - len(other)
    if other:
        items.append(html.Div("Rejected lines:", className="small fw-semibold"))
        items.append(html.Ul([html.Li(f"line {line}: {reason}") for line, reason in other[:20]], className="small mb-1"))
    if len(other) > 20 or hidden > 0:
        items.append(html.Div(f"… and {len(other) - min(len(other), 20) + max(hidden, 0):,} more rejected.",
                              className="small"))
    if report.conflicts:
        items.append(html.Div("Conflicts (both prices kept; the source precedence decides which is used):",
                              className="small fw-semibold"))
        items.append(html.Ul([
            html.Li(f"{MARKET_NAMES.get(c['market'], c['market'])} {c['settlement_date']} SP{c['settlement_period']}: "
                    f"{c['price_gbp_per_mwh']:,.2f} here, {c['other_price_gbp_per_mwh']:,.2f} from '{c['other_source']}'")
            for c in report.conflicts[:20]], className="small mb-1"))
        if report.rows_conflicting > 20:
            items.append(html.Div(f"… and {report.rows_conflicting - 20:,} more conflicting.", className="small"))
    return html.Div(items)
