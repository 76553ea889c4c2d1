"""What every page's upload callback shares: reading Dash's data-URL ``contents`` into bytes (one
clear message for anything unreadable, empty or too large) and showing the files the browser refused.

Not a page's module: the Prices, Carbon and Runs callbacks call ``read_upload`` and
``show_refusals`` for their own upload areas (``components.uploads.upload_area``).
"""

from __future__ import annotations

import base64
import binascii

import dash
from dash import Input, Output

from components.feedback import error_alert
from components.uploads import (
    refusal_store_id,
    server_refusal_message,
    several_files_message,
    too_large_message,
)

DEFAULT_NAME = "upload.csv"
MAX_NAME_CHARS = 200
MAX_DETAIL_CHARS = 300


class UploadError(ValueError):
    """An upload that cannot be used; its message is written for the user and names the file."""


def upload_name(filename) -> str:
    """The file name to show and store: text, at most ``MAX_NAME_CHARS`` characters."""
    if not isinstance(filename, str) or not filename.strip():
        return DEFAULT_NAME
    return filename.strip()[:MAX_NAME_CHARS]


def read_upload(contents, filename, limit_bytes: int) -> bytes:
    """The bytes of a ``dcc.Upload``'s ``contents`` (``data:<type>;base64,<data>``).

    Raises UploadError when the value is not such a data URL, the file is empty, or it is larger
    than ``limit_bytes`` [bytes] (the browser refuses those first; this is the server's own check).
    """
    name = upload_name(filename)
    unreadable = UploadError(f"{name} could not be read as an uploaded file; nothing was stored. Choose it again.")
    if not isinstance(contents, str) or not contents.startswith("data:"):
        raise unreadable
    header, comma, encoded = contents.partition(",")
    if not comma and header == "data:":
        encoded = ""  # Chromium's data URL of an empty file
    elif not comma or not header.endswith(";base64"):
        raise unreadable
    try:
        content = base64.b64decode(encoded, validate=True)
    except (ValueError, binascii.Error):
        raise unreadable from None
    if not content:
        raise UploadError(f"{name} is empty (0 bytes); nothing was stored. Choose a file with data in it.")
    if len(content) > limit_bytes:
        raise UploadError(too_large_message(name, len(content), limit_bytes))
    return content


def refusal_message(refusal) -> str | None:
    """The message for what ``assets/uploads.js`` wrote into a refusal store, or None when the
    value is not one it writes (nothing to show). Its ``reason``: ``too_large`` (above the area's
    limit: ``filename``, ``size_bytes``, ``limit_bytes``), ``several`` (``count`` files on a
    one-file area) or ``server`` (the server answered 413: ``filename``, its ``detail``)."""
    if not isinstance(refusal, dict):
        return None
    reason = refusal.get("reason")
    name = upload_name(refusal.get("filename"))
    if reason == "too_large":
        size, limit = refusal.get("size_bytes"), refusal.get("limit_bytes")
        if not all(isinstance(value, int) and not isinstance(value, bool) and value >= 0 for value in (size, limit)):
            return None
        return too_large_message(name, size, limit)
    if reason == "several":
        count = refusal.get("count")
        return several_files_message(count) if isinstance(count, int) and count > 1 else None
    if reason == "server":
        detail = refusal.get("detail")
        detail = detail.strip().rstrip(".")[:MAX_DETAIL_CHARS] if isinstance(detail, str) and detail.strip() \
            else "the upload is too large"
        return server_refusal_message(name, detail)
    return None


def show_refusals(app: dash.Dash, upload_id: str, status_id: str) -> None:
    """Show a file refused in the browser (or by the server's size limit) in ``status_id``, the
    element the page's own upload callback writes its report to."""

    @app.callback(
        Output(status_id, "children", allow_duplicate=True),
        Input(refusal_store_id(upload_id), "data"),
        prevent_initial_call=True,
    )
    def show_refusal(refusal):
        message = refusal_message(refusal)
        return error_alert(message) if message else dash.no_update
