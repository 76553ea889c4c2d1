"""The run view's panel for a run that stopped early: "cancelled at day k of N", the dates solved, who
stopped it and when, and what to do next. A cancelled run keeps the days solved before its worker stopped (their
totals follow the panel, their charts are in the tabs); with no day kept the tabs are hidden."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from domain.settlement_time import format_local
from services.run_outcome import StoppedAt

COLOURS = {"cancelled": "secondary", "timed_out": "warning", "failed": "danger", "infeasible": "warning"}


def stopped_panel(run, stop: StoppedAt) -> dbc.Alert:
    solved = (f"{stop.days_done} of {stop.days_total} settlement date{'s' if stop.days_total != 1 else ''} solved "
              f"({stop.first_solved:%d %b %Y}" + (f" – {stop.last_solved:%d %b %Y}" if stop.last_solved != stop.first_solved
                                                   else "") + ") before it stopped."
              if stop.days_done else f"No settlement date of the {stop.days_total} was solved before it stopped.")
    when = []
    if stop.stopped_by:
        when.append(f"Cancelled by {stop.stopped_by}")
    if stop.stopped_at is not None:
        when.append(("at " if when else "Stopped at ") + format_local(stop.stopped_at, with_period=False))
    kept = ("Its schedule for those days is kept: the totals below and the charts in the tabs cover them only. "
            "Press “New run from this one” to run the whole range again." if stop.schedule_kept else
            "No schedule was kept for this run, so there is nothing to chart: press “New run from this one” to run "
            "it again, or on fewer dates.")
    return dbc.Alert([
        html.H4(f"Run #{run.id} {stop.headline()}", className="h6 alert-heading", id="runs-stopped-headline"),
        dbc.Progress(value=stop.days_done, max=max(stop.days_total, 1), className="mb-2",
                     style={"height": "0.9rem", "maxWidth": "420px"},
                     label=f"{stop.days_done} / {stop.days_total} days"),
        html.P(solved, className="mb-1"),
        html.P(" ".join(when) + "." if when else "", className="mb-1 small"),
        html.P(run.message or "", className="mb-1 small") if run.message and not (
            stop.stopped_by and run.message.startswith("Cancelled by")) else None,
        html.P(kept, className="mb-0 small"),
    ], color=COLOURS.get(stop.status, "secondary"), id="runs-stopped")
