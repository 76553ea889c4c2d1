"""What callbacks need from the running app, in one place."""

from __future__ import annotations

from flask import current_app

from data_access.engine import Database


def database() -> Database:
    return current_app.extensions["powerdesk"].db


def app_settings():
    """The running app's ``Settings`` (limits, deadlines), as ``create_app`` was given them."""
    return current_app.extensions["powerdesk"].settings
