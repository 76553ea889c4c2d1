"""Overview: the landing page. Price coverage, the last full day in the data, the latest run."""

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.graph import graph

dash.register_page(__name__, path="/", name="Overview", title="Overview · Powerdesk", nav_order=0, min_role="viewer")

REFRESH = "overview-refresh"
COVERAGE = "overview-coverage"
DAY_SUMMARY = "overview-day-summary"
LATEST_RUN = "overview-latest-run"
RECENT_CHART = "overview-recent-chart"


def layout(**_query):
    return html.Div(
        [
            html.Div(
                [
                    html.H2("Overview", className="h4 mb-0"),
                    dbc.Button("Refresh", id=REFRESH, size="sm", color="secondary", outline=True, n_clicks=0),
                ],
                className="d-flex justify-content-between align-items-center mb-3",
            ),
            dbc.Row(
                [
                    dbc.Col(html.Div(id=DAY_SUMMARY), lg=8),
                    dbc.Col(html.Div(id=LATEST_RUN), lg=4),
                ],
                className="g-3 mb-3",
            ),
            dbc.Row(
                [
                    dbc.Col(dbc.Card(dbc.CardBody(dcc.Loading(graph(RECENT_CHART, "360px")))),
                            lg=8),
                    dbc.Col(html.Div(id=COVERAGE), lg=4),
                ],
                className="g-3",
            ),
        ]
    )
