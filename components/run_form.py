"""The New run form (trader, admin): every battery parameter, dates, markets and price series, and the
solver's Advanced settings; each field is checked as the user types, with the message beside it.

Mounted on the Runs page by ``new_run_card()``. It tells the page what happened through two of the
page's stores: ``runs-requested`` (the run to show) and ``runs-changed`` (refresh the runs grid).
"""

from __future__ import annotations

from dataclasses import dataclass

import dash_bootstrap_components as dbc
from dash import dcc, html

from domain.markets import MARKET_NAMES
from services.run_requests import DA_SERIES, ID_SERIES

NEW_SECTION = "runs-new-section"
NEW_START = "runs-new-start"
NEW_END = "runs-new-end"
NEW_COVERAGE = "runs-new-coverage"
NEW_DATES_MSG = "runs-new-dates-msg"
NEW_MARKETS = "runs-new-markets"
NEW_DA_SERIES = "runs-new-da-series"
NEW_ID_SERIES = "runs-new-id-series"
NEW_SKIP = "runs-new-skip-missing-days"
NEW_NAME = "runs-new-name"
NEW_POWER = "runs-new-power"
NEW_ENERGY = "runs-new-energy"
NEW_CHARGE_EFFICIENCY = "runs-new-charge-efficiency"
NEW_DISCHARGE_EFFICIENCY = "runs-new-discharge-efficiency"
NEW_SOC_MIN = "runs-new-soc-min"
NEW_SOC_MAX = "runs-new-soc-max"
NEW_INITIAL_SOC = "runs-new-initial-soc"
NEW_TERMINAL = "runs-new-terminal"
NEW_IMPORT_LIMIT = "runs-new-import-limit"
NEW_EXPORT_LIMIT = "runs-new-export-limit"
NEW_CYCLES = "runs-new-cycles"
NEW_DEGRADATION = "runs-new-degradation"
NEW_CARBON = "runs-new-carbon"
NEW_TIME_LIMIT = "runs-new-time-limit"
NEW_MIP_GAP = "runs-new-mip-gap"
NEW_BINARY = "runs-new-binary"
NEW_SUBMIT = "runs-new-submit"
NEW_CANCEL = "runs-new-cancel"
NEW_MESSAGE = "runs-new-message"
NEW_PROBLEMS = "runs-new-problems"
"""Every problem of the form at once, listed beside the Run button as the user types."""
NEW_FORESIGHT = "runs-new-foresight"
NEW_REOPTIMISE = "runs-new-intraday-reoptimise"
NEW_PROGRESS = "runs-new-progress"
NEW_PROGRESS_ROW = "runs-new-progress-row"
NEW_POLL = "runs-new-poll"
QUEUED = "runs-queued"
"""Store: the run this form is watching (queued or running), or None."""

MARKET_OPTIONS = [
    {"label": "Day-ahead, then intraday", "value": "da+id"},
    {"label": "Day-ahead only", "value": "da"},
    {"label": "Intraday only", "value": "id"},
    {"label": "Both at once (perfect-foresight bound)", "value": "joint"},
]
FORESIGHT_OPTIONS = [
    {"label": "Perfect foresight", "value": "perfect"},
    {"label": "Forecast: naive week", "value": "naive-week"},
    {"label": "Forecast: naive day", "value": "naive-day"},
    {"label": "Forecast: gradient boosting", "value": "gbm"},
]
"""A forecast decides at the day-ahead gate (09:20 UK on D−1) and at 15:00 UK on D−1, and settles at actual prices
(the times are the FORECAST_DA_GATE_TIME and FORECAST_ID_DECISION_TIME settings)."""
REOPTIMISE_OPTIONS = [
    {"label": "Once, the day before", "value": "once"},
    {"label": "Hourly re-plans", "value": "hourly"},
]
"""Forecast-driven runs' intraday decisions: once for the whole day, or also before each hour of it."""
TERMINAL_OPTIONS = [
    {"label": "Free", "value": "free"},
    {"label": "At least the initial SoC", "value": "geq-initial"},
    {"label": "Equal to the initial SoC", "value": "eq-initial"},
]


