"""The callbacks of the one upload component (``components.upload_flow``) for any ``UploadKind``:
upload → preview; confirm (or import the good lines anyway) → report; cancel; undo. Pages call
``register_upload_flow`` with their kind and the controls whose values are the kind's options."""

from __future__ import annotations

from collections.abc import Callable

import dash
from dash import Input, Output, State
from flask_login import current_user

from callbacks.context import database
from callbacks.uploads import UploadError, read_upload, show_refusals, upload_name
from components.feedback import error_alert, success_alert
from components.upload_flow import FlowIds, outcome_view, preview_view
from security.authz import role_callback
from services import upload_flow


def _actor() -> str:
    return getattr(current_user, "username", None) or "unknown"


def _outputs(ids: FlowIds, duplicate: bool = False) -> list[Output]:
    return [Output(ids.status, "children", allow_duplicate=duplicate),
            Output(ids.pending, "data", allow_duplicate=duplicate),
            Output(ids.confirm, "hidden", allow_duplicate=duplicate),
            Output(ids.good_lines, "hidden", allow_duplicate=duplicate),
            Output(ids.good_lines, "children", allow_duplicate=duplicate),
            Output(ids.cancel, "hidden", allow_duplicate=duplicate),
            Output(ids.undo, "hidden", allow_duplicate=duplicate),
            Output(ids.last, "data", allow_duplicate=duplicate)]


def _show(status, pending=None, confirm=False, good_lines=0, undo_id=None):
    """The eight outputs: what the status area shows and which buttons are offered."""
    offer_good = bool(pending) and good_lines > 0 and not confirm
    label = f"Import the {good_lines:,} good line(s) anyway"
    return (status, pending, not confirm, not offer_good, label, not pending, undo_id is None, undo_id)


def register_upload_flow(app: dash.Dash, ids: FlowIds, kind: upload_flow.UploadKind, limit_bytes: Callable[[], int],
                         options: dict[str, State] | None = None, role: str = "trader") -> None:
    """Wire ``ids``'s component to ``kind``; ``options`` maps option names to the States that give them."""
    options = options or {}
    names = list(options)

    def read(contents, filename) -> tuple[str, bytes]:
        name = upload_name(filename)
        return name, read_upload(contents, name, limit_bytes())

    @role_callback(app, role, *_outputs(ids), Input(ids.upload, "contents"), State(ids.upload, "filename"),
                   *options.values(), prevent_initial_call=True)
    def show_preview(contents, filename, *values):
        if not contents:
            return dash.no_update
        try:
            name, content = read(contents, filename)
        except UploadError as error:
            return _show(error_alert(str(error)))
        preview = upload_flow.preview(kind, database(), content, name, dict(zip(names, values, strict=True)))
        if preview.error:
            return _show(preview_view(preview))
        pending = {"digest": preview.digest, "file_name": name, "good_lines": preview.good_lines,
                   "refused": preview.refused}
        offer = preview.can_confirm or (preview.refused and preview.good_lines > 0)
        return _show(preview_view(preview), pending if offer else None, confirm=preview.can_confirm,
                     good_lines=preview.good_lines if preview.refused else 0)

    @role_callback(app, role, *_outputs(ids, duplicate=True),
                   Input(ids.confirm, "n_clicks"), Input(ids.good_lines, "n_clicks"), Input(ids.cancel, "n_clicks"),
                   Input(ids.undo, "n_clicks"), State(ids.upload, "contents"), State(ids.upload, "filename"),
                   State(ids.pending, "data"), State(ids.last, "data"), *options.values(), prevent_initial_call=True)
    def act(_confirm, _good, _cancel, _undo, contents, filename, pending, last, *values):
        action = dash.ctx.triggered_id
        if action == ids.cancel:
            return _show(None)
        if action == ids.undo:
            if last is None:
                return dash.no_update
            done, message = upload_flow.undo(kind, database(), last, _actor())
            return _show(success_alert(message) if done else error_alert(message))
        if action not in (ids.confirm, ids.good_lines) or not isinstance(pending, dict):
            return dash.no_update
        try:
            name, content = read(contents, filename)
        except UploadError as error:
            return _show(error_alert(str(error)))
        good_lines_only = action == ids.good_lines
        outcome = upload_flow.commit(kind, database(), content, name, dict(zip(names, values, strict=True)),
                                     _actor(), digest=pending.get("digest"), good_lines_only=good_lines_only)
        return _show(outcome_view(outcome), undo_id=outcome.undo_id)

    show_refusals(app, ids.upload, ids.status)
