"""Runs: stored optimisation runs; pick one to see its schedule, totals and intervals."""

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.run_form import new_run_card

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
CHANGED = "runs-changed"
"""Store the New run form bumps when a run is queued or ends, so the runs grid refreshes."""

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


def layout(run=None, **_query):
    return html.Div([
        dcc.Store(id=LOAD, data=0),
        dcc.Store(id=REQUESTED, data=run),
        dcc.Store(id=SHOWN),
        dcc.Store(id=CHANGED),
        html.Div([
            html.H2("Optimisation runs", className="h4 mb-0"),
            dbc.Button("Download intervals (CSV)", id=DOWNLOAD_BUTTON, color="secondary", outline=True, size="sm"),
        ], className="d-flex justify-content-between align-items-center mb-3"),
        new_run_card(),
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