@dataclass(frozen=True)
class FormField:
    component_id: str
    key: str
    """The request field (``services.run_requests.FIELDS``)."""
    label: str
    unit: str
    default: float | None
    percent: bool = False
    """Shown in % (0–100) and sent as a fraction."""
    placeholder: str = ""


NUMBER_FIELDS = (
    FormField(NEW_POWER, "power_mw", "Power", "MW", 100),
    FormField(NEW_ENERGY, "energy_mwh", "Energy", "MWh", 100),
    FormField(NEW_CHARGE_EFFICIENCY, "charge_efficiency", "Charge efficiency", "%", 85, percent=True),
    FormField(NEW_DISCHARGE_EFFICIENCY, "discharge_efficiency", "Discharge efficiency", "%", 85, percent=True),
    FormField(NEW_CYCLES, "max_cycles_per_day", "Cycle limit", "per day", 2),
    FormField(NEW_DEGRADATION, "degradation_cost_gbp_per_mwh", "Degradation cost", "£/MWh", 0),
    FormField(NEW_SOC_MIN, "soc_min_frac", "SoC minimum", "%", 0, percent=True),
    FormField(NEW_SOC_MAX, "soc_max_frac", "SoC maximum", "%", 100, percent=True),
    FormField(NEW_INITIAL_SOC, "initial_soc_frac", "Initial SoC", "%", 50, percent=True),
    FormField(NEW_IMPORT_LIMIT, "import_limit_mw", "Grid import limit", "MW", None, placeholder="= power"),
    FormField(NEW_EXPORT_LIMIT, "export_limit_mw", "Grid export limit", "MW", None, placeholder="= power"),
    FormField(NEW_CARBON, "carbon_price_gbp_per_tco2", "Carbon price", "£/tCO2", None, placeholder="none"),
    FormField(NEW_TIME_LIMIT, "time_limit_s", "Solver time limit", "s per day", 60),
    FormField(NEW_MIP_GAP, "mip_gap", "MIP gap", "%", 0.01, percent=True),
)
ADVANCED = (NEW_TIME_LIMIT, NEW_MIP_GAP)
CHOICE_FIELDS = ((NEW_MARKETS, "markets"), (NEW_DA_SERIES, "da_series"), (NEW_ID_SERIES, "id_series"),
                 (NEW_TERMINAL, "terminal_soc"), (NEW_FORESIGHT, "foresight"),
                 (NEW_REOPTIMISE, "intraday_reoptimise"))
MESSAGE_SUFFIX = "-msg"
"""Each field's message sits in ``<field id>-msg``."""


def message_id(component_id: str) -> str:
    return component_id + MESSAGE_SUFFIX


def _message(component_id: str) -> html.Div:
    return html.Div(id=message_id(component_id), className="small text-danger pd-field-msg", role="alert")


def _number(field: FormField, width: int = 2) -> dbc.Col:
    return dbc.Col([
        dbc.Label(field.label, html_for=field.component_id, className="small mb-1"),
        dbc.InputGroup([
            # Text, not type="number": a number input hands the server nothing for "5-" or "1e", so a
            # mistyped optional limit would silently become "= power"; the server parses and names the text.
            dbc.Input(id=field.component_id, type="text", value=field.default, placeholder=field.placeholder,
                      debounce=False, inputmode="decimal", autoComplete="off"),
            dbc.InputGroupText(field.unit),
        ], size="sm"),
        _message(field.component_id),
    ], xs=6, md=3, lg=width)


DATE_PLACEHOLDER = "DD/MM/YYYY or YYYY-MM-DD"


def _date(component_id: str, label: str) -> dbc.Col:
    """A settlement date typed as DD/MM/YYYY or YYYY-MM-DD (shown ISO, as on every page), checked as it is typed.

    Text, not ``type="date"``: Chromium draws a date input in the browser's locale (mm/dd/yyyy in en-US), and
    Dash's date picker only takes a typed date on Tab or Enter and silently drops one outside its limits, so the
    trader would not learn why; here the server reads the text and names what is wrong, and the limits (``min``,
    ``max``: the stored prices) are checked with the other fields."""
    return dbc.Col([
        dbc.Label(label, html_for=component_id, className="small mb-1"),
        dbc.Input(id=component_id, type="text", size="sm", placeholder=DATE_PLACEHOLDER, debounce=False,
                  inputmode="numeric", autoComplete="off", maxLength=10),
        _message(component_id),
    ], xs=6, md=3, lg=2)


