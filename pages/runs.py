"""Runs: stored optimisation runs; filter, compare 2–4, open one for its P&L, operation, SoC and intervals."""

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from components import forecast_tab
from components.graph import graph
from components.paged_grid import paged_grid
from components.run_form import new_run_card
from components.uploads import limit_note, upload_area
from security.request_checks import max_upload_bytes
from services.operational import MAX_FILE_BYTES

dash.register_page(__name__, path="/runs", name="Runs", title="Runs · Powerdesk", nav_order=20, min_role="viewer")

LOAD = "runs-load"
REQUESTED = "runs-requested"
"""Store: a run id to show (from ``?run=N`` or the New run form); the grid then selects it."""
SHOWN = "runs-shown"
SHOWN_STATUS = "runs-shown-status"
"""The status of the run drawn, so a grid refresh after the run finishes redraws it."""
CHANGED = "runs-changed"
"""Store the New run form bumps when a run is queued or ends, so the runs grid refreshes."""
DELETED = "runs-deleted"
"""Store ``{"n": deletions so far, "next": the run to show after the last one (None: close the view)}``."""
CLONED = "runs-cloned"
"""Store: the run whose parameters the New run form was last filled with."""
CLONE_SCROLLED = "runs-clone-scrolled"
CLONE_BUTTON = "runs-clone-button"
WARNINGS = "runs-warnings"
TABS_SECTION = "runs-tabs-section"
URL_SYNC = "runs-url-sync"
CHART_RANGE = "runs-chart-range"

FILTER_USER = "runs-filter-user"
FILTER_STATUS = "runs-filter-status"
FILTER_DATES = "runs-filter-dates"
TABLE = "runs-table"
COMPARISON = "runs-comparison"
MESSAGE = "runs-message"

VIEW = "runs-view"
RUN_TITLE = "runs-run-title"
TOTALS = "runs-totals"
TABS = "runs-tabs"
MONTHLY = "runs-monthly"
MONTHLY_DOWNLOAD_BUTTON = "runs-monthly-download-button"
MONTHLY_DOWNLOAD = "runs-monthly-download"
SKIPPED = "runs-skipped-days"
DAILY_CHART = "runs-daily-chart"
DAY = "runs-day"
DAY_CHART = "runs-day-chart"
HEATMAP = "runs-heatmap"
CHART = "runs-chart"
DETAILS = "runs-details"
INTERVALS = "runs-intervals"
"""The intervals grid of a short run: every row sent with the view (client-side)."""
INTERVALS_ALL = "runs-intervals-all"
INTERVALS_PAGED = "runs-intervals-paged"
"""The intervals grid of a longer run: rows stay on the server, sent a block at a time."""
INTERVALS_PAGED_SECTION = "runs-intervals-paged-section"
INTERVALS_REFRESHED = "runs-intervals-refreshed"
DOWNLOAD_BUTTON = "runs-download-button"
DOWNLOAD = "runs-download"

DELETE_BUTTON = "runs-delete-button"
DELETE_MODAL = "runs-delete-modal"
DELETE_TEXT = "runs-delete-text"
DELETE_CONFIRM = "runs-delete-confirm"
DELETE_CANCEL = "runs-delete-cancel"
DELETE_MESSAGE = "runs-delete-message"

OP_SECTION = "runs-operational-upload-section"
OP_UPLOAD = "runs-operational-upload"
OP_IMPORTED = "runs-operational-imported"
OP_REPORT = "runs-operational-report"
OP_STATS = "runs-operational-stats"
OP_CHART = "runs-operational-chart"

MONEY = {"function": "params.value == null ? '' : '£' + d3.format(',.0f')(params.value)"}
PERCENT = {"function": "params.value == null ? '' : d3.format('.1f')(params.value) + '%'"}
MW = {"function": "params.value == null ? '' : d3.format(',.1f')(params.value)"}
PRICE = {"function": "params.value == null ? '' : d3.format(',.2f')(params.value)"}
NUMBER_FILTER = {"filter": "agNumberColumnFilter", "type": "numericColumn"}
TABLE_COLUMNS = [
    # Sized so every column shows whole at 1,600 px (the selection column and "New run" take 141 px more):
    # "command line" in By, "2026-12-03 17:15 GMT" in Created (tests/browser/test_runs_desk.py).
    {"field": "id", "headerName": "#", "minWidth": 72, "maxWidth": 90, **NUMBER_FILTER},
    {"field": "name", "headerName": "Name", "minWidth": 130},
    {"field": "first_date", "headerName": "First date", "minWidth": 115},
    {"field": "last_date", "headerName": "Last date", "minWidth": 115},
    {"field": "days", "headerName": "Days", "minWidth": 90, "maxWidth": 100, **NUMBER_FILTER},
    {"field": "markets", "headerName": "Markets", "minWidth": 100},
    {"field": "status", "headerName": "Status", "minWidth": 110},
    {"field": "net_revenue_gbp", "headerName": "Net revenue", "minWidth": 127, "valueFormatter": MONEY, **NUMBER_FILTER},
    {"field": "per_mw_year_gbp", "headerName": "£/MW/yr", "minWidth": 100, "valueFormatter": MONEY, **NUMBER_FILTER},
    {"field": "capture", "headerName": "Capture", "minWidth": 95, "valueFormatter": PERCENT, **NUMBER_FILTER},
    {"field": "by", "headerName": "By", "minWidth": 120},
    {"field": "created", "headerName": "Created (UK)", "minWidth": 190},
]
CLONE_COLUMN = {"field": "clone", "headerName": "New run", "minWidth": 105, "maxWidth": 105, "pinned": "right",
                "sortable": False, "filter": False, "resizable": False, "valueGetter": {"function": "'Fill form'"},
                "cellClass": "pd-grid-action", "headerTooltip": "Fill the New run form with this run's parameters"}
