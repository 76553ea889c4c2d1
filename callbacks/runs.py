"""Runs page callbacks: the runs grid and its filters, one run's view, comparison, delete, CSV export."""

from __future__ import annotations

from datetime import date

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, Patch, State, ctx, dcc, html
from flask_login import current_user

from callbacks.context import app_settings, database
from callbacks.uploads import UploadError, read_upload, show_refusals, upload_name
from components import ids
from components.feedback import error_alert, info_alert, success_alert
from components.figures import theme_name
from components.graph import graph
from components.grid_selection import selected_by_id, selected_rows
from components.operational import deviation_cards, schedule_vs_actual_figure
from components.paged_grid import page_rows
from components.run_comparison import comparison_figure, comparison_table
from components.run_outcome import stopped_panel
from components.run_view import (
    daily_operation_figure,
    details_card,
    intervals_export,
    kpi_cards,
    no_figure,
    run_label,
)
from components.schedule import (
    DAILY_LINE_TRACES,
    DAILY_POSITIONS_AFTER_DAYS,
    line_detail,
    run_rows,
    zoom_ticks,
)
from components.stored_run_view import (
    OUTPUT_KEYS,
    THEMES,
    day_title,
    decode,
    encode,
    is_first_page,
    schedule_view,
    view_format,
)
from domain.roles import role_allows
from domain.run_list import neighbour_after_removal
from domain.run_status import in_progress
from security.authz import current_role, role_callback
from services.carbon import with_carbon_columns
from services.errors import InvalidInput, NotFound, ServiceError
from services.operational import import_readings, schedule_vs_actual_over
from services.optimisation_runs import reap_stale_runs
from services.run_carbon_totals import run_carbon_totals
from services.run_monthly import monthly_csv, opens_on_monthly, skipped_days
from services.run_outcome import stopped_at
from services.run_view_cache import run_entry
from services.run_views import store_view, stored_views
from services.runs import MAX_COMPARED_RUNS, delete_run, get_run, get_runs, list_runs

URL_SYNC_JS = """
function(shown) {
    if (shown === null || shown === undefined) { return window.dash_clientside.no_update; }
    const url = new URL(window.location.href);
    if (url.pathname === '/runs' && url.searchParams.get('run') !== String(shown)) {
        url.searchParams.set('run', String(shown));
        window.history.replaceState(window.history.state, '', url.pathname + url.search);
    }
    return String(shown);
}
"""


