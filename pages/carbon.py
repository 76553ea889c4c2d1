"""Carbon: half-hourly footprints of metered assets (COV power × grid intensity) and of battery runs."""

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.carbon_figures import tradeoff_figure
from components.feedback import info_alert
from components.graph import graph
from components.upload_flow import FlowIds, upload_flow_area
from components.uploads import limit_note
from security.request_checks import max_upload_bytes
from services.footprint import MAX_FILE_BYTES

dash.register_page(__name__, path="/carbon", name="Carbon", title="Carbon · Powerdesk", nav_order=30,
                   min_role="viewer")

LOAD = "carbon-load"
TABS = "carbon-tabs"
ASSET = "carbon-asset"
DATE = "carbon-date"
RANGE = "carbon-range"
MESSAGE = "carbon-message"
CHART = "carbon-chart"
TOTALS = "carbon-totals"
DOWNLOAD_BUTTON = "carbon-download-button"
DOWNLOAD = "carbon-download"
UPLOAD_SECTION = "carbon-upload-section"
UPLOAD_FLOW = FlowIds("carbon")
UPLOAD = UPLOAD_FLOW.upload
REGISTER_ASSETS = "carbon-register-assets"
UPLOAD_STATUS = UPLOAD_FLOW.status
RUN = "carbon-run"
RUN_MESSAGE = "carbon-run-message"
RUN_CHART = "carbon-run-chart"
RUN_TOTALS = "carbon-run-totals"
RUN_DOWNLOAD_BUTTON = "carbon-run-download-button"
RUN_DOWNLOAD = "carbon-run-download"
TRADEOFF_SECTION = "carbon-tradeoff-section"
TRADEOFF_BUTTON = "carbon-tradeoff-button"
TRADEOFF_STATUS = "carbon-tradeoff-status"
TRADEOFF_CHART = "carbon-tradeoff-chart"
TRADEOFF_REASON = "carbon-tradeoff-reason"
TRADEOFF_SUMMARY = "carbon-tradeoff-summary"
TRADEOFF_TABLE = "carbon-tradeoff-table"

DEFAULT_ASSET = "abc123xyz"
DEFAULT_DATE = "2019-11-25"
DEFAULT_RANGE = (14, 20)


def upload_limit_bytes() -> int:
    """Largest COV power file [bytes] the upload takes: what fits in one request, within the import's own limit."""
    return min(max_upload_bytes(), MAX_FILE_BYTES)


