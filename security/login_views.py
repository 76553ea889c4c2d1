"""/login and /logout: a real form with CSRF, a uniform error, and login throttling.

Only the HTML form body is accepted (a JSON body gets 415), so every attempt goes through the
same checks and counters. Throttling (``security.throttle``) is per client address and per (user
name, address), with a backoff delay rather than a hard lock.
"""

from __future__ import annotations

import math

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import generate_csrf

from security.forms import LoginForm, LogoutForm
from security.principal import SessionUser
from security.redirects import safe_next_path
from security.sessions import start_session
from services import audit
from services.users import authenticate, end_sessions, normalise_username

BAD_CREDENTIALS = "That user name and password do not match an active account."
TOO_MANY_ATTEMPTS = "Too many failed attempts for this user name."
TOO_MANY_FROM_ADDRESS = "Too many failed logins from your network address."
FORM_ONLY = "Log in with the login form (application/x-www-form-urlencoded); other body formats are refused."
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
THROTTLE_KEY = "powerdesk.login_throttle"


def _throttle():
    return current_app.extensions[THROTTLE_KEY]


def _wait_message(wait_s: float, rule: str) -> str:
    first = TOO_MANY_FROM_ADDRESS if rule == "address" else TOO_MANY_ATTEMPTS
    wait = math.ceil(wait_s)
    when = f"{wait} seconds" if wait < 120 else f"{math.ceil(wait / 60)} minutes"
    return f"{first} Wait {when}, then try again."


def _page(form, next_path, error, status=200):
    return render_template("login.html", form=form, next_path=next_path, error=error), status


def make_auth_blueprint() -> Blueprint:
    blueprint = Blueprint("auth", __name__, template_folder="templates")

    @blueprint.route("/login", methods=["GET", "POST"])
    def login():
        next_path = safe_next_path(request.args.get("next") or request.form.get("next"))
        if request.method == "POST" and request.mimetype not in FORM_TYPES:
            current_app.logger.warning("login refused: body type %r", request.mimetype)
            return {"error": "unsupported media type", "detail": FORM_ONLY}, 415
        form = LoginForm()
        if request.method != "POST":  # GET and HEAD
            return _page(form, next_path, None)
        if not form.validate_on_submit():
            error = "The form expired or was not sent from this page. Please try again." if form.csrf_token.errors \
                else "Enter a user name and a password."
            return _page(form, next_path, error, 400)
        name = normalise_username(form.username.data)
        address = request.remote_addr or "unknown"
        refused = _throttle().wait_s(name, address)
        if refused:
            wait_s, rule = refused
            audit.record(_db(), name, "login.throttled", detail={"rule": rule}, remote_addr=address)
            body, status = _page(form, next_path, _wait_message(wait_s, rule), 429)
            return body, status, {"Retry-After": str(math.ceil(wait_s))}
        user = authenticate(_db(), form.username.data, form.password.data)
        if user is None:
            _throttle().record_failure(name, address)
            audit.record(_db(), name, "login.failed", remote_addr=address)
            return _page(form, next_path, BAD_CREDENTIALS, 401)
        _throttle().record_success(name, address)
        session.clear()  # nothing from before the login (CSRF token included) survives it
        login_user(SessionUser(user.id, user.username, user.role))
        start_session(user.id, user.session_version or 0)
        # The new session's CSRF secret is made now, not by whichever request first asks for a token: the
        # page's first requests run in parallel, each rewriting the (cookie) session, and one made before
        # the secret existed would otherwise drop it, leaving the navbar's logout token invalid.
        g.pop("csrf_token", None)  # Flask-WTF caches the pre-login token for this request
        generate_csrf()
        audit.record(_db(), user.username, "login.succeeded", remote_addr=address)
        return redirect(next_path)

    @blueprint.route("/logout", methods=["POST"])
    def logout():
        form = LogoutForm()
        if form.validate_on_submit():
            if current_user.is_authenticated:
                end_sessions(_db(), current_user.id)
                audit.record(_db(), current_user.username, "logout", remote_addr=request.remote_addr)
            logout_user()
            session.clear()
            flash("You have been logged out.")
        return redirect("/login")

    return blueprint


def _db():
    return current_app.extensions["powerdesk"].db


def too_many_attempts(error):
    """429 handler for limits other than the login throttle: JSON."""
    return {"error": "too many requests", "detail": str(error.description)}, 429
