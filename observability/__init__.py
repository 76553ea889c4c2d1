"""Logging and request correlation (structured JSON logs, request ids)."""