def _int_or(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _assets_tab(asset, day, first, last):
    controls = dbc.Card(dbc.CardBody(dbc.Row([
        dbc.Col([dbc.Label("Asset", html_for=ASSET),
                 dcc.Dropdown(id=ASSET, value=asset, clearable=False, placeholder="Choose an asset")], md=4),
        dbc.Col([dbc.Label("Date (UK)", html_for=DATE), html.Br(),
                 dcc.DatePickerSingle(id=DATE, date=day, display_format="YYYY-MM-DD", first_day_of_week=1)],
                md="auto"),
        dbc.Col([dbc.Label("HalfHourId range"),
                 dcc.RangeSlider(id=RANGE, min=1, max=48, step=1, value=[first, last], allowCross=False,
                                 marks={i: str(i) for i in (1, 12, 24, 36, 48)},
                                 tooltip={"placement": "bottom", "always_visible": True})], md=True),
        dbc.Col(dbc.Button("Download CSV", id=DOWNLOAD_BUTTON, color="secondary", outline=True),
                md="auto", className="align-self-end"),
    ], className="g-3")), className="mb-3")
    upload = html.Div(dbc.Card(dbc.CardBody([
        html.H3("Add power readings from a file", className="h6"),
        html.P(["COV CSV with columns ", html.Code("Time, Variable, AssetId, Value"),
                " (power in kW, negative = export; times without an offset are UTC). Every row is checked "
                "and you see what the file would add before you confirm; a file with any bad row is refused "
                "whole; readings already stored are skipped. ", limit_note(upload_limit_bytes())],
               className="small text-body-secondary mb-2"),
        dbc.Checklist(id=REGISTER_ASSETS, options=[{"label": "Register asset ids not seen before", "value": "yes"}],
                      value=[], switch=True, className="mb-2"),
        upload_flow_area(UPLOAD_FLOW, dbc.Button("Choose a CSV file…", color="primary", outline=True),
                         upload_limit_bytes()),
    ]), className="mt-3"), id=UPLOAD_SECTION, hidden=True)
    return html.Div([
        controls,
        html.Div(id=MESSAGE),
        html.Div(id=TOTALS, className="mb-2"),
        dbc.Card(dbc.CardBody(dcc.Loading(graph(CHART, "460px")))),
        html.P("Power is the time-weighted average of the change-of-value readings (each holds until the next). "
               "Energy = power × 0.5 h; footprint = energy × the actual national intensity, else the forecast. "
               "Unknown half-hours (before the asset's first reading, or without intensity) stay unknown.",
               className="small text-body-secondary mt-2"),
        dcc.Download(id=DOWNLOAD),
        upload,
    ], className="pt-3")


def _runs_tab():
    return html.Div([
        dbc.Card(dbc.CardBody(dbc.Row([
            dbc.Col([dbc.Label("Stored run", html_for=RUN),
                     dcc.Dropdown(id=RUN, placeholder="Choose a run", clearable=False)], md=6),
            dbc.Col(dbc.Button("Download CSV", id=RUN_DOWNLOAD_BUTTON, color="secondary", outline=True),
                    md="auto", className="align-self-end"),
        ], className="g-3")), className="mb-3"),
        html.Div(id=RUN_MESSAGE),
        html.Div(id=RUN_TOTALS, className="mb-2"),
        dbc.Card(dbc.CardBody(dcc.Loading(graph(RUN_CHART, "420px")))),
        html.Div(dbc.Card(dbc.CardBody([
            html.H3("Carbon trade-off", className="h6"),
            html.P("Solves this run again at carbon prices of £0, 50, 100, 200 and 400 per tCO2 (each stored as an "
                   "ordinary run; identical runs are reopened, and £0 is this run itself when it has no carbon "
                   "price) and opens what cleaner operation costs in the Carbon trade-off tab. It runs while you "
                   "wait, for runs of up to 14 days with stored intensity.",
                   className="small text-body-secondary mb-2"),
            html.Div([dbc.Button("Run carbon trade-off", id=TRADEOFF_BUTTON, color="primary", disabled=True),
                      html.Span("Choose a stored run above first.", id=TRADEOFF_REASON,
                                className="small text-body-secondary ms-2")],
                     className="d-flex align-items-center flex-wrap"),
            dcc.Loading(html.Div(id=TRADEOFF_STATUS, className="mt-2")),
        ]), className="mt-3"), id=TRADEOFF_SECTION, hidden=True),
    ], className="pt-3")


def _tradeoff_tab():
    return html.Div([
        html.Div(id=TRADEOFF_SUMMARY, children=info_alert(
            "No trade-off yet: choose a run in Battery runs and press Run carbon trade-off (traders).")),
        dbc.Card(dbc.CardBody(graph(TRADEOFF_CHART, "440px", figure=tradeoff_figure([], None)))),
        html.Div(id=TRADEOFF_TABLE, className="mt-3"),
        html.P("Revenue is shown without the carbon charge. With day-ahead then intraday, a carbon price can move "
               "the day-ahead position (fixed before intraday prices are known) to where intraday pays more, so "
               "revenue may rise at a low carbon price.", className="small text-body-secondary mt-2"),
    ], className="pt-3")


def layout(asset=None, date=None, **query):
    first = _int_or(query.get("from"), DEFAULT_RANGE[0])
    last = _int_or(query.get("to"), DEFAULT_RANGE[1])
    return html.Div([
        dcc.Store(id=LOAD, data=0),
        html.H2("Carbon", className="h4 mb-3"),
        dbc.Tabs([
            dbc.Tab(_assets_tab(asset or DEFAULT_ASSET, date or DEFAULT_DATE, first, last), label="Metered assets",
                    tab_id="assets"),
            dbc.Tab(_runs_tab(), label="Battery runs", tab_id="runs"),
            dbc.Tab(_tradeoff_tab(), label="Carbon trade-off", tab_id="tradeoff"),
        ], id=TABS, active_tab="assets"),
    ])
