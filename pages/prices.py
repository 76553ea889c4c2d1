"""Prices: explore stored prices by GB settlement date (series, DA−ID spread, day × period heatmap,
distribution, daily statistics); traders can import a price file of any supported format."""

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.graph import graph
from components.price_figures import DAILY_STATS_COLUMNS
from components.upload_flow import FlowIds, upload_flow_area
from components.uploads import limit_note
from domain.markets import MARKET_NAMES
from security.request_checks import max_upload_bytes

dash.register_page(__name__, path="/prices", name="Prices", title="Prices · Powerdesk", nav_order=10,
                   min_role="viewer")

LOAD = "prices-load"
DATES = "prices-dates"
DATES_HINT = "prices-dates-hint"
"""Which dates can be picked: the calendar ignores a date typed outside them."""
MARKETS = "prices-markets"
DEFAULT_MARKETS = tuple(MARKET_NAMES)
"""Ticked when the page opens; it opens on the latest week that has all of them."""
MESSAGE = "prices-message"
CHART = "prices-chart"
SPREAD_CHART = "prices-spread-chart"
HEATMAP = "prices-heatmap"
HEATMAP_MARKET = "prices-heatmap-market"
DISTRIBUTION = "prices-distribution"
STATS_GRID = "prices-stats-grid"
STATS_DOWNLOAD_BUTTON = "prices-stats-download-button"
CONFLICTS = "prices-conflicts"
TABLE = "prices-table"
DOWNLOAD_BUTTON = "prices-download-button"
DOWNLOAD = "prices-download"
UPLOAD_SECTION = "prices-upload-section"
UPLOAD_FLOW = FlowIds("prices")
UPLOAD = UPLOAD_FLOW.upload
UPLOAD_FORMAT = "prices-upload-format"
UPLOAD_STATUS = UPLOAD_FLOW.status
COVERAGE = "prices-coverage"
PRECEDENCE = "prices-precedence"

_PRICE = {"type": "numericColumn",
          "valueFormatter": {"function": "params.value == null ? '' : d3.format('.2f')(params.value)"}}
TABLE_COLUMNS = [
    {"field": "local_time", "headerName": "UK local time", "minWidth": 170},
    {"field": "settlement_date", "headerName": "Settlement date"},
    {"field": "settlement_period", "headerName": "SP", "maxWidth": 80, "type": "numericColumn"},
    *[{"field": market, "headerName": f"{name} £/MWh", **_PRICE} for market, name in MARKET_NAMES.items()],
    *[{"field": f"{market}_source", "headerName": f"{name} source", "minWidth": 160}
      for market, name in MARKET_NAMES.items()],
]


def upload_limit_bytes() -> int:
    """Largest price file [bytes] the upload takes: what fits in one request."""
    return max_upload_bytes()


def _card(body, class_name="mt-3"):
    return dbc.Card(dbc.CardBody(body), className=class_name)


