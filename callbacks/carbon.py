"""Carbon page callbacks: asset footprints (pickers, slider, chart, totals, CSV, upload) and battery runs
(footprint, totals, CSV, carbon trade-off)."""

from __future__ import annotations

from datetime import date

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, dcc, html
from flask_login import current_user

from callbacks.context import database
from callbacks.upload_flow import register_upload_flow
from components import ids
from components.carbon_figures import asset_footprint_figure, run_footprint_figure, tradeoff_figure
from components.feedback import error_alert, info_alert, success_alert
from domain.roles import role_allows
from domain.settlement_time import periods_in_day
from security.authz import current_role, role_callback
from services import carbon, footprint, upload_flow
from services.errors import InvalidInput, NotFound, ServiceError
from services.runs import list_runs


def _parse_date(text: str | None) -> date:
    if not text:
        raise InvalidInput("choose a date")
    return footprint.parse_date(str(text)[:10])


def _grams(value: float) -> str:
    """Grams [gCO2] as kgCO2, the unit of the chart beside it (one family on the page, never g beside kg)."""
    return f"{value / 1000:,.3f} kgCO2"


ASSET_LABEL_CHARS = 34
"""Longest asset label in the picker: what its box shows whole at 1280 px (the full name is the option's title)."""


def asset_label(asset_id: str, name: str | None) -> str:
    label = f"{asset_id} · {name}" if name and name != asset_id else asset_id
    return label if len(label) <= ASSET_LABEL_CHARS else label[:ASSET_LABEL_CHARS - 1].rstrip() + "…"


def asset_totals(result: footprint.FootprintRange) -> html.Div:
    """The range's totals as badges: net, emitted, avoided, energy, and how many half-hours are known."""
    rows = result.rows
    grams = rows["footprint_g"]
    n = len(rows)
    known = result.known_rows
    net = (_grams(result.total_g) if result.total_g is not None
           else f"unknown ({n - known} of {n} half-hours have no data)")
    parts = [html.Strong(f"HalfHourId {result.first}–{result.last}: "), html.Span(f"net {net}", id="carbon-net")]
    if known:
        parts += [html.Span(f" · emitted {_grams(float(grams[grams > 0].sum()))}"),
                  html.Span(f" · avoided {_grams(abs(float(grams[grams < 0].sum())))}"),
                  html.Span(f" · energy {float(rows['energy_kwh'].sum()):,.1f} kWh")]
    kinds = sorted({k for k in rows["intensity_kind"] if isinstance(k, str)})
    if kinds:
        parts.append(html.Span(f" · intensity: {', '.join(kinds)}", className="text-body-secondary"))
    return html.Div(parts)


def run_totals(totals: carbon.RunFootprintTotals) -> html.Div:
    if totals.net_tco2 is None:
        return info_alert("No carbon intensity is stored for this run's dates, so its footprint is unknown "
                          "(the demo intensity covers 2023).")
    share = "" if totals.coverage_share == 1 else f" (over {totals.coverage_share:.0%} of the intervals with intensity)"
    return html.Div([html.Strong("Run footprint: "),
                     html.Span(f"net {totals.net_tco2:,.2f} tCO2", id="carbon-run-net"),
                     html.Span(f" · emitted {totals.emitted_tco2:,.2f} tCO2 · avoided {totals.avoided_tco2:,.2f} tCO2"
                               f"{share}")])


def tradeoff_summary(run_id: int, points: list[carbon.TradeoffPoint]) -> str:
    reused = sum(p.reopened for p in points)
    return (f"Run #{run_id} at {len(points)} carbon prices: {len(points) - reused} solved, "
            f"{reused} reopened (identical runs already stored).")


