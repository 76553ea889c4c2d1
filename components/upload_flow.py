"""The one upload component every page's file upload uses (``services.upload_flow``): the upload area,
the preview or report it shows, and the confirm / import-good-lines / cancel / undo buttons.

Ids derive from one prefix (``FlowIds``); ``{prefix}-upload`` and ``{prefix}-upload-status`` keep the
names the pages had, so the browser's upload script and the refusal messages are unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

import dash_bootstrap_components as dbc
from dash import dcc, html

from components.uploads import upload_area

MAX_LISTED_REJECTIONS = 2_000
"""Rejected lines listed on the page (the count says how many in all; the CLI lists every one)."""


@dataclass(frozen=True)
class FlowIds:
    prefix: str

    @property
    def upload(self) -> str:
        return f"{self.prefix}-upload"

    @property
    def status(self) -> str:
        return f"{self.prefix}-upload-status"

    @property
    def actions(self) -> str:
        return f"{self.prefix}-upload-actions"

    @property
    def confirm(self) -> str:
        return f"{self.prefix}-upload-confirm"

    @property
    def good_lines(self) -> str:
        return f"{self.prefix}-upload-good-lines"

    @property
    def cancel(self) -> str:
        return f"{self.prefix}-upload-cancel"

    @property
    def undo(self) -> str:
        return f"{self.prefix}-upload-undo"

    @property
    def pending(self) -> str:
        """Store: the preview awaiting confirmation ({"digest", "file_name", "good_lines"}) or None."""
        return f"{self.prefix}-upload-pending"

    @property
    def last(self) -> str:
        """Store: the id the last outcome's undo takes, or None."""
        return f"{self.prefix}-upload-last"


def upload_flow_area(ids: FlowIds, button, limit_bytes: int) -> html.Div:
    """Upload area, the preview/report area and the action buttons (shown by the flow's callbacks)."""
    return html.Div([
        upload_area(ids.upload, button, limit_bytes),
        dcc.Loading(html.Div(id=ids.status, className="mt-2")),
        html.Div([
            # html.Button, as dbc.Button has no ``hidden``; the flow's callbacks show the buttons that apply.
            html.Button("Confirm import", id=ids.confirm, className="btn btn-primary btn-sm me-2", hidden=True),
            html.Button("Import the good lines anyway", id=ids.good_lines, className="btn btn-warning btn-sm me-2",
                        hidden=True),
            html.Button("Cancel", id=ids.cancel, className="btn btn-outline-secondary btn-sm me-2", hidden=True),
            html.Button("Undo import", id=ids.undo, className="btn btn-outline-danger btn-sm", hidden=True),
        ], id=ids.actions, className="mt-1"),
        dcc.Store(id=ids.pending, data=None),
        dcc.Store(id=ids.last, data=None),
    ])


def _table(header: list[str], rows: list[list], class_name: str = "") -> dbc.Table:
    return dbc.Table([html.Thead(html.Tr([html.Th(h) for h in header])),
                      html.Tbody([html.Tr([html.Td(str(v)) for v in row]) for row in rows])],
                     size="sm", bordered=False, striped=True, className=f"small mb-2 {class_name}")


def rejections_view(rejections) -> html.Div | None:
    if not rejections:
        return None
    shown = rejections[:MAX_LISTED_REJECTIONS]
    more = len(rejections) - len(shown)
    return html.Div([
        html.Div(f"Rejected lines ({len(rejections):,}):", className="small fw-semibold"),
        html.Div(_table(["Line", "Column", "Reason"], [[r.line, r.column or "–", r.reason] for r in shown],
                        "upload-rejections"), style={"maxHeight": "320px", "overflowY": "auto"}),
        html.Div(f"… and {more:,} more (the CLI lists them all)." if more else "", className="small"),
    ])


def preview_view(preview) -> dbc.Alert:
    """A ``services.upload_flow.Preview``: the summary, changes per part, conflicts (old and new), rejections."""
    if preview.error:
        return dbc.Alert(preview.error, color="danger", className="py-2 mb-2")
    items = [html.P(preview.summary, className="mb-1 upload-preview-summary")]
    if preview.changes:
        items.append(_table(["", "Added", "Unchanged", "Conflicting"],
                            [[c["part"], f"{c['added']:,}", f"{c['unchanged']:,}", f"{c['conflicting']:,}"]
                             for c in preview.changes], "upload-changes"))
    if preview.conflicts:
        items.append(html.Div("Conflicting intervals:", className="small fw-semibold"))
        items.append(html.Div(_table(["", "Interval", "Stored (source)", "This file", "Used after import"],
                                     [[c["part"], c["when"], c["old"], c["new"], c["used"]] for c in preview.conflicts],
                                     "upload-conflicts"), style={"maxHeight": "260px", "overflowY": "auto"}))
    items += [html.Div(note, className="small") for note in preview.notes]
    items.append(rejections_view(preview.rejections))
    if preview.refused:
        items.append(html.P(f"Nothing is stored unless you import the {preview.good_lines:,} good line(s) anyway "
                            "(recorded in the audit log).", className="small mb-0"))
    elif preview.can_confirm:
        items.append(html.P("Nothing is stored until you confirm.", className="small mb-0"))
    else:
        items.append(html.P("Nothing to store: everything in the file is already stored.", className="small mb-0"))
    colour = "warning" if preview.refused or preview.conflicts else "info"
    return dbc.Alert(items, color=colour, className="py-2 mb-2 upload-preview")


def outcome_view(outcome) -> dbc.Alert:
    """A ``services.upload_flow.Outcome``: what was stored, or why nothing was."""
    if outcome.error:
        return dbc.Alert(outcome.error, color="danger", className="py-2 mb-2")
    items = [html.P(outcome.summary, className="mb-1 upload-outcome-summary")]
    items += [html.Div(note, className="small") for note in outcome.notes]
    items.append(rejections_view(outcome.rejections))
    colour = "success" if outcome.stored and not outcome.rejections else "warning"
    return dbc.Alert(items, color=colour, className="py-2 mb-2 upload-outcome", dismissable=True)