def _as_run_id(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _as_date(value) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _may_delete(run) -> bool:
    if in_progress(run.status) or not current_user.is_authenticated:
        return False
    role = current_role()
    if role == "admin":
        return True
    return role_allows(role, "trader") and run.created_by_id is not None and \
        str(run.created_by_id) == current_user.get_id()


def empty_notice() -> dbc.Alert:
    """No runs stored: say what to do, for this user's role (the form is above for traders)."""
    if role_allows(current_role(), "trader"):
        return info_alert("No runs yet. Choose dates and a battery in the New run form above and press Run; "
                          "the run appears here when it has solved.")
    return info_alert("No runs yet. Traders create runs on this page; they appear here when they have solved.")


REFRESH_PAGED_JS = """
function(shown) {
    if (window.dash_ag_grid && window.dash_ag_grid.getApiAsync) {
        window.dash_ag_grid.getApiAsync('runs-intervals-paged')
            .then(function(api) { api.purgeInfiniteCache(); }).catch(function() {});
    }
    return shown === undefined ? null : shown;
}
"""

HIDDEN_VIEW = {
    "shown": None, "shown_status": None, "message": None, "hidden": True, "title": "", "totals": None, "daily": no_figure(),
    "day_options": [], "day": None, "chart": no_figure(), "heatmap": no_figure(), "details": None, "rows": [],
    "download_disabled": True, "delete_hidden": True, "range": None, "monthly": None, "skipped": None,
    "tab": dash.no_update, "warnings": None, "tabs_hidden": True, "clone_hidden": True, "paged": False,
}


def skipped_note(run) -> html.P | None:
    """The days a run skipped for missing prices, named (the battery idled on them, its SoC carried)."""
    days = skipped_days(run)
    if not days:
        return None
    named = ", ".join(d.isoformat() for d in days[:30]) + (f" and {len(days) - 30} more" if len(days) > 30 else "")
    return html.P(f"{len(days)} day{'s' if len(days) != 1 else ''} skipped for missing prices (battery idle, SoC "
                  f"carried; not in the annualised figures): {named}.", className="small text-warning-emphasis mt-2 mb-0")


def run_view_outputs(run, intervals, theme: str | None, export: pd.DataFrame | None = None) -> dict:
    """Everything the run view shows for one stored run, built from its intervals (the benchmarks time this);
    ``export`` is ``intervals_export(intervals)`` when already built."""
    return compose_view(run, schedule_view(run, intervals, theme, export))


def compose_view(run, schedule: dict) -> dict:
    """The run view: what the run row says (title, totals, details), beside ``schedule``, what its intervals
    draw (``components.stored_run_view``: built now, or read back from a stored view)."""
    has_schedule = schedule["intervals"] > 0
    return {
        **{key: schedule[key] for key in OUTPUT_KEYS},
        "shown": run.id, "shown_status": run.status, "message": None, "hidden": False,
        "title": f"{run_label(run)} · {run.markets} · {run.first_date:%d %b %Y} – {run.last_date:%d %b %Y} · "
                 f"{run.status}",
        "totals": _totals(run, schedule["intervals"]),
        "details": details_card(run),
        "download_disabled": not has_schedule,
        "delete_hidden": True,
        "tabs_hidden": not has_schedule,
        "clone_hidden": True,
        "skipped": skipped_note(run),
        "tab": "monthly" if opens_on_monthly(run) else "daily",
    }


def _totals(run, interval_count: int):
    """The KPI cards of a finished run; for one that stopped early, how far it got."""
    stop = stopped_at(run, interval_count)
    if stop is None:
        return kpi_cards(run)
    if not (stop.schedule_kept and run.totals):
        return stopped_panel(run, stop)
    days = f"{stop.days_done} of {stop.days_total} day{'s' if stop.days_total != 1 else ''}"
    return html.Div([
        stopped_panel(run, stop),
        html.H3(f"Totals over the {days} solved ({stop.first_solved:%d %b %Y} – {stop.last_solved:%d %b %Y}), "
                "not the whole range", className="h6 mb-2", id="runs-partial-totals"),
        kpi_cards(run, partial=True),
    ])


VIEW_KEYS = ("shown", "shown_status", "selected", "message", "hidden", "title", "totals", "daily", "day_options", "day", "chart",
             "heatmap", "details", "rows", "download_disabled", "delete_hidden", "range", "monthly", "skipped", "tab",
             "warnings", "tabs_hidden", "clone_hidden", "all_hidden", "paged_hidden")


def carbon_note(totals) -> html.P:
    """The schedule's carbon in one line: net, emitted and avoided tCO2, or why it is unknown."""
    if totals.net_tco2 is None:
        return html.P("Carbon: no grid intensity is stored for these dates (NESO data covers 2023).",
                      className="small text-body-secondary", id="runs-carbon")
    partial = "" if totals.coverage_share == 1 else f" over the {totals.coverage_share:.0%} of intervals with an intensity"
    return html.P(f"Carbon{partial}: net {totals.net_tco2:,.1f} tCO2 — emitted {totals.emitted_tco2:,.1f} t by "
                  f"imports, avoided {totals.avoided_tco2:,.1f} t by exports (per interval in the CSV).",
                  className="small", id="runs-carbon")


def register(app: dash.Dash) -> None:
    from pages import runs as page

    @app.callback(
        Output(page.TABLE, "rowData"),
        Output(page.FILTER_USER, "options"),
        Output(page.FILTER_STATUS, "options"),
        Input(page.LOAD, "data"),
        Input(page.CHANGED, "data"),
        Input(page.DELETED, "data"),
        Input(page.FILTER_USER, "value"),
        Input(page.FILTER_STATUS, "value"),
        Input(page.FILTER_DATES, "start_date"),
        Input(page.FILTER_DATES, "end_date"),
    )
    def fill_runs(_load, _changed, _deleted, user, status, first, last):
        db = database()
        reap_stale_runs(db, app_settings())  # cheap, and no one then looks at a run that will never finish
        everything = run_rows(list_runs(db))
        users = sorted({row["by"] for row in everything if row["by"] != "command line"})
        statuses = sorted({row["status"] for row in everything})
        if user or status or first or last:
            rows = run_rows(list_runs(db, status=status or None, user=user or None, first=_as_date(first),
                                      last=_as_date(last)))
        else:
            rows = everything
        return rows, [{"label": u, "value": u} for u in users], [{"label": s, "value": s} for s in statuses]

    @app.callback(
        *(Output(component, prop) for component, prop in (
            (page.SHOWN, "data"), (page.SHOWN_STATUS, "data"), (page.TABLE, "selectedRows"), (page.MESSAGE, "children"), (page.VIEW, "hidden"),
            (page.RUN_TITLE, "children"), (page.TOTALS, "children"), (page.DAILY_CHART, "figure"),
            (page.DAY, "options"), (page.DAY, "value"), (page.CHART, "figure"), (page.HEATMAP, "figure"),
            (page.DETAILS, "children"), (page.INTERVALS, "rowData"), (page.DOWNLOAD_BUTTON, "disabled"),
            (page.DELETE_BUTTON, "style"), (page.CHART_RANGE, "data"), (page.MONTHLY, "children"),
            (page.SKIPPED, "children"), (page.TABS, "active_tab"), (page.WARNINGS, "children"),
            (page.TABS_SECTION, "hidden"), (page.CLONE_BUTTON, "style"), (page.INTERVALS_ALL, "hidden"),
            (page.INTERVALS_PAGED_SECTION, "hidden"))),
        Input(page.TABLE, "selectedRows"),
        Input(page.REQUESTED, "data"),
        Input(ids.THEME_STORE, "data"),
        Input(page.DELETED, "data"),
        Input(page.CHANGED, "data"),
        State(page.SHOWN, "data"),
        State(page.SHOWN_STATUS, "data"),
    )
    def show_run(selected, requested, theme, deleted, _changed, shown, shown_status):
        trigger = ctx.triggered_id
        select_in_grid = True
        keep_tab = False
        if trigger == page.TABLE:
            rows = selected_rows(selected)
            if len(rows) != 1:
                return (dash.no_update,) * len(VIEW_KEYS)  # a comparison, or nothing ticked: keep the run shown
            run_id = _as_run_id(rows[0].get("id"))
            if run_id is None or (run_id == shown and (selected_by_id(selected)
                                                       or rows[0].get("status") == shown_status)):
                return (dash.no_update,) * len(VIEW_KEYS)  # the run shown, echoed back by the grid
            select_in_grid = False
        elif trigger in (ids.THEME_STORE, page.CHANGED) and shown:
            # A new colour mode, or a run queued or finished: draw the run shown again (it may be the one
            # that just finished, requested when it was queued).
            run_id, select_in_grid = shown, False
            keep_tab = True
        elif trigger == page.DELETED:
            # The run listed next to the deleted one, or none: never the newest run, which is unrelated.
            run_id = _as_run_id((deleted or {}).get("next")) if isinstance(deleted, dict) else None
            if run_id is None:
                return _outputs(HIDDEN_VIEW, selected={"ids": []})
        else:
            run_id = _as_run_id(requested)
            if requested not in (None, "") and run_id is None:
                return _outputs(HIDDEN_VIEW, message=error_alert(f"{requested!r} is not a run number."))
        db = database()
        if run_id is None:
            runs = list_runs(db, limit=1)
            if not runs:
                return _outputs(HIDDEN_VIEW, message=empty_notice())
            run_id = runs[0].id
        try:
            run, entry = run_entry(db, run_id, app_settings())
        except NotFound as error:
            return _outputs(HIDDEN_VIEW, message=error_alert(f"{str(error).capitalize()}. Pick a run from the list "
                                                             "above."))
        schedule = entry.get(("view", theme_name(theme)), lambda: _schedule_view(db, run, entry, theme))
        view = compose_view(run, schedule)
        if schedule["intervals"]:
            totals = run_carbon_totals(db, run.id, lambda: entry.intervals)
            view["details"] = html.Div([carbon_note(totals), view["details"]])
        view["delete_hidden"] = not _may_delete(run)
        view["clone_hidden"] = not role_allows(current_role(), "trader")
        view["selected"] = {"ids": [str(run.id)]} if select_in_grid else dash.no_update
        if keep_tab:  # redrawn (new colour mode, a run finished): the tab the user chose stays
            view["tab"] = dash.no_update
        return _outputs(view)

    def _outputs(view: dict, **overrides) -> tuple:
        values = {**view, **overrides}
        values.setdefault("selected", dash.no_update if values.get("shown") is None else {"ids": [str(values["shown"])]})
        values["delete_hidden"] = {"display": "none"} if values["delete_hidden"] else {}
        values["clone_hidden"] = {"display": "none"} if values["clone_hidden"] else {}
        values["all_hidden"], values["paged_hidden"] = bool(values["paged"]), not values["paged"]
        return tuple(values[key] for key in VIEW_KEYS)

    app.clientside_callback(URL_SYNC_JS, Output(page.URL_SYNC, "data"), Input(page.SHOWN, "data"))
    app.clientside_callback(REFRESH_PAGED_JS, Output(page.INTERVALS_REFRESHED, "data"), Input(page.SHOWN, "data"))

    @app.callback(
        Output(page.INTERVALS_PAGED, "getRowsResponse"),
        Input(page.INTERVALS_PAGED, "getRowsRequest"),
        State(page.SHOWN, "data"),
    )
    def intervals_page(request, shown):
        """One block of the shown run's intervals, sorted and filtered on the server."""
        run_id = _as_run_id(shown)
        if run_id is None or not isinstance(request, dict):
            return {"rowData": [], "rowCount": 0}
        try:
            run, entry = run_entry(database(), run_id, app_settings())
        except NotFound:
            return {"rowData": [], "rowCount": 0}
        if is_first_page(request) and "export" not in entry.built:
            first = _from_view(database(), run, entry, lambda view: view.get("first_page"))
            if first is not None:
                return first
        if entry.intervals.empty:
            return {"rowData": [], "rowCount": 0}
        return page_rows(_export(entry), request)

    @app.callback(
        Output(page.DAY_CHART, "figure"),
        Input(page.DAY, "value"),
        Input(page.SHOWN, "data"),
        Input(ids.THEME_STORE, "data"),
    )
    def show_day(day, shown, theme):
        chosen = _as_date(day)
        if shown is None or chosen is None:
            return no_figure()
        try:
            run, entry = run_entry(database(), int(shown), app_settings())
        except NotFound:
            return no_figure()
        db = database()
        stored = _from_view(db, run, entry, lambda view: view.get("first_day_figure")
                            if view.get("day") == chosen.isoformat() else None, theme_name(theme))
        if stored is not None:
            return stored
        day_rows = entry.get(("day rows", chosen), lambda: entry.day_intervals(chosen))
        if day_rows.empty:
            return no_figure()
        return entry.get(("day", chosen, theme), lambda: daily_operation_figure(day_rows, chosen, theme,
                                                                                day_title(run)))

    @app.callback(
        Output(page.CHART, "figure", allow_duplicate=True),
        Input(page.CHART, "relayoutData"),
        State(page.CHART_RANGE, "data"),
        State(page.SHOWN, "data"),
        prevent_initial_call=True,
    )
    def relabel_zoomed_axis(relayout, full_range, shown):
        """Zooming relabels the UK-time axis for the range shown: hours and settlement periods within a day;
        on a long run, whose lines are decimated, it also sends the lines' detail for that range."""
        if not relayout or not full_range:
            return dash.no_update
        start = end = None
        for key, value in relayout.items():
            if key.endswith(".range[0]") and key.startswith("xaxis"):
                start = value
            elif key.endswith(".range[1]") and key.startswith("xaxis"):
                end = value
            elif key.endswith(".range") and key.startswith("xaxis") and isinstance(value, list):
                start, end = value
        if any(key.startswith("xaxis") and key.endswith("autorange") for key in relayout):
            start, end = full_range
        if start is None or end is None:
            return dash.no_update
        tickvals, ticktext = zoom_ticks(start, end)
        patch = Patch()
        for axis in ("xaxis", "xaxis2", "xaxis3"):
            patch["layout"][axis]["tickvals"] = [t.isoformat() for t in tickvals]
            patch["layout"][axis]["ticktext"] = ticktext
        _zoomed_detail(patch, shown, start, end, full_range)
        return patch

    def _zoomed_detail(patch: Patch, shown, start, end, full_range) -> None:
        run_id = _as_run_id(shown)
        if run_id is None:
            return
        try:
            _run, entry = run_entry(database(), run_id, app_settings())
        except NotFound:
            return
        intervals = entry.intervals
        if intervals.empty or intervals["settlement_date"].nunique() <= DAILY_POSITIONS_AFTER_DAYS:
            return  # not decimated: every point is already drawn
        whole = [start, end] == list(full_range)
        detail = line_detail(intervals) if whole else line_detail(intervals, start, end)
        for name, trace in DAILY_LINE_TRACES.items():
            for key, values in detail[name].items():
                patch["data"][trace][key] = values

    @app.callback(
        Output(page.COMPARISON, "children"),
        Input(page.TABLE, "selectedRows"),
        Input(ids.THEME_STORE, "data"),
    )
    def compare(selected, theme):
        chosen = [row.get("id") for row in selected_rows(selected)]
        if len(chosen) < 2:
            return None
        if len(chosen) > MAX_COMPARED_RUNS:
            return error_alert(f"Compare at most {MAX_COMPARED_RUNS} runs at a time; you ticked {len(chosen)}.")
        try:
            runs = get_runs(database(), [int(run_id) for run_id in chosen])
        except (InvalidInput, NotFound, TypeError, ValueError) as error:
            return error_alert(str(error))
        return _comparison_card(runs, theme)

    @app.callback(
        Output(page.DELETE_MODAL, "is_open"),
        Output(page.DELETE_TEXT, "children"),
        Input(page.DELETE_BUTTON, "n_clicks"),
        Input(page.DELETE_CANCEL, "n_clicks"),
        State(page.SHOWN, "data"),
        prevent_initial_call=True,
    )
    def confirm_delete(_open, _cancel, shown):
        if ctx.triggered_id != page.DELETE_BUTTON or shown is None:
            return False, dash.no_update
        try:
            run, _ = get_run(database(), int(shown), app_settings())
        except NotFound:
            return False, dash.no_update
        return True, html.Div([
            html.P(["Delete ", html.Strong(run_label(run)), f" ({run.first_date:%d %b %Y} – {run.last_date:%d %b %Y}) "
                    "and all its intervals?"]),
            html.P("This cannot be undone. Operational readings are kept.", className="small text-body-secondary"),
        ])

    @role_callback(
        app,
        "trader",
        Output(page.DELETE_MODAL, "is_open", allow_duplicate=True),
        Output(page.DELETE_MESSAGE, "children"),
        Output(page.DELETED, "data"),
        Input(page.DELETE_CONFIRM, "n_clicks"),
        State(page.SHOWN, "data"),
        State(page.DELETED, "data"),
        State(page.TABLE, "virtualRowData"),
        State(page.TABLE, "rowData"),
        prevent_initial_call=True,
    )
    def delete_shown_run(_clicks, shown, deleted, listed, rows):
        run_id = _as_run_id(shown)
        if run_id is None:
            return False, error_alert("Choose a run to delete."), dash.no_update
        try:
            delete_run(database(), run_id, int(current_user.get_id()), current_role() == "admin")
        except ServiceError as error:
            return False, error_alert(f"Nothing was deleted. {error}"), dash.no_update
        order = [i for i in (_as_run_id(row.get("id")) for row in (listed or rows or []) if isinstance(row, dict))
                 if i is not None]
        after = neighbour_after_removal(order, run_id)
        count = deleted.get("n", 0) if isinstance(deleted, dict) else 0
        then = f" Showing run #{after}, listed next to it." if after is not None else " Choose a run from the list."
        return False, success_alert(f"Run #{run_id} and its intervals were deleted.{then}"), \
            {"n": count + 1, "next": after}

    @app.callback(Output(page.OP_SECTION, "hidden"), Input(page.LOAD, "data"))
    def offer_operational_upload(_load):
        return not role_allows(current_role(), "trader")

    @role_callback(
        app,
        "trader",
        Output(page.OP_REPORT, "children"),
        Output(page.OP_IMPORTED, "data"),
        Input(page.OP_UPLOAD, "contents"),
        State(page.OP_UPLOAD, "filename"),
        State(page.OP_IMPORTED, "data"),
        prevent_initial_call=True,
    )
    def import_operational(contents, filename, imported):
        if not contents:
            return dash.no_update, dash.no_update
        name = upload_name(filename)
        try:
            payload = read_upload(contents, name, page.upload_limit_bytes())
            report = import_readings(database(), payload, name, current_user.username)
        except (UploadError, ServiceError) as error:
            return error_alert(str(error)), dash.no_update
        return success_alert(report.describe()), (imported or 0) + 1

    show_refusals(app, page.OP_UPLOAD, page.OP_REPORT)

    @app.callback(
        Output(page.OP_STATS, "children"),
        Output(page.OP_CHART, "figure"),
        Input(page.SHOWN, "data"),
        Input(page.OP_IMPORTED, "data"),
        Input(ids.THEME_STORE, "data"),
    )
    def show_operational(shown, _imported, theme):
        run_id = _as_run_id(shown)
        if run_id is None:
            return None, no_figure()
        db = database()
        try:
            _run, entry = run_entry(db, run_id, app_settings())
        except NotFound:
            return None, no_figure()
        joined, stats = schedule_vs_actual_over(db, run_id, *entry.span())
        if joined.empty or stats.mae_mw is None:
            return deviation_cards(stats), no_figure()
        return deviation_cards(stats), schedule_vs_actual_figure(joined, theme, f"Schedule vs metered · Run #{run_id}")

    @app.callback(
        Output(page.DOWNLOAD, "data"),
        Input(page.DOWNLOAD_BUTTON, "n_clicks"),
        State(page.SHOWN, "data"),
        prevent_initial_call=True,
    )
    def download(_clicks, shown):
        if shown is None:
            return dash.no_update
        try:
            run, entry = run_entry(database(), int(shown), app_settings())
        except NotFound:
            return dash.no_update
        intervals = entry.intervals
        if intervals.empty:
            return dash.no_update
        export = with_carbon_columns(database(), intervals, _export(entry))
        return dcc.send_data_frame(export.to_csv, f"powerdesk_run_{run.id}_intervals.csv", index=False)


    @app.callback(
        Output(page.MONTHLY_DOWNLOAD, "data"),
        Input(page.MONTHLY_DOWNLOAD_BUTTON, "n_clicks"),
        State(page.SHOWN, "data"),
        prevent_initial_call=True,
    )
    def download_monthly(_clicks, shown):
        if shown is None:
            return dash.no_update
        try:
            run, intervals = get_run(database(), int(shown), app_settings())
        except NotFound:
            return dash.no_update
        if intervals.empty:
            return dash.no_update
        return dcc.send_string(monthly_csv(run, intervals), f"powerdesk_run_{run.id}_monthly.csv")


def _schedule_view(db, run, entry, theme) -> dict:
    """What the run's intervals draw in this colour mode: its stored view when there is one, else built now
    and, for a finished run, stored for every process after this one."""
    theme = theme_name(theme)
    finished = not in_progress(run.status)
    if finished:
        stored = _stored_view(db, run, entry, theme)
        if stored is not None:
            return stored
    intervals = entry.intervals
    schedule = schedule_view(run, intervals, theme, _export(entry) if not intervals.empty else None)
    if finished and not intervals.empty:
        store_view(db, run.id, theme, view_format(), encode(schedule))
    return schedule


def _stored_view(db, run, entry, theme: str) -> dict | None:
    """The run's stored view in ``theme``, read back once per process."""
    payloads = entry.get("stored views", lambda: stored_views(db, run.id, view_format()))
    return entry.get(("stored view", theme), lambda: decode(payloads.get(theme)))


def _from_view(db, run, entry, pick, theme: str | None = None):
    """``pick(view)`` of a view of the run (in ``theme`` when given): one this process built or read, else a
    stored one; None when none has it (``pick`` returns None)."""
    themes = [theme] if theme else list(THEMES)

    def views():
        for each in themes:
            yield entry.built.get(("view", each))
        if not in_progress(run.status):
            for each in themes:
                yield _stored_view(db, run, entry, each)

    for view in views():
        value = pick(view) if view is not None else None
        if value is not None:
            return value
    return None


def _export(entry) -> pd.DataFrame:
    """The run's intervals as the grid and the CSV show them, built once per cached run."""
    return entry.get("export", lambda: intervals_export(entry.intervals))


def _comparison_card(runs, theme):
    return dbc.Card([
        dbc.CardHeader(f"Comparing {len(runs)} runs"),
        dbc.CardBody([
            comparison_table(runs),
            graph("runs-compare-chart", "620px", figure=comparison_figure(runs, theme), className="mt-3"),
        ]),
    ], className="mb-3", id="runs-compare-card")