"""For traders: clicking the cell fills the New run form from that row's run (callbacks.run_clone)."""
INTERVAL_COLUMNS = [
    {"field": "local_time", "headerName": "UK local time", "minWidth": 170, "pinned": "left"},
    # 100 px: "SP" with its filter icon and, once sorted, the sort arrow.
    {"field": "settlement_period", "headerName": "SP", "minWidth": 100, "maxWidth": 100},
    {"field": "da_price", "headerName": "DA £/MWh", "type": "numericColumn", "valueFormatter": PRICE},
    {"field": "id_price", "headerName": "ID £/MWh", "type": "numericColumn", "valueFormatter": PRICE},
    {"field": "da_buy_mw", "headerName": "DA buy MW", "type": "numericColumn", "valueFormatter": MW},
    {"field": "da_sell_mw", "headerName": "DA sell MW", "type": "numericColumn", "valueFormatter": MW},
    {"field": "id_buy_mw", "headerName": "ID buy MW", "type": "numericColumn", "valueFormatter": MW},
    {"field": "id_sell_mw", "headerName": "ID sell MW", "type": "numericColumn", "valueFormatter": MW},
    {"field": "charge_mw", "headerName": "Charge MW", "type": "numericColumn", "valueFormatter": MW},
    {"field": "discharge_mw", "headerName": "Discharge MW", "type": "numericColumn", "valueFormatter": MW},
    {"field": "soc_mwh", "headerName": "SoC MWh", "type": "numericColumn", "valueFormatter": MW},
    {"field": "da_cash_gbp", "headerName": "DA cash £", "type": "numericColumn", "valueFormatter": MONEY},
    {"field": "id_cash_gbp", "headerName": "ID cash £", "type": "numericColumn", "valueFormatter": MONEY},
]

PAGED_INTERVAL_COLUMNS = [
    {**column, "filter": "agNumberColumnFilter"} if column.get("type") == "numericColumn"
    or column["field"] == "settlement_period" else column
    for column in INTERVAL_COLUMNS
]


def _filters() -> dbc.Row:
    return dbc.Row([
        dbc.Col(dcc.Dropdown(id=FILTER_USER, placeholder="Any user", clearable=True), md=3),
        dbc.Col(dcc.Dropdown(id=FILTER_STATUS, placeholder="Any status", clearable=True), md=3),
        dbc.Col(dcc.DatePickerRange(id=FILTER_DATES, display_format="D MMM YYYY", clearable=True,
                                    start_date_placeholder_text="Dates from", end_date_placeholder_text="to"), md=4),
        dbc.Col(html.Div("Tick 2–4 runs to compare them.", className="small text-body-secondary"), md=2,
                className="d-flex align-items-center"),
    ], className="g-2 mb-2")


def _graph(graph_id: str, height: str) -> dcc.Loading:
    return dcc.Loading(graph(graph_id, height))


def upload_limit_bytes() -> int:
    """Largest metered-data file [bytes] the upload takes: what fits in one request, within the import's own limit."""
    return min(max_upload_bytes(), MAX_FILE_BYTES)


def _operational_tab() -> html.Div:
    upload = html.Div(upload_area(
        OP_UPLOAD, html.Div(["Import metered MW (CSV): drop a file here or ", html.A("choose one", href="#"),
                             html.Div(limit_note(upload_limit_bytes()))]),
        upload_limit_bytes(), className="border border-2 rounded p-3 text-center text-body-secondary small",
    ), id=OP_SECTION, hidden=True, className="mb-2")
    return html.Div([
        html.P(["Metered battery output per settlement period (MW, + exports) against this run's physical net "
                "flow. CSV columns: ", html.Code("interval_start_utc,metered_mw"), " or ",
                html.Code("settlement_date,settlement_period,metered_mw"), "."], className="small mb-2"),
        upload,
        html.Div(id=OP_REPORT),
        html.Div(id=OP_STATS),
        _graph(OP_CHART, "420px"),
    ], className="pt-3")


