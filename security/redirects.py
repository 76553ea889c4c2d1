"""Validation of the ``next`` parameter after login: same-site paths only (no open redirect)."""

from __future__ import annotations

from urllib.parse import urlsplit


def safe_next_path(candidate: str | None, default: str = "/") -> str:
    """``candidate`` if it is a local absolute path (``/prices?x=1``), else ``default``."""
    if not candidate or not candidate.startswith("/") or candidate.startswith("//"):
        return default
    if "\\" in candidate or any(ord(char) < 32 for char in candidate):
        return default
    parts = urlsplit(candidate)
    if parts.scheme or parts.netloc:
        return default
    return candidate
