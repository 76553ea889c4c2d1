"""What a run's view draws from its intervals (the figures, the day list, the grid's rows or its first page),
as one dict that survives being stored as JSON and read back (``services.run_views``).

A finished run never changes, so this part is built once, when the run finishes (``jobs.run_views``) or the
first time any server process shows it, and stored. Opening a stored run then reads one compressed row instead
of its intervals (17,520 for a year) and the figures built from them. Read back, the figures are the plain
dicts the renderer receives, so they are sent exactly as a freshly built view would be.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from functools import lru_cache
from pathlib import Path

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html
from plotly.io.json import to_json_plotly

from components.paged_grid import BLOCK_ROWS, page_rows
from components.run_monthly import monthly_figure, monthly_view
from components.run_view import (
    daily_operation_figure,
    daily_revenue_figure,
    day_options,
    degradation_rate,
    intervals_export,
    no_figure,
    run_label,
    settlement_days,
    soc_heatmap_figure,
)
from components.schedule import schedule_figure
from services.run_monthly import run_by_month, skipped_days
from services.run_warnings import zero_price_warnings

THEMES = ("light", "dark")
"""The colour modes a view is drawn in."""
CLIENT_GRID_ROWS = 8 * 48
"""Runs of up to this many intervals send every grid row with the view; longer ones are paged on the server."""

OUTPUT_KEYS = ("daily", "day_options", "day", "chart", "heatmap", "rows", "paged", "warnings", "range", "monthly")
"""The run view's outputs a schedule view holds (``callbacks.runs.compose_view`` adds the run row's)."""
SCHEDULE_VIEW_KEYS = ("intervals", *OUTPUT_KEYS, "first_page", "first_day_figure")
FIRST_PAGE_REQUEST = {"startRow": 0, "endRow": BLOCK_ROWS, "sortModel": [], "filterModel": {}}
"""What the paged grid asks for first: its first block, unsorted and unfiltered."""

_BUILDER_PACKAGES = ("components", "domain", "services")
"""Where the code that draws a run's view lives: a change to any of it changes ``view_format``."""


def schedule_view(run, intervals: pd.DataFrame, theme: str | None, export: pd.DataFrame | None = None) -> dict:
    """The view's parts that a run's intervals decide (``SCHEDULE_VIEW_KEYS``); ``export`` is
    ``intervals_export(intervals)`` when already built. Beyond ``CLIENT_GRID_ROWS`` intervals the grid rows
    are not sent (``paged``) but its first block is kept (``first_page``); the first day's operation chart, which
    the page opens on, is kept too (``first_day_figure``)."""
    label = run_label(run)
    has_schedule = not intervals.empty
    paged = len(intervals) > CLIENT_GRID_ROWS
    if has_schedule and export is None:
        export = intervals_export(intervals)
    days = day_options(intervals) if has_schedule else []
    days_of = settlement_days(intervals) if has_schedule else []
    months, years = run_by_month(run, intervals)
    return {
        "intervals": len(intervals),
        "daily": daily_revenue_figure(intervals, degradation_rate(run), theme, f"Daily revenue · {label}",
                                      skipped=skipped_days(run)) if has_schedule else no_figure(),
        "day_options": days, "day": days[0]["value"] if days else None,
        "chart": schedule_figure(intervals, theme, label) if has_schedule else no_figure(),
        "heatmap": soc_heatmap_figure(intervals, theme, f"SoC (MWh) · {label}") if has_schedule else no_figure(),
        "rows": export.to_dict("records") if has_schedule and not paged else [],
        "paged": paged,
        "warnings": warnings_alert(zero_price_warnings(intervals)),
        "range": [intervals["interval_start_utc"].iloc[0].isoformat(),
                  (intervals["interval_start_utc"].iloc[-1] + pd.Timedelta(minutes=30)).isoformat()]
        if has_schedule else None,
        "monthly": monthly_view(months, years, monthly_figure(months, theme, f"Revenue by month · {label}")),
        "first_page": page_rows(export, FIRST_PAGE_REQUEST) if has_schedule and paged else None,
        "first_day_figure": daily_operation_figure(intervals, days_of[0], theme, day_title(run)) if has_schedule
        else None,
    }


def day_title(run) -> str:
    return f"Daily operation · {run_label(run)}"


def warnings_alert(lines: list[str]) -> dbc.Alert | None:
    """The zero-price warnings of a run, or None when it has none."""
    if not lines:
        return None
    return dbc.Alert([html.Strong("Prices of exactly £0.00 "), *[html.Div(line) for line in lines]],
                     color="warning", className="py-2 mb-2", id="runs-zero-price-warning")


def is_first_page(request) -> bool:
    """Whether a paged grid's ``getRowsRequest`` asks for exactly ``FIRST_PAGE_REQUEST``."""
    if not isinstance(request, dict):
        return False
    return (request.get("startRow") == 0 and request.get("endRow") == BLOCK_ROWS
            and not request.get("sortModel") and not request.get("filterModel"))


def encode(view: dict) -> bytes:
    """``view`` as the renderer would receive it (Dash's own JSON encoder), compressed."""
    return zlib.compress(to_json_plotly(view).encode(), 6)


def decode(payload: bytes | None) -> dict | None:
    """A stored view read back, or None when there is none or it cannot be read (it is then built again)."""
    if not payload:
        return None
    try:
        view = json.loads(zlib.decompress(payload))
    except (zlib.error, ValueError):
        return None
    if not isinstance(view, dict) or not set(SCHEDULE_VIEW_KEYS) <= set(view):
        return None
    return view


@lru_cache(maxsize=1)
def view_format() -> str:
    """A digest of the code that draws a view and of the plotly and Dash versions it drew for."""
    import dash
    import plotly

    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(f"plotly {plotly.__version__} dash {dash.__version__}".encode())
    for package in _BUILDER_PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()
