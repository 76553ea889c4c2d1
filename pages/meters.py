"""Meters: a customer's smart-meter readings, what they cost on every price plan, the recommendation;
admins may move a meter onto another plan."""

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.graph import graph

dash.register_page(__name__, path="/meters", name="Meters", title="Meters · Powerdesk", nav_order=50,
                   min_role="viewer")

LOAD = "meters-load"
REQUESTED = "meters-requested"
METER = "meters-meter"
MESSAGE = "meters-message"
SUMMARY = "meters-summary"
CHART = "meters-chart"
COSTS = "meters-costs"
RECOMMENDATIONS = "meters-recommendations"
ADMIN_SECTION = "meters-admin-section"
PLAN = "meters-plan"
CHANGE_PLAN = "meters-change-plan"
PLAN_STATUS = "meters-plan-status"
API_DOCS_LINK = "meters-api-docs-link"


def layout(meter=None, **_query):
    admin = html.Div(
        [dbc.Label("Plan (admins)", html_for=PLAN),
         html.Div([
             html.Div(dcc.Dropdown(id=PLAN, clearable=False, placeholder="Choose a plan"), className="flex-grow-1"),
             dbc.Button("Change plan", id=CHANGE_PLAN, color="primary", n_clicks=0, className="ms-2"),
         ], className="d-flex"),
         html.Div("Every change is recorded in the audit log.", className="small text-body-secondary mt-1"),
         html.Div(id=PLAN_STATUS, className="mt-2")],
        id=ADMIN_SECTION, className="col-md-6", hidden=True,
    )
    return html.Div([
        dcc.Store(id=LOAD, data=0),
        dcc.Store(id=REQUESTED, data=meter),
        html.Div([
            html.H2("Meters", className="h4 mb-0"),
            html.A("API docs", id=API_DOCS_LINK, href="/api/docs", className="small"),
        ], className="d-flex justify-content-between align-items-center mb-3"),
        dbc.Card(dbc.CardBody(dbc.Row([
            dbc.Col([dbc.Label("Customer and meter", html_for=METER),
                     dcc.Dropdown(id=METER, clearable=False, placeholder="Choose a meter")], md=6),
            admin,
        ], className="g-3")), className="mb-3"),
        html.Div(id=MESSAGE),
        html.Div(id=SUMMARY),
        dbc.Card(dbc.CardBody(dcc.Loading(graph(CHART, "460px")))),
        dbc.Row([
            dbc.Col(dbc.Card(dbc.CardBody([html.H3("Cost on each plan", className="h6"), html.Div(id=COSTS)]),
                             className="mt-3"), lg=8),
            dbc.Col(dbc.Card(dbc.CardBody([html.H3("Recommended plans", className="h6"),
                                           html.Div(id=RECOMMENDATIONS)]), className="mt-3"), lg=4),
        ]),
        html.P(["Energy is the trapezoid-rule integral of the kW readings; each interval is charged at the plan's "
                "rate × its multiplier for the UK weekday of the interval's first reading. Costs for the stored "
                "window; annual estimates scale it to 365.25 days. Plans that cost the same are listed by unit rate, "
                "then plan id. Readings further apart than the gap limit (2 h by default) are a gap: unknown usage, "
                "not carried forward and not costed. ", html.A("How the API computes it", href="/api/docs")],
               className="small text-body-secondary mt-3"),
    ])
