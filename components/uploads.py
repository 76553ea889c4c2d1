"""File upload areas that say what happened to a file, and the messages they show.

``dcc.Upload`` drops a file larger than its ``max_size`` without firing any callback. An
``upload_area`` keeps that limit (so an oversized file is never read or sent) and marks its wrapper
with ``data-*`` attributes that ``assets/uploads.js`` reads: when the browser refuses a file (too
large, or several dropped on a one-file area), or the server answers a file's callback with 413,
the script writes what happened into the area's refusal store, and ``callbacks/uploads.py`` turns
that into a visible message.
"""

from __future__ import annotations

from dash import dcc, html

_UNITS = ((1_000_000, "MB"), (1_000, "kB"))


def refusal_store_id(upload_id: str) -> str:
    """Id of the ``dcc.Store`` the browser writes a refused file's details into."""
    return f"{upload_id}-refused"


def size_text(size_bytes: int, round_up: bool = False) -> str:
    """``31.2 MB``, ``686 kB``, ``512 bytes`` (decimal units, as MAX_REQUEST_MB counts them), to one
    decimal rounded down, or up with ``round_up``: a file's size rounded up and a limit rounded
    down never read as the same number when the file is over the limit."""
    for factor, unit in _UNITS:
        if size_bytes >= factor:
            step = factor // 10
            tenths = -(-size_bytes // step) if round_up else size_bytes // step
            whole, tenth = divmod(tenths, 10)
            return f"{whole:,}.{tenth} {unit}" if tenth else f"{whole:,} {unit}"
    return f"{size_bytes:,} bytes"


def too_large_message(filename: str, size_bytes: int, limit_bytes: int) -> str:
    size, limit = size_text(size_bytes, round_up=True), size_text(limit_bytes)
    return f"{filename} is {size}; the limit is {limit}. Nothing was uploaded or stored: split the file."


def several_files_message(count: int) -> str:
    return f"{count} files were dropped; this upload takes one file at a time. Nothing was uploaded or stored."


def server_refusal_message(filename: str, detail: str) -> str:
    return f"{filename} was refused by the server: {detail}. Nothing was stored."


def upload_area(upload_id: str, children, limit_bytes: int, **upload_props) -> html.Div:
    """A one-file ``dcc.Upload`` limited to ``limit_bytes`` [bytes], with its refusal store."""
    upload = dcc.Upload(id=upload_id, children=children, multiple=False, max_size=limit_bytes, **upload_props)
    return html.Div(
        [upload, dcc.Store(id=refusal_store_id(upload_id))],
        **{"data-upload-id": upload_id, "data-upload-limit-bytes": str(limit_bytes),
           "data-upload-refusal-store": refusal_store_id(upload_id)},
    )


def limit_note(limit_bytes: int) -> str:
    """The sentence pages print beside an upload."""
    return f"Files up to {size_text(limit_bytes)}; a larger file is not sent (split it)."
