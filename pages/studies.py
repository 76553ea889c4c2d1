"""Sizing studies: sweep power, duration, cycles, efficiency and markets over a date range; see
£/MW/year against duration; overlay two studies."""

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.graph import graph
from domain.forecasters import FORECASTER_DESCRIPTIONS
from domain.markets import MARKET_NAMES
from services.run_requests import DA_SERIES, FORESIGHTS, ID_SERIES, INTRADAY_REOPTIMISE

dash.register_page(__name__, path="/studies", name="Studies", title="Studies · Powerdesk", nav_order=25,
                   min_role="viewer")

LOAD = "studies-load"
REQUESTED = "studies-requested"
SHOWN = "studies-shown"
CHART_CARD = "studies-chart-card"
TABLE = "studies-table"
OVERLAY = "studies-overlay"
REFRESH = "studies-refresh"
PROGRESS = "studies-progress"
CANCEL = "studies-cancel"
MESSAGE = "studies-message"
CHART = "studies-chart"
POINTS = "studies-points"
DOWNLOAD_BUTTON = "studies-download-button"
DOWNLOAD = "studies-download"
NEW_SECTION = "studies-new-section"
NEW_NAME = "studies-new-name"
NEW_DATES = "studies-new-dates"
NEW_POWER = "studies-new-power"
NEW_DURATION = "studies-new-duration"
NEW_CYCLES = "studies-new-cycles"
NEW_EFFICIENCY = "studies-new-efficiency"
NEW_MARKETS = "studies-new-markets"
NEW_DA_SERIES = "studies-new-da-series"
NEW_ID_SERIES = "studies-new-id-series"
NEW_SKIP = "studies-new-skip-missing-days"
NEW_FORESIGHT = "studies-new-foresight"
NEW_INTRADAY = "studies-new-intraday-reoptimise"
NEW_SUBMIT = "studies-new-submit"
NEW_MESSAGE = "studies-new-message"

MONEY = {"function": "params.value == null ? '' : '£' + d3.format(',.0f')(params.value)"}
PERCENT = {"function": "params.value == null ? '' : d3.format('.1f')(params.value) + '%'"}
STUDY_COLUMNS = [
    {"field": "id", "headerName": "#", "maxWidth": 80},
    {"field": "name", "headerName": "Name"},
    {"field": "dates", "headerName": "Settlement dates", "minWidth": 200},
    {"field": "progress", "headerName": "Points done", "maxWidth": 140},
    {"field": "status", "headerName": "Status", "maxWidth": 130},
    {"field": "created_by", "headerName": "By", "maxWidth": 120},
]
STUDY_SELECTION = {"mode": "singleRow", "enableClickSelection": True, "checkboxes": False}
"""A row is picked by clicking it; a checkbox column would only take width (size-to-fit stretched it)."""

