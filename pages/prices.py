"""Prices: explore stored DA and ID prices by GB settlement date; traders can upload a price file."""

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from security.request_checks import max_upload_bytes

dash.register_page(__name__, path="/prices", name="Prices", title="Prices · Powerdesk", nav_order=10,
                   min_role="viewer")

LOAD = "prices-load"
DATES = "prices-dates"
MARKETS = "prices-markets"
MESSAGE = "prices-message"
CHART = "prices-chart"
TABLE = "prices-table"
DOWNLOAD_BUTTON = "prices-download-button"
DOWNLOAD = "prices-download"
UPLOAD_SECTION = "prices-upload-section"
UPLOAD = "prices-upload"
UPLOAD_STATUS = "prices-upload-status"

TABLE_COLUMNS = [
    {"field": "local_time", "headerName": "UK local time", "minWidth": 170},
    {"field": "settlement_date", "headerName": "Settlement date"},
    {"field": "settlement_period", "headerName": "SP", "maxWidth": 80, "type": "numericColumn"},
    {"field": "day_ahead", "headerName": "Day-ahead £/MWh", "type": "numericColumn",
     "valueFormatter": {"function": "d3.format('.2f')(params.value)"}},
    {"field": "intraday", "headerName": "Intraday £/MWh", "type": "numericColumn",
     "valueFormatter": {"function": "d3.format('.2f')(params.value)"}},
]


def layout(**_query):
    controls = dbc.Card(
        dbc.CardBody(
            dbc.Row(
                [
                    dbc.Col([dbc.Label("Settlement dates (UK)"), html.Br(),
                             dcc.DatePickerRange(id=DATES, display_format="YYYY-MM-DD", first_day_of_week=1)],
                            md="auto"),
                    dbc.Col([dbc.Label("Markets"),
                             dbc.Checklist(id=MARKETS, inline=True, value=["day_ahead", "intraday"],
                                           options=[{"label": "Day-ahead", "value": "day_ahead"},
                                                    {"label": "Intraday", "value": "intraday"}])], md="auto"),
                    dbc.Col(dbc.Button("Download CSV", id=DOWNLOAD_BUTTON, color="secondary", outline=True),
                            md="auto", className="ms-auto align-self-end"),
                ],
                className="g-3",
            )
        ),
        className="mb-3",
    )
    upload = html.Div(
        dbc.Card(
            dbc.CardBody(
                [
                    html.H3("Add prices from a file", className="h6"),
                    html.P(["CSV with columns ", html.Code("interval_start_utc"), " (ISO 8601), ",
                            html.Code("day_ahead"), " and/or ", html.Code("intraday"),
                            f" in £/MWh, up to {max_upload_bytes() / 1e6:.0f} MB (a larger file is not "
                            "sent; split it). All rows are checked before anything is stored."],
                           className="small text-body-secondary mb-2"),
                    dcc.Upload(id=UPLOAD, children=dbc.Button("Choose a CSV file…", color="primary", outline=True),
                               multiple=False, max_size=max_upload_bytes()),
                    html.Div(id=UPLOAD_STATUS, className="mt-2"),
                ]
            ),
            className="mt-3",
        ),
        id=UPLOAD_SECTION,
        hidden=True,
    )
    return html.Div(
        [
            dcc.Store(id=LOAD, data=0),
            html.H2("Prices", className="h4 mb-3"),
            controls,
            html.Div(id=MESSAGE),
            dbc.Card(dbc.CardBody(dcc.Loading(dcc.Graph(id=CHART, style={"height": "420px"})))),
            dbc.Card(dbc.CardBody(dag.AgGrid(id=TABLE, columnDefs=TABLE_COLUMNS, rowData=[],
                                             defaultColDef={"sortable": True, "resizable": True, "filter": True},
                                             columnSize="responsiveSizeToFit",
                                             dashGridOptions={"pagination": True, "paginationPageSize": 48,
                                                              "paginationPageSizeSelector": [48, 96, 336]},
                                             style={"height": "420px"})), className="mt-3"),
            dcc.Download(id=DOWNLOAD),
            upload,
        ]
    )
