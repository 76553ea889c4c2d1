"""Servers that do not announce what they are: no version banner for an attacker to match.

- ``python app.py`` (Werkzeug's development server): ``QuietRequestHandler``.
- gunicorn: ``gunicorn.conf.py`` at the repository root replaces its ``Server`` header.
"""

from werkzeug.serving import WSGIRequestHandler

SERVER_NAME = "powerdesk"


class QuietRequestHandler(WSGIRequestHandler):
    server_version = SERVER_NAME
    sys_version = ""

    def version_string(self) -> str:
        return SERVER_NAME
