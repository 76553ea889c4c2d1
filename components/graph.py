"""The one way pages draw a chart: ``graph(...)``, a ``dcc.Graph`` with the app-wide mode-bar config."""

from __future__ import annotations

from dash import dcc

GRAPH_CONFIG = {"displaylogo": False}
"""Plotly's logo is a black square on the dark theme and links off-site; no chart shows it."""


def graph(graph_id: str, height: str | None = None, **graph_props) -> dcc.Graph:
    """A ``dcc.Graph`` with ``GRAPH_CONFIG``; ``height`` is a CSS length ("420px"), other props pass through."""
    style = {"height": height} if height else None
    return dcc.Graph(id=graph_id, style=style, config=GRAPH_CONFIG, **graph_props)
