"""Runs: stored optimisation runs; pick one to see its schedule, totals and intervals."""

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

dash.register_page(__name__, path="/runs", name="Runs", title="Runs · Powerdesk", nav_order=20, min_role="viewer")

LOAD = "runs-load"
REQUESTED = "runs-requested"
SHOWN = "runs-shown"
TABLE = "runs-table"
MESSAGE = "runs-message"
TOTALS = "runs-totals"
CHART = "runs-chart"
INTERVALS = "runs-intervals"
DOWNLOAD_BUTTON = "runs-download-button"
DOWNLOAD = "runs-download"
NEW_SECTION = "runs-new-section"
NEW_DATES = "runs-new-dates"
NEW_POWER = "runs-new-power"
NEW_ENERGY = "runs-new-energy"
NEW_CHARGE_EFFICIENCY = "runs-new-charge-efficiency"
NEW_DISCHARGE_EFFICIENCY = "runs-new-discharge-efficiency"
NEW_CYCLES = "runs-new-cycles"
NEW_DEGRADATION = "runs-new-degradation"
NEW_MARKETS = "runs-new-markets"
NEW_NAME = "runs-new-name"
NEW_SUBMIT = "runs-new-submit"
NEW_MESSAGE = "runs-new-message"
NEW_PROGRESS = "runs-new-progress"
QUEUED = "runs-queued"

MARKET_OPTIONS = [
    {"label": "Day-ahead, then intraday", "value": "da+id"},
    {"label": "Day-ahead only", "value": "da"},
    {"label": "Intraday only", "value": "id"},
    {"label": "Both at once (perfect-foresight bound)", "value": "joint"},
]

MONEY = {"function": "params.value == null ? '' : '£' + d3.format(',.0f')(params.value)"}
MW = {"function": "d3.format('.1f')(params.value)"}
TABLE_COLUMNS = [
    {"field": "id", "headerName": "#", "maxWidth": 80},
    {"field": "name", "headerName": "Name"},
    {"field": "dates", "headerName": "Settlement dates", "minWidth": 200},
    {"field": "markets", "headerName": "Markets", "maxWidth": 110},
    {"field": "status", "headerName": "Status"},
    {"field": "net_revenue_gbp", "headerName": "Net revenue", "type": "numericColumn", "valueFormatter": MONEY},
    {"field": "capture", "headerName": "Capture %", "type": "numericColumn", "maxWidth": 120},
    {"field": "by", "headerName": "By", "maxWidth": 110},
    {"field": "created", "headerName": "Created (UK time)"},
]
INTERVAL_COLUMNS = [
    {"field": "local_time", "headerName": "UK local time", "minWidth": 170, "pinned": "left"},
    {"field": "settlement_period", "headerName": "SP", "maxWidth": 70},
    {"field": "da_price", "headerName": "DA £/MWh", "type": "numericColumn"},
    {"field": "id_price", "headerName": "ID £/MWh", "type": "numericColumn"},
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


def _number(label: str, component_id: str, value: float, unit: str, step: float, minimum: float = 0):
    return dbc.Col([
        dbc.Label(label, html_for=component_id, className="small mb-1"),
        dbc.InputGroup([dbc.Input(id=component_id, type="number", value=value, min=minimum, step=step),
                        dbc.InputGroupText(unit)], size="sm"),
    ], xs=6, md=3, lg=2)


def new_run_form() -> html.Div:
    """The trader's form: battery, dates and markets; the run is solved in the background."""
    return html.Div(dbc.Card(dbc.CardBody([
        html.H3("New run", className="h6"),
        dbc.Row([
            dbc.Col([dbc.Label("Settlement dates (UK)", className="small mb-1"), html.Br(),
                     dcc.DatePickerRange(id=NEW_DATES, display_format="YYYY-MM-DD", first_day_of_week=1)],
                    xs=12, md=6, lg=4),
            dbc.Col([dbc.Label("Markets", html_for=NEW_MARKETS, className="small mb-1"),
                     dbc.Select(id=NEW_MARKETS, options=MARKET_OPTIONS, value="da+id", size="sm")], xs=12, md=6, lg=4),
            dbc.Col([dbc.Label("Name", html_for=NEW_NAME, className="small mb-1"),
                     dbc.Input(id=NEW_NAME, placeholder="optional label", size="sm", maxLength=120)], xs=12, lg=4),
        ], className="g-2 mb-2"),
        dbc.Row([
            _number("Power", NEW_POWER, 100, "MW", 1),
            _number("Energy", NEW_ENERGY, 200, "MWh", 1),
            _number("Charge efficiency", NEW_CHARGE_EFFICIENCY, 0.95, "0–1", 0.01),
            _number("Discharge efficiency", NEW_DISCHARGE_EFFICIENCY, 0.95, "0–1", 0.01),
            _number("Cycle limit", NEW_CYCLES, 2, "per day", 0.5),
            _number("Degradation", NEW_DEGRADATION, 0, "£/MWh", 1),
        ], className="g-2 mb-3"),
        html.Div([
            dbc.Button("Run optimisation", id=NEW_SUBMIT, color="primary", n_clicks=0, className="me-3"),
            html.Progress(id=NEW_PROGRESS, value="0", max="1", style={"visibility": "hidden", "width": "240px"}),
        ], className="d-flex align-items-center"),
        html.Div(id=NEW_MESSAGE, className="mt-2"),
    ])), id=NEW_SECTION, hidden=True, className="mb-3")


def layout(run=None, **_query):
    return html.Div([
        dcc.Store(id=LOAD, data=0),
        dcc.Store(id=REQUESTED, data=run),
        dcc.Store(id=SHOWN),
        dcc.Store(id=QUEUED),
        html.Div([
            html.H2("Optimisation runs", className="h4 mb-0"),
            dbc.Button("Download intervals (CSV)", id=DOWNLOAD_BUTTON, color="secondary", outline=True, size="sm"),
        ], className="d-flex justify-content-between align-items-center mb-3"),
        new_run_form(),
        dbc.Card(dbc.CardBody(dag.AgGrid(
            id=TABLE, columnDefs=TABLE_COLUMNS, rowData=[], columnSize="responsiveSizeToFit",
            dashGridOptions={"rowSelection": {"mode": "singleRow", "enableClickSelection": True}},
            getRowId="params.data.row_id", style={"height": "240px"},
        )), className="mb-3"),
        html.Div(id=MESSAGE),
        html.Div(id=TOTALS),
        dbc.Card(dbc.CardBody(dcc.Loading(dcc.Graph(id=CHART, style={"height": "640px"})))),
        dbc.Card(dbc.CardBody(dag.AgGrid(
            id=INTERVALS, columnDefs=INTERVAL_COLUMNS, rowData=[], defaultColDef={"resizable": True, "sortable": True},
            dashGridOptions={"pagination": True, "paginationPageSize": 48, "paginationPageSizeSelector": [48, 96, 336]},
            style={"height": "420px"},
        )), className="mt-3"),
        dcc.Download(id=DOWNLOAD),
    ])
