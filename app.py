"""Composition root: ``create_app(settings)`` builds the Flask server, the Dash app and extensions.

- ``python app.py`` serves on http://HOST:PORT (default 127.0.0.1:8050).
- ``gunicorn app:server`` serves the same app; ``flask --app app ...`` runs the CLI.

The module-level ``server`` (and ``app`` for the Flask CLI) is built lazily on first access,
so importing ``create_app`` in tests has no side effects.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from api import api_modules
from cli import register_cli
from data_access.engine import Database
from data_access.types import utc_now
from jobs.background import make_background_manager
from observability.logging import configure_logging, finish_request, start_request
from security.callback_errors import callback_error
from security.errors import http_error, unexpected_error
from security.guard import guard
from security.headers import DASH_APP_KEY, add_security_headers, cookie_config
from security.login_views import THROTTLE_KEY, make_auth_blueprint, too_many_attempts
from security.request_checks import check_request
from security.sessions import load_session_user
from security.throttle import make_login_throttle
from settings import Settings

if TYPE_CHECKING:
    import dash

ROOT = Path(__file__).resolve().parent


@dataclass
class AppContext:
    """What request handlers, callbacks and CLI commands need: ``current_app.extensions['powerdesk']``."""

    settings: Settings
    db: Database
    mail: Mail
    clock: Callable[[], datetime] = utc_now
    """The time of "now" for write checks (a reading's future allowance, a report's skew); tests pin it."""


def _configure_server(server: Flask, settings: Settings) -> None:
    mail_password = settings.mail_password.get_secret_value() if settings.mail_password else None
    server.config.update(
        SECRET_KEY=settings.flask_secret_key(),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        **cookie_config(settings.behind_tls, settings.session_cookie_secure),
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=settings.session_lifetime_minutes),
        MAX_CONTENT_LENGTH=int(settings.max_request_mb * 1_000_000),
        WTF_CSRF_CHECK_DEFAULT=False,
        RATELIMIT_STORAGE_URI=settings.redis_url or "memory://",
        RATELIMIT_STRATEGY="moving-window",
        RATELIMIT_HEADERS_ENABLED=True,
        MAIL_SERVER=settings.mail_server,
        MAIL_PORT=settings.mail_port,
        MAIL_USE_TLS=settings.mail_use_tls,
        MAIL_USE_SSL=settings.mail_use_ssl,
        MAIL_USERNAME=settings.mail_username,
        MAIL_PASSWORD=mail_password,
        MAIL_DEFAULT_SENDER=settings.mail_default_sender,
        MAIL_TIMEOUT=settings.mail_timeout_s,
    )


def _install_login(server: Flask, db: Database, settings: Settings) -> None:
    login_manager = LoginManager()
    login_manager.login_view = "auth.login"
    login_manager.init_app(server)
    lifetime_s = settings.session_lifetime_minutes * 60
    idle_s = settings.session_idle_timeout_minutes * 60

    @login_manager.user_loader
    def load_user(user_id: str):
        return load_session_user(db, user_id, lifetime_s, idle_s)


def _install_request_hardening(server: Flask, settings: Settings) -> None:
    """Request ids and logs, security headers, malformed-request checks, error pages (security)."""
    configure_logging(settings.log_format, settings.log_level)
    if settings.trusted_proxy_count:
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=settings.trusted_proxy_count,
                                   x_proto=settings.trusted_proxy_count)
    server.extensions[THROTTLE_KEY] = make_login_throttle(settings)
    server.before_request(start_request)
    server.after_request(add_security_headers)
    server.after_request(finish_request)
    server.register_error_handler(HTTPException, http_error)
    server.register_error_handler(Exception, unexpected_error)


def _reap_runs_at_start_up(db: Database, settings: Settings) -> None:
    """Runs left by a worker that died while the app was down end now, not when someone looks."""
    from sqlalchemy.exc import SQLAlchemyError

    from services.runs import interrupt_orphaned_runs, reap

    # A database before `flask setup` has no runs table: nothing to reap.
    with contextlib.suppress(SQLAlchemyError):
        interrupt_orphaned_runs(db)  # a server killed with its local runs: they end "interrupted" now
        reap(db, settings)  # services.optimisation_runs.reap_stale_runs, without importing the optimiser


def create_server(settings: Settings | None = None, with_api: bool = True) -> Flask:
    """The Flask server with its extensions, login, API and CLI, without the Dash UI (``create_app`` adds it).

    A ``flask`` command other than ``run``, ``routes`` and ``shell`` is given this alone, and without the API
    routes (``with_api=False``): it serves nothing, and building the UI and the API imports every page, callback,
    figure and API module (and through them pandas), a second or more of each command's start."""
    settings = settings or Settings()
    settings.instance_path.mkdir(parents=True, exist_ok=True)
    server = Flask(__name__, instance_path=str(settings.instance_path), static_folder=None)
    _configure_server(server, settings)
    db = Database.from_url(settings.resolved_database_url())
    server.extensions["powerdesk"] = AppContext(settings=settings, db=db, mail=Mail(server))
    _reap_runs_at_start_up(db, settings)

    _install_request_hardening(server, settings)
    _install_login(server, db, settings)
    Limiter(get_remote_address, app=server, default_limits=[])
    server.register_blueprint(make_auth_blueprint())
    for module in api_modules() if with_api else ():
        server.register_blueprint(module.blueprint)
    server.register_error_handler(429, too_many_attempts)
    server.before_request(guard)
    server.before_request(check_request)
    register_cli(server)
    return server


