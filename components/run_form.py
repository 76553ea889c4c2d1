"""The New run form (trader, admin): battery, dates and markets; the run solves in the background.

Mounted on the Runs page by ``new_run_card()``. It tells the page what happened through two of the
page's stores: ``runs-requested`` (the run to show) and ``runs-changed`` (refresh the runs grid).
"""

import dash_bootstrap_components as dbc
from dash import dcc, html

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

QUEUED = "runs-queued"

MARKET_OPTIONS = [
    {"label": "Day-ahead, then intraday", "value": "da+id"},
    {"label": "Day-ahead only", "value": "da"},
    {"label": "Intraday only", "value": "id"},
    {"label": "Both at once (perfect-foresight bound)", "value": "joint"},
]

def _number(label: str, component_id: str, value: float, unit: str, step: float, minimum: float = 0):
    return dbc.Col([
        dbc.Label(label, html_for=component_id, className="small mb-1"),
        dbc.InputGroup([dbc.Input(id=component_id, type="number", value=value, min=minimum, step=step),
                        dbc.InputGroupText(unit)], size="sm"),
    ], xs=6, md=3, lg=2)


def new_run_card() -> html.Div:
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
        dcc.Store(id=QUEUED),
    ])), id=NEW_SECTION, hidden=True, className="mb-3")