# Minimum widths [px] fit each header with its filter icon (and sort arrow; the battery's own parameters, one
# value or a few, and the figures are sorted but not filtered), and Status "succeeded"; together
# (1,460 px) they fit the grid at a 1,600 px window. Energy is power × hours, so its MWh are in the CSV and the
# chart's hover only. The message column takes what is left; a long message ends in "…" and shows whole on hover.
POINT_COLUMNS = [
    {"field": "point", "filter": False, "headerName": "Point", "minWidth": 80, "maxWidth": 110},
    {"field": "run_link", "headerName": "Run", "cellRenderer": "markdown", "filter": False, "minWidth": 75,
     "maxWidth": 100},  # the markdown renderer opens links in the same tab; a linkTarget key is an invalid colDef
    {"field": "status", "headerName": "Status", "minWidth": 125, "maxWidth": 140},
    {"field": "power_mw", "filter": False, "headerName": "MW", "type": "numericColumn", "minWidth": 80, "maxWidth": 110},
    {"field": "duration_h", "filter": False, "headerName": "Hours", "type": "numericColumn", "minWidth": 80, "maxWidth": 110},
    {"field": "max_cycles_per_day", "filter": False, "headerName": "Cycles per day", "type": "numericColumn", "minWidth": 95,
     "maxWidth": 140},
    {"field": "round_trip_efficiency", "filter": False, "headerName": "Round trip", "type": "numericColumn", "minWidth": 90,
     "maxWidth": 130},
    {"field": "markets", "filter": False, "headerName": "Markets", "minWidth": 95, "maxWidth": 120},
    # Foresight, then the intraday decisions (once or hourly) of a forecast-driven point; the CSV has both apart.
    {"field": "decisions", "headerName": "Foresight", "minWidth": 100, "maxWidth": 170, "tooltipField": "decisions"},
    {"field": "net_revenue_gbp", "filter": False, "headerName": "Net revenue", "type": "numericColumn", "valueFormatter": MONEY,
     "minWidth": 100, "maxWidth": 150},
    {"field": "gbp_per_mw_year", "filter": False, "headerName": "£/MW/yr", "type": "numericColumn", "valueFormatter": MONEY,
     "minWidth": 105, "maxWidth": 150},
    {"field": "gbp_per_cycle", "filter": False, "headerName": "£/cycle", "type": "numericColumn", "valueFormatter": MONEY,
     "minWidth": 105, "maxWidth": 150},
    {"field": "capture_pct", "filter": False, "headerName": "Capture %", "type": "numericColumn", "valueFormatter": PERCENT,
     "minWidth": 100, "maxWidth": 130},
    {"field": "per_year", "headerName": "£/MW/yr by calendar year (days counted)", "minWidth": 130,
     "tooltipField": "per_year"},
    {"field": "message", "headerName": "Message", "minWidth": 100, "tooltipField": "message"},
]
POINT_DEFAULTS = {"resizable": True, "sortable": True, "filter": True, "wrapHeaderText": True, "autoHeaderHeight": True}
FORESIGHT_OPTIONS = [{"label": "Perfect" if name == "perfect" else name, "value": name} for name in FORESIGHTS]
INTRADAY_LABELS = {"once": "Once, the day before", "hourly": "Hourly re-optimisation"}
INTRADAY_OPTIONS = [{"label": INTRADAY_LABELS.get(mode, mode), "value": mode} for mode in INTRADAY_REOPTIMISE]
"""Intraday decisions of forecast-driven points; perfect-foresight points decide once."""
MARKET_OPTIONS = [
    {"label": "Day-ahead, then intraday", "value": "da+id"},
    {"label": "Day-ahead only", "value": "da"},
    {"label": "Intraday only", "value": "id"},
]


def _list_input(label: str, component_id: str, value: str, unit: str, hint: str):
    return dbc.Col([
        dbc.Label(label, html_for=component_id, className="small mb-1"),
        dbc.InputGroup([dbc.Input(id=component_id, value=value, type="text", maxLength=200),
                        dbc.InputGroupText(unit)], size="sm"),
        dbc.FormText(hint),
    ], xs=12, md=6, lg=3)


def _series_select(component_id: str, label: str, series: tuple[str, ...]) -> dbc.Col:
    return dbc.Col([
        dbc.Label(label, html_for=component_id, className="small mb-1"),
        dbc.Select(id=component_id, value=series[0], size="sm",
                   options=[{"label": f"{MARKET_NAMES[m]} ({m})", "value": m} for m in series]),
    ], xs=12, md=6, lg=3)