def tradeoff_table(points: list[carbon.TradeoffPoint]) -> dbc.Table:
    """One row per carbon price: its run (a link), status, revenue without the carbon charge [£], net tCO2."""
    def money(value):
        return "—" if value is None else f"£{value:,.0f}"

    def tonnes(value):
        return "—" if value is None else f"{value:,.2f}"

    head = html.Thead(html.Tr([html.Th("Carbon price £/tCO2"), html.Th("Run"), html.Th("Status"),
                               html.Th("Net revenue £", className="pd-num"), html.Th("Net tCO2", className="pd-num"),
                               html.Th("Solved or reopened")]))
    body = html.Tbody([html.Tr([
        html.Td(f"£{p.carbon_price_gbp_per_tco2:g}"),
        html.Td(dcc.Link(f"#{p.run_id}", href=f"/runs?run={p.run_id}")),
        html.Td(p.status),
        html.Td(money(p.revenue_gbp), className="pd-num"),
        html.Td(tonnes(p.net_tco2), className="pd-num"),
        html.Td("reopened" if p.reopened else "solved"),
    ], id=f"carbon-tradeoff-row-{i}") for i, p in enumerate(points)])
    return dbc.Table([head, body], size="sm", hover=True, responsive=True, className="mb-0")


def register(app: dash.Dash) -> None:
    from pages import carbon as page

    @app.callback(
        Output(page.ASSET, "options"),
        Output(page.ASSET, "value"),
        Output(page.UPLOAD_SECTION, "hidden"),
        Output(page.RUN, "options"),
        Output(page.TRADEOFF_SECTION, "hidden"),
        Input(page.LOAD, "data"),
        Input(page.UPLOAD_STATUS, "children"),
        State(page.ASSET, "value"),
    )
    def initialise(_load, _upload, chosen):
        assets = footprint.list_assets(database())
        options = [{"label": asset_label(a.asset_id, a.name), "title": a.name or a.asset_id, "value": a.asset_id}
                   for a in assets]
        values = [a.asset_id for a in assets]
        value = chosen if chosen in values else (values[0] if values else None)
        runs = [{"label": f"#{r.id} {r.name or ''} · {r.first_date}–{r.last_date} · {r.status}".replace("  ", " "),
                 "value": r.id} for r in list_runs(database(), limit=300)]
        is_trader = role_allows(current_role(), "trader")
        return options, value, not is_trader, runs, not is_trader

    @app.callback(
        Output(page.RANGE, "max"),
        Output(page.RANGE, "marks"),
        Output(page.RANGE, "value"),
        Input(page.DATE, "date"),
        State(page.RANGE, "value"),
    )
    def fit_slider(day, current):
        try:
            count = periods_in_day(_parse_date(day))
        except InvalidInput:
            count = 48
        first, last = (current or [1, count])
        first, last = min(max(1, first), count), min(max(1, last), count)
        marks = {i: str(i) for i in sorted({1, 12, 24, 36, count})}
        return count, marks, [first, last]

    @app.callback(
        Output(page.CHART, "figure"),
        Output(page.TOTALS, "children"),
        Output(page.MESSAGE, "children"),
        Input(page.ASSET, "value"),
        Input(page.DATE, "date"),
        Input(page.RANGE, "value"),
        Input(ids.THEME_STORE, "data"),
        Input(page.UPLOAD_STATUS, "children"),
    )
    def show_asset(asset_id, day, span, theme, _upload):
        empty = asset_footprint_figure(pd.DataFrame(), theme)
        if not asset_id:
            return empty, None, info_alert("No assets yet. Upload a COV power file (traders) or run "
                                           "flask --app app carbon import-power FILE --register-assets.")
        try:
            settlement_date = _parse_date(day)
            first, last = span or (1, periods_in_day(settlement_date))
            result = footprint.footprint_range(database(), asset_id, settlement_date, int(first), int(last))
        except ServiceError as error:
            return empty, None, error_alert(str(error))
        title = f"{asset_id} · {settlement_date:%A %d %b %Y} · HalfHourId {result.first}–{result.last}"
        message = None
        if result.known_rows < len(result.rows):
            message = info_alert(f"{len(result.rows) - result.known_rows} of {len(result.rows)} half-hours are "
                                 "unknown (no reading before them, or no intensity stored) and are marked ✕, not 0.")
        return asset_footprint_figure(result.rows, theme, title), asset_totals(result), message

    @app.callback(
        Output(page.DOWNLOAD, "data"),
        Input(page.DOWNLOAD_BUTTON, "n_clicks"),
        State(page.ASSET, "value"),
        State(page.DATE, "date"),
        State(page.RANGE, "value"),
        prevent_initial_call=True,
    )
    def download(_clicks, asset_id, day, span):
        try:
            settlement_date = _parse_date(day)
            result = footprint.footprint_range(database(), asset_id, settlement_date, int(span[0]), int(span[1]))
        except (ServiceError, TypeError):
            return dash.no_update  # the message under the controls already says what is wrong
        return dcc.send_string(footprint.range_csv(result),
                               f"footprint_{asset_id}_{settlement_date}_{result.first}-{result.last}.csv")

    register_upload_flow(app, page.UPLOAD_FLOW, upload_flow.COV_POWER, page.upload_limit_bytes,
                         {"register": State(page.REGISTER_ASSETS, "value")})

    @app.callback(
        Output(page.RUN_CHART, "figure"),
        Output(page.RUN_TOTALS, "children"),
        Output(page.RUN_MESSAGE, "children"),
        Input(page.RUN, "value"),
        Input(ids.THEME_STORE, "data"),
    )
    def show_run(run_id, theme):
        if run_id is None:
            return run_footprint_figure(pd.DataFrame(), theme, empty_text="No run chosen"), None, info_alert(
                "Choose a stored run to see its carbon footprint.")
        try:
            frame = carbon.run_footprint(database(), int(run_id))
        except (NotFound, ValueError) as error:
            return run_footprint_figure(pd.DataFrame(), theme, empty_text="No footprint to show"), None, \
                error_alert(str(error))
        totals = carbon.footprint_totals(frame)
        return run_footprint_figure(frame, theme, f"Run #{run_id}"), run_totals(totals), None

    @app.callback(
        Output(page.RUN_DOWNLOAD, "data"),
        Input(page.RUN_DOWNLOAD_BUTTON, "n_clicks"),
        State(page.RUN, "value"),
        prevent_initial_call=True,
    )
    def download_run(_clicks, run_id):
        if run_id is None:
            return dash.no_update
        try:
            frame = carbon.run_footprint(database(), int(run_id))
        except NotFound:
            return dash.no_update
        return dcc.send_string(carbon.footprint_csv(frame), f"run_{run_id}_footprint.csv")

    @app.callback(
        Output(page.TRADEOFF_BUTTON, "disabled"),
        Output(page.TRADEOFF_REASON, "children"),
        Input(page.RUN, "value"),
    )
    def tradeoff_ready(run_id):
        if run_id is None:
            return True, "Choose a stored run above first."
        return False, None

    @role_callback(
        app,
        "trader",
        Output(page.TRADEOFF_CHART, "figure"),
        Output(page.TRADEOFF_STATUS, "children"),
        Output(page.TRADEOFF_SUMMARY, "children"),
        Output(page.TRADEOFF_TABLE, "children"),
        Output(page.TABS, "active_tab"),
        Input(page.TRADEOFF_BUTTON, "n_clicks"),
        State(page.RUN, "value"),
        State(ids.THEME_STORE, "data"),
        prevent_initial_call=True,
    )
    def tradeoff(_clicks, run_id, theme):
        if run_id is None:
            return dash.no_update, error_alert("Choose a stored run first."), dash.no_update, dash.no_update, \
                dash.no_update
        try:
            points = carbon.carbon_tradeoff(database(), int(run_id), user_id=int(current_user.get_id()))
        except ServiceError as error:
            return dash.no_update, error_alert(str(error)), dash.no_update, dash.no_update, dash.no_update
        failed = [p for p in points if p.revenue_gbp is None]
        summary = (error_alert(f"Run #{run_id}: {len(failed)} of {len(points)} trade-off runs did not solve: "
                               + "; ".join(f"#{p.run_id} {p.status}" for p in failed)) if failed
                   else success_alert(tradeoff_summary(int(run_id), points)))
        opened = info_alert(f"The trade-off of run #{run_id} is open in the Carbon trade-off tab.")
        return tradeoff_figure(points, theme), opened, summary, tradeoff_table(points), "tradeoff"