def create_app(settings: Settings | None = None) -> dash.Dash:
    """Build the Powerdesk Dash app; its Flask server is ``app.server``."""
    server = create_server(settings)
    settings = server.extensions["powerdesk"].settings
    import dash  # the UI's alone: a command that serves nothing (create_server) never imports Dash

    app = dash.Dash(
        __name__,
        server=server,
        use_pages=True,
        pages_folder=str(ROOT / "pages"),
        assets_folder=str(ROOT / "assets"),
        title="Powerdesk",
        update_title=None,
        suppress_callback_exceptions=True,
        background_callback_manager=make_background_manager(settings),
        on_error=callback_error,
    )
    server.extensions[DASH_APP_KEY] = app
    from callbacks import register_callbacks
    from components.shell import app_shell

    app.layout = app_shell
    register_callbacks(app)
    return app


FLASK_COMMANDS_SERVING_UI = frozenset({"run", "routes", "shell"})
"""Flask's own commands that serve, list or expose the whole app, so are given the Dash UI too."""
_FLASK_OPTIONS_WITH_VALUE = frozenset({"-A", "--app", "-e", "--env-file"})


def flask_command_without_ui(argv: list[str]) -> bool:
    """True when this process is the ``flask`` command line (Flask sets ``FLASK_RUN_FROM_CLI`` before it loads
    the app) running a command that is not in ``FLASK_COMMANDS_SERVING_UI``: ``argv`` is ``sys.argv``."""
    if os.environ.get("FLASK_RUN_FROM_CLI") != "true":
        return False
    words = iter(argv[1:])
    for word in words:
        if word in _FLASK_OPTIONS_WITH_VALUE:
            next(words, None)
        elif not word.startswith("-"):
            return word not in FLASK_COMMANDS_SERVING_UI
    return True  # `flask` or `flask --help`: lists the commands


_lazy_app: dash.Dash | None = None
_lazy_cli_server: Flask | None = None


def __getattr__(name: str):
    """``server``/``app``/``application``: the Flask server of a default app, built on first use. The ``flask``
    command line looks up ``app``; for a command that does not serve the UI that is ``create_server()``'s."""
    global _lazy_app, _lazy_cli_server
    if name in ("app", "application") and _lazy_app is None and flask_command_without_ui(sys.argv):
        if _lazy_cli_server is None:
            from cli.start_up import freeze_start_up

            freeze_start_up()
            _lazy_cli_server = create_server(with_api=False)
        return _lazy_cli_server
    if name in ("server", "app", "application"):
        if _lazy_app is None:
            _lazy_app = create_app()
        return _lazy_app.server
    raise AttributeError(name)


if __name__ == "__main__":
    dash_app = create_app()
    config = dash_app.server.extensions["powerdesk"].settings
    from security.quiet_server import QuietRequestHandler

    dash_app.run(host=config.host, port=config.port, debug=False, request_handler=QuietRequestHandler)