def new_study_card() -> html.Div:
    return html.Div(dbc.Card(dbc.CardBody([
        html.H3("New study", className="h6"),
        dbc.Row([
            dbc.Col([dbc.Label("Name", html_for=NEW_NAME, className="small mb-1"),
                     dbc.Input(id=NEW_NAME, placeholder="e.g. 2023 sizing", size="sm", maxLength=120)],
                    xs=12, lg=4),
            dbc.Col([dbc.Label("Settlement dates (UK)", className="small mb-1"), html.Br(),
                     dcc.DatePickerRange(id=NEW_DATES, display_format="YYYY-MM-DD", first_day_of_week=1)],
                    xs=12, md=6, lg=4),
            dbc.Col([dbc.Label("Markets", className="small mb-1"),
                     dbc.Checklist(id=NEW_MARKETS, options=MARKET_OPTIONS, value=["da+id"], inline=True)],
                    xs=12, md=6, lg=4),
        ], className="g-2 mb-2"),
        dbc.Row([
            _list_input("Power", NEW_POWER, "50, 100", "MW", "comma-separated values"),
            _list_input("Duration", NEW_DURATION, "0.5, 1, 2, 4", "h", "energy = power × duration"),
            _list_input("Cycle limit", NEW_CYCLES, "1, 2", "per day", ""),
            _list_input("Round-trip efficiency", NEW_EFFICIENCY, "0.85", "0–1", "split evenly charge/discharge"),
        ], className="g-2 mb-2"),
        dbc.Row([
            _series_select(NEW_DA_SERIES, "Day-ahead leg", DA_SERIES),
            _series_select(NEW_ID_SERIES, "Intraday leg", ID_SERIES),
            dbc.Col(dbc.Checkbox(id=NEW_SKIP, value=False, className="mt-4 small",
                                 label="Skip days without prices (battery idle, SoC carried)"), xs=12, lg=6),
        ], className="g-2 mb-2"),
        dbc.Row([
            dbc.Col([dbc.Label("Foresight", className="small mb-1"),
                     dbc.Checklist(id=NEW_FORESIGHT, options=FORESIGHT_OPTIONS, value=["perfect"], inline=True),
                     dbc.FormText("; ".join(f"{n}: {d}" for n, d in FORECASTER_DESCRIPTIONS.items()))],
                    xs=12, lg=6),
            dbc.Col([dbc.Label("Intraday decisions", className="small mb-1"),
                     dbc.Checklist(id=NEW_INTRADAY, options=INTRADAY_OPTIONS, value=["once"], inline=True),
                     dbc.FormText("forecast-driven points only; perfect foresight decides once")], xs=12, lg=6),
        ], className="g-2 mb-2"),
        html.Div([
            dbc.Button("Run study", id=NEW_SUBMIT, color="primary", n_clicks=0, className="me-3"),
            html.Span(id=NEW_MESSAGE),
        ], className="d-flex align-items-center"),
    ])), id=NEW_SECTION, hidden=True, className="mb-3")


def layout(study=None, **_query):
    return html.Div([
        dcc.Store(id=LOAD, data=0),
        dcc.Store(id=REQUESTED, data=study),
        dcc.Store(id=SHOWN),
        dcc.Interval(id=REFRESH, interval=2000, disabled=True),
        html.H2("Sizing studies", className="h4 mb-3"),
        new_study_card(),
        dbc.Card(dbc.CardBody(dag.AgGrid(
            id=TABLE, columnDefs=STUDY_COLUMNS, rowData=[], columnSize="responsiveSizeToFit",
            dashGridOptions={"rowSelection": STUDY_SELECTION},
            getRowId="params.data.row_id", style={"height": "200px"},
        )), className="mb-3"),
        dbc.Row([
            dbc.Col([dbc.Label("Overlay another study", html_for=OVERLAY, className="small mb-1"),
                     dcc.Dropdown(id=OVERLAY, options=[], placeholder="none", clearable=True)], xs=12, md=4),
            dbc.Col(html.Div([
                html.Div(id=PROGRESS, className="me-2 small text-md-end", style={"minWidth": 0, "flex": "1 1 auto"}),
                dbc.Button("Cancel study", id=CANCEL, color="danger", outline=True, size="sm", className="me-2",
                           style={"display": "none"}),
                dbc.Button("Download points (CSV)", id=DOWNLOAD_BUTTON, color="secondary", outline=True, size="sm",
                           disabled=True),
            ], className="d-flex flex-wrap align-items-end justify-content-end gap-1 h-100"), xs=12, md=8),
        ], className="g-2 mb-2"),
        html.Div(id=MESSAGE),
        dbc.Card(dbc.CardBody(graph(CHART, "620px")), id=CHART_CARD,
                 className="mb-3"),
        dbc.Card(dbc.CardBody(dag.AgGrid(
            id=POINTS, columnDefs=POINT_COLUMNS, rowData=[], defaultColDef=POINT_DEFAULTS,
            columnSize="responsiveSizeToFit",
            getRowId="params.data.row_id", style={"height": "360px"},
        ))),
        dcc.Download(id=DOWNLOAD),
    ])
