"""Every chart hides Plotly's logo (a black square on the dark theme): each page's graphs carry
the one shared config, and no module builds a ``dcc.Graph`` by hand."""

from pathlib import Path

import dash

from components.graph import GRAPH_CONFIG, graph
from tests.dash_requests import fire

ROOT = Path(__file__).resolve().parents[2]


def _graphs(node) -> list[dict]:
    if isinstance(node, list):
        return [found for child in node for found in _graphs(child)]
    if not isinstance(node, dict):
        return []
    found = [node] if node.get("type") == "Graph" and node.get("namespace") == "dash_core_components" else []
    return found + [graph_ for value in node.get("props", {}).values() for graph_ in _graphs(value)]


def test_the_shared_graph_hides_the_logo_and_keeps_its_props():
    chart = graph("some-chart", "420px", className="mt-3")
    assert chart.config == {"displaylogo": False} == GRAPH_CONFIG
    assert chart.style == {"height": "420px"} and chart.className == "mt-3" and chart.id == "some-chart"


def test_every_graph_on_every_page_hides_the_plotly_logo(dash_app, client_as):
    client = client_as("admin")
    seen = 0
    for page in dash.page_registry.values():
        response = fire(client, dash_app, "_pages_content.children",
                        {"_pages_location.pathname": page["path"], "_pages_location.search": ""})
        assert response.status_code == 200, page["path"]
        for found in _graphs(response.json["response"]["_pages_content"]["children"]):
            assert found["props"].get("config", {}).get("displaylogo") is False, (page["path"], found["props"]["id"])
            seen += 1
    assert seen >= 12  # overview, prices ×4, runs ×5, studies, carbon, meters, turbines ×2


def test_no_module_builds_a_dcc_graph_by_hand():
    offenders = [str(path.relative_to(ROOT)) for folder in ("pages", "components", "callbacks")
                 for path in (ROOT / folder).glob("*.py")
                 if "dcc.Graph(" in path.read_text() and path.name != "graph.py"]
    assert offenders == []
