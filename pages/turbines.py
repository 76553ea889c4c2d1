"""Turbines: the wind fleet live (tiles, KPIs), per-turbine history and power curve, repair log, downloads."""

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.graph import graph

dash.register_page(__name__, path="/turbines", name="Turbines", title="Turbines · Powerdesk", nav_order=40,
                   min_role="viewer")

REFRESH_MS = 3000
"""How often the live parts of the page refresh [ms]."""

LOAD = "turbines-load"
INTERVAL = "turbines-interval"
UPDATED = "turbines-updated"
KPIS = "turbines-kpis"
TILES = "turbines-tiles"
TURBINE = "turbines-turbine"
WINDOW = "turbines-window"
HISTORY = "turbines-history"
CURVE = "turbines-curve"
MESSAGE = "turbines-message"
REPAIRS = "turbines-repairs"
REPAIRS_SIZED = "turbines-repairs-sized"
DOWNLOAD_TURBINES = "turbines-download-turbines"
DOWNLOAD_BUTTON = "turbines-download-button"
DOWNLOAD = "turbines-download"
DOWNLOAD_MESSAGE = "turbines-download-message"

WINDOWS = {15: "15 min", 60: "1 hour", 360: "6 hours", 1440: "24 hours"}
"""History windows [minutes] -> label."""

REPAIR_COLUMNS = [
    {"field": "id", "headerName": "#", "maxWidth": 80},
    {"field": "turbine", "headerName": "Turbine", "minWidth": 150},
    {"field": "status", "headerName": "Status", "maxWidth": 120},
    {"field": "engineer", "headerName": "Engineer"},
    {"field": "incident", "headerName": "Broken since (UK)", "minWidth": 190},
    {"field": "assigned", "headerName": "Assigned", "minWidth": 190},
    {"field": "started", "headerName": "Repair started", "minWidth": 190},
    {"field": "completed", "headerName": "Repair done", "minWidth": 190},
    {"field": "resolved", "headerName": "Back to ok", "minWidth": 210},
    {"field": "time_to_repair", "headerName": "Opened → done", "maxWidth": 150},
]


def layout(**_query):
    controls = dbc.Row([
        dbc.Col([dbc.Label("Turbine", html_for=TURBINE),
                 dcc.Dropdown(id=TURBINE, options=[], clearable=False, placeholder="Choose a turbine")], md=3),
        dbc.Col([dbc.Label("Window"),
                 dbc.RadioItems(id=WINDOW, inline=True, value=60,
                                options=[{"label": label, "value": minutes} for minutes, label in WINDOWS.items()])],
                md="auto"),
    ], className="g-3 mb-2")
    download = dbc.Card(dbc.CardBody([
        html.H3("Download metrics", className="h6"),
        dbc.Row([
            dbc.Col(dcc.Dropdown(id=DOWNLOAD_TURBINES, options=[], multi=True,
                                 placeholder="Turbines (one gives a CSV, several a ZIP of CSVs)"), md=6),
            dbc.Col(dbc.Button("Download the chosen window", id=DOWNLOAD_BUTTON, color="secondary", outline=True),
                    md="auto"),
        ], className="g-2"),
        html.Div(id=DOWNLOAD_MESSAGE, className="mt-2"),
        dcc.Download(id=DOWNLOAD),
    ]), className="mb-3")
    return html.Div([
        dcc.Store(id=LOAD, data=0),
        dcc.Store(id=REPAIRS_SIZED),
        dcc.Interval(id=INTERVAL, interval=REFRESH_MS),
        html.Div([
            html.H2("Wind fleet", className="h4 mb-0"),
            html.Span(id=UPDATED, className="small text-body-secondary"),
        ], className="d-flex justify-content-between align-items-baseline mb-2"),
        html.Div(id=KPIS, className="mb-2"),
        html.Div(id=TILES, className="mb-3"),
        dbc.Card(dbc.CardBody([
            controls,
            html.Div(id=MESSAGE),
            dbc.Row([
                dbc.Col(graph(HISTORY, "380px"), lg=7),
                dbc.Col(graph(CURVE, "380px"), lg=5),
            ]),
        ]), className="mb-3"),
        download,
        dbc.Card([
            dbc.CardHeader("Repair log"),
            dbc.CardBody(dag.AgGrid(
                id=REPAIRS, columnDefs=REPAIR_COLUMNS, rowData=[], getRowId="params.data.row_id",
                # Each column as wide as its longest time or name (the grid scrolls sideways at 1280 px):
                # fixed widths cut "2026-12-03 13:14:48 GMT" and long engineers' names. The grid sizes once,
                # at its first draw, which on a busy machine is before the rows arrive: callbacks/turbines
                # sizes the columns again whenever the rows change.
                columnSize="autoSize",
                defaultColDef={"resizable": True, "sortable": True, "filter": True},
                dashGridOptions={"pagination": True, "paginationPageSize": 20}, style={"height": "420px"},
            )),
        ]),
    ])