def _run_view() -> html.Div:
    monthly = html.Div([
        html.Div(dbc.Button("Download monthly (CSV)", id=MONTHLY_DOWNLOAD_BUTTON, color="secondary", outline=True,
                            size="sm"), className="d-flex justify-content-end pt-2"),
        dcc.Loading(html.Div(id=MONTHLY)),
        dcc.Download(id=MONTHLY_DOWNLOAD),
    ])
    tabs = dbc.Tabs([
        dbc.Tab(monthly, label="Monthly", tab_id="monthly"),
        dbc.Tab(_graph(DAILY_CHART, "420px"), label="Daily P&L", tab_id="daily"),
        dbc.Tab(html.Div([
            dbc.Row(dbc.Col(dcc.Dropdown(id=DAY, clearable=False, placeholder="Settlement date"), md=4),
                    className="my-2"),
            _graph(DAY_CHART, "560px"),
        ]), label="Daily operation", tab_id="operation"),
        dbc.Tab(_graph(HEATMAP, "480px"), label="SoC heatmap", tab_id="heatmap"),
        dbc.Tab(_graph(CHART, "640px"), label="Whole range", tab_id="schedule"),
        dbc.Tab(_operational_tab(), label="Schedule vs actual", tab_id="operational"),
        forecast_tab.tab(),
        dbc.Tab(html.Div(id=DETAILS, className="pt-3"), label="Details", tab_id="details"),
        dbc.Tab(html.Div([
            html.Div(dag.AgGrid(
                id=INTERVALS, columnDefs=INTERVAL_COLUMNS, rowData=[],
                defaultColDef={"resizable": True, "sortable": True, "filter": True},
                dashGridOptions={"pagination": True, "paginationPageSize": 48,
                                 "paginationPageSizeSelector": [48, 96, 336]},
                style={"height": "460px"},
            ), id=INTERVALS_ALL),
            html.Div(paged_grid(INTERVALS_PAGED, PAGED_INTERVAL_COLUMNS, 48, [48, 96, 336], "460px"),
                     id=INTERVALS_PAGED_SECTION, hidden=True),
        ], className="pt-3"), label="Intervals", tab_id="intervals"),
    ], id=TABS, active_tab="daily", className="mt-2")
    return html.Div([
        html.Div([
            html.H3(id=RUN_TITLE, className="h5 mb-0 text-break"),
            html.Div([
                dbc.Button("New run from this one", id=CLONE_BUTTON, color="primary", outline=True, size="sm",
                           className="me-2", style={"display": "none"}),
                dbc.Button("Download intervals (CSV)", id=DOWNLOAD_BUTTON, color="secondary", outline=True,
                           size="sm", disabled=True, className="me-2"),
                dbc.Button("Delete run…", id=DELETE_BUTTON, color="danger", outline=True, size="sm"),
            ], className="d-flex"),
        ], className="d-flex justify-content-between align-items-center mb-2 gap-2"),
        html.Div(id=WARNINGS),
        html.Div(id=TOTALS),
        html.Div(id=SKIPPED),
        html.Div(tabs, id=TABS_SECTION),
    ], id=VIEW, hidden=True)


def _delete_modal() -> dbc.Modal:
    return dbc.Modal([
        dbc.ModalHeader(dbc.ModalTitle("Delete this run?")),
        dbc.ModalBody(html.Div(id=DELETE_TEXT)),
        dbc.ModalFooter([
            dbc.Button("Cancel", id=DELETE_CANCEL, color="secondary", outline=True),
            dbc.Button("Delete run", id=DELETE_CONFIRM, color="danger"),
        ]),
    ], id=DELETE_MODAL, is_open=False)


def _may_run() -> bool:
    from flask import has_request_context

    from domain.roles import role_allows
    from security.authz import current_role

    return has_request_context() and role_allows(current_role(), "trader")


def layout(run=None, **_query):
    return html.Div([
        dcc.Store(id=LOAD, data=0),
        dcc.Store(id=REQUESTED, data=run),
        dcc.Store(id=SHOWN),
        dcc.Store(id=SHOWN_STATUS),
        dcc.Store(id=CHANGED),
        dcc.Store(id=DELETED, data={"n": 0, "next": None}),
        dcc.Store(id=CLONED),
        dcc.Store(id=CLONE_SCROLLED),
        dcc.Store(id=URL_SYNC),
        dcc.Store(id=CHART_RANGE),
        dcc.Store(id=INTERVALS_REFRESHED),
        dcc.Store(id=OP_IMPORTED, data=0),
        html.H2("Optimisation runs", className="h4 mb-3"),
        new_run_card(),
        dbc.Card(dbc.CardBody([
            _filters(),
            dag.AgGrid(
                id=TABLE, columnDefs=TABLE_COLUMNS + ([CLONE_COLUMN] if _may_run() else []), rowData=[], columnSize="responsiveSizeToFit",
                defaultColDef={"sortable": True, "filter": True, "resizable": True},
                dashGridOptions={"rowSelection": {"mode": "multiRow", "checkboxes": True, "headerCheckbox": False,
                                                  "enableClickSelection": True}},
                getRowId="params.data.row_id", style={"height": "260px"},
            ),
        ]), className="mb-3"),
        html.Div(id=DELETE_MESSAGE),
        html.Div(id=COMPARISON),
        html.Div(id=MESSAGE),
        _run_view(),
        _delete_modal(),
        dcc.Download(id=DOWNLOAD),
    ])