def layout(**_query):
    controls = dbc.Card(
        dbc.CardBody(
            dbc.Row(
                [
                    dbc.Col([dbc.Label("Settlement dates (UK)"), html.Br(),
                             dcc.DatePickerRange(id=DATES, display_format="YYYY-MM-DD", first_day_of_week=1),
                             dbc.FormText(id=DATES_HINT)],
                            md="auto"),
                    dbc.Col([dbc.Label("Markets"),
                             dbc.Checklist(id=MARKETS, inline=True, value=list(DEFAULT_MARKETS),
                                           options=[{"label": name, "value": market}
                                                    for market, name in MARKET_NAMES.items()])], md="auto"),
                    dbc.Col(dbc.Button("Download prices CSV", id=DOWNLOAD_BUTTON, color="secondary", outline=True),
                            md="auto", className="ms-auto align-self-end"),
                ],
                className="g-3",
            )
        ),
        className="mb-3",
    )
    upload = html.Div(
        _card([
            html.H3("Import prices from a file", className="h6"),
            html.P(["Seed DA/ID CSV (", html.Code("time, day-ahead, intra-day"), " or ",
                    html.Code("interval_start_utc, day_ahead, intraday"), "), Elexon Market Index Data CSV (Insights "
                    "or the portal's export), Elexon system prices CSV, or EPEX hourly day-ahead CSV (one row per "
                    "day); .csv.gz too. You see what the file would change "
                    "before anything is stored, and confirm. A file with any rejected line (line, column and "
                    "reason are listed) is refused whole, unless you choose to import its good lines anyway. A "
                    "price that differs from another source's is kept beside it; which one is used follows the "
                    "source precedence below. Importing the same file again changes nothing; an import can be "
                    "undone. EPEX clock-change days are refused. ",
                    limit_note(upload_limit_bytes())],
                   className="small text-body-secondary mb-2"),
            dbc.Row([
                dbc.Col(dcc.Dropdown(id=UPLOAD_FORMAT, value="auto", clearable=False, searchable=False,
                                     options=[{"label": "Detect the format", "value": "auto"},
                                              {"label": "Seed DA/ID", "value": "seed"},
                                              {"label": "Elexon MID", "value": "mid"},
                                              {"label": "Elexon portal MID export", "value": "mid_portal"},
                                              {"label": "Elexon system prices", "value": "system"},
                                              {"label": "EPEX hourly day-ahead", "value": "epex"}]),
                        md=3),
            ], className="g-2 align-items-center mb-2"),
            upload_flow_area(UPLOAD_FLOW, dbc.Button("Choose a price file…", color="primary", outline=True),
                             upload_limit_bytes()),
        ]),
        id=UPLOAD_SECTION,
        hidden=True,
    )
    stats = _card([
        html.Div([
            html.H3("Daily statistics", className="h6 mb-0"),
            dbc.Button("Download statistics CSV", id=STATS_DOWNLOAD_BUTTON, size="sm", color="secondary",
                       outline=True),
        ], className="d-flex justify-content-between align-items-center mb-2"),
        html.P("Peak is 07:00–19:00 UK time. Best spreads: buy over the cheapest 1 h (2 h) window and sell over a "
               "later, dearer one on the same settlement day; SPs are the windows' first periods.",
               className="small text-body-secondary mb-2"),
        dag.AgGrid(id=STATS_GRID, columnDefs=DAILY_STATS_COLUMNS, rowData=[],
                   defaultColDef={"sortable": True, "resizable": True, "filter": True, "minWidth": 110},
                   csvExportParams={"fileName": "powerdesk_daily_price_statistics.csv"},
                   dashGridOptions={"pagination": True, "paginationPageSize": 30,
                                    "paginationPageSizeSelector": [30, 90, 366]}, style={"height": "380px"}),
    ])
    heatmap = _card([
        dbc.Row([
            dbc.Col(dbc.Label("Heatmap of", className="mb-0"), width="auto"),
            dbc.Col(dbc.RadioItems(id=HEATMAP_MARKET, inline=True, value="day_ahead",
                                   options=[{"label": name, "value": market}
                                            for market, name in MARKET_NAMES.items()]), width="auto"),
        ], className="g-2 align-items-center"),
        dcc.Loading(graph(HEATMAP, "460px")),
    ])
    return html.Div(
        [
            dcc.Store(id=LOAD, data=0),
            html.H2("Prices", className="h4 mb-3"),
            controls,
            html.Div(id=COVERAGE, className="mb-3"),
            html.Div(id=MESSAGE),
            _card(dcc.Loading(graph(CHART, "420px")), ""),
            dbc.Row([
                dbc.Col(_card(dcc.Loading(graph(SPREAD_CHART, "340px"))), lg=6),
                dbc.Col(_card(dcc.Loading(graph(DISTRIBUTION, "340px"))), lg=6),
            ], className="g-3"),
            heatmap,
            stats,
            html.Div(id=CONFLICTS),
            _card(dag.AgGrid(id=TABLE, columnDefs=TABLE_COLUMNS, rowData=[],
                             defaultColDef={"sortable": True, "resizable": True, "filter": True},
                             columnSize="responsiveSizeToFit",
                             dashGridOptions={"pagination": True, "paginationPageSize": 48,
                                              "paginationPageSizeSelector": [46, 48, 50, 96, 336]},
                             style={"height": "420px"})),
            dcc.Download(id=DOWNLOAD),
            html.Div(id=PRECEDENCE, className="small text-body-secondary mt-2"),
            upload,
        ]
    )