def _select(component_id: str, label: str, options, value, width: int = 3) -> dbc.Col:
    return dbc.Col([
        dbc.Label(label, html_for=component_id, className="small mb-1"),
        dbc.Select(id=component_id, options=options, value=value, size="sm"),
        _message(component_id),
    ], xs=12, md=6, lg=width)


def new_run_card() -> html.Div:
    """The trader's form; the run solves in the background and its progress shows here."""
    by_id = {f.component_id: f for f in NUMBER_FIELDS}
    battery = [_number(f) for f in NUMBER_FIELDS if f.component_id not in ADVANCED]
    return html.Div(dbc.Card(dbc.CardBody([
        html.H3("New run", className="h6"),
        dbc.Row([
            _date(NEW_START, "First settlement date (UK)"),
            _date(NEW_END, "Last settlement date (UK)"),
            _select(NEW_DA_SERIES, "Day-ahead price series",
                    [{"label": f"{MARKET_NAMES[m]} ({m})", "value": m} for m in DA_SERIES], DA_SERIES[0], 2),
            _select(NEW_ID_SERIES, "Intraday price series",
                    [{"label": f"{MARKET_NAMES[m]} ({m})", "value": m} for m in ID_SERIES], ID_SERIES[0], 2),
            _select(NEW_MARKETS, "Markets", MARKET_OPTIONS, "da+id", 2),
            dbc.Col([dbc.Label("Name", html_for=NEW_NAME, className="small mb-1"),
                     dbc.Input(id=NEW_NAME, placeholder="optional label", size="sm", maxLength=120),
                     _message(NEW_NAME)], xs=12, md=6, lg=2),
        ], className="g-2 mb-1"),
        html.Div(id=NEW_COVERAGE, className="small text-body-secondary mb-1"),
        dbc.Checkbox(id=NEW_SKIP, value=False, className="small mb-1",
                     label="Skip days without prices (the battery idles on them, its SoC carried; the run lists them)"),
        html.Div(id=NEW_DATES_MSG, className="mb-2"),
        dbc.Row([*battery, _select(NEW_TERMINAL, "SoC at the end of the range", TERMINAL_OPTIONS, "free", 2),
                 _select(NEW_FORESIGHT, "Foresight", FORESIGHT_OPTIONS, "perfect", 2),
                 _select(NEW_REOPTIMISE, "Intraday decisions (forecasts)", REOPTIMISE_OPTIONS, "once", 2)],
                className="g-2 mb-2"),
        html.Details([
            html.Summary("Advanced: solver settings", className="small"),
            dbc.Row([
                _number(by_id[NEW_TIME_LIMIT]), _number(by_id[NEW_MIP_GAP]),
                dbc.Col(dbc.Checkbox(id=NEW_BINARY, value=False, className="mt-4",
                                     label="Always use charge/discharge binaries (MILP every day)"),
                        xs=12, md=6, lg=4),
            ], className="g-2 mt-1"),
        ], className="mb-3"),
        html.Div([
            dbc.Button("Run optimisation", id=NEW_SUBMIT, color="primary", n_clicks=0, className="me-3"),
            html.Div(html.Div([
                dbc.Progress(id=NEW_PROGRESS, value=0, max=1, label="", style={"width": "260px", "height": "1.4rem"},
                             className="me-2"),
                dbc.Button("Cancel run", id=NEW_CANCEL, color="danger", outline=True, size="sm", n_clicks=0),
            ], className="d-flex align-items-center"), id=NEW_PROGRESS_ROW, hidden=True),
        ], className="d-flex align-items-center flex-wrap gap-2"),
        html.Div(id=NEW_PROBLEMS, className="mt-2", role="status"),
        html.Div(id=NEW_MESSAGE, className="mt-2"),
        dcc.Store(id=QUEUED),
        dcc.Interval(id=NEW_POLL, interval=1000, disabled=True),
    ])), id=NEW_SECTION, hidden=True, className="mb-3")
