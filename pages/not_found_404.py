"""Not found: any address no page serves, inside the app shell (navbar kept), with the way back.

Dash shows this module's layout for unknown paths because of its name (``not_found_404``).
"""

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

dash.register_page(__name__, path="/404", name="Not found", title="Not found · Powerdesk", in_nav=False,
                   min_role="viewer")

PAGES_LOCATION = "_pages_location"
"""Dash's own ``dcc.Location`` for multi-page apps: its ``pathname`` is the address typed."""
MISSING_PATH = "not-found-path"
BACK_LINK = "not-found-back"


def layout(**_query):
    return html.Div(
        dbc.Alert(
            [html.H2("Page not found", className="h4 alert-heading"),
             html.P(["Powerdesk has no page at ", html.Code(id=MISSING_PATH), "."]),
             html.P(["Check the address, use the menu above, or go back to the ",
                     dcc.Link("Overview", href="/", id=BACK_LINK), "."], className="mb-0")],
            color="secondary",
        ),
        className="mt-3",
    )
