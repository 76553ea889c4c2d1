"""/login and /logout: a real form with CSRF, a uniform error, and a per-user failure limit."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request
from flask_limiter import Limiter
from flask_login import login_user, logout_user

from security.forms import LoginForm, LogoutForm
from security.principal import SessionUser
from security.redirects import safe_next_path
from services.users import authenticate, normalise_username

BAD_CREDENTIALS = "That user name and password do not match an active account."
TOO_MANY_ATTEMPTS = "Too many failed attempts for this user name. Wait a few minutes, then try again."


def _login_rate_key() -> str:
    return "login:" + normalise_username(request.form.get("username", ""))


def make_auth_blueprint(limiter: Limiter, login_rate_limit: str) -> Blueprint:
    """Build the blueprint; failed logins (HTTP 401) count against the user name's limit."""
    blueprint = Blueprint("auth", __name__, template_folder="templates")

    @blueprint.route("/login", methods=["GET", "POST"])
    @limiter.limit(
        login_rate_limit,
        key_func=_login_rate_key,
        methods=["POST"],
        deduct_when=lambda response: response.status_code == 401,
    )
    def login():
        form = LoginForm()
        next_path = safe_next_path(request.values.get("next"))
        if request.method == "GET":
            return render_template("login.html", form=form, next_path=next_path, error=None)
        if not form.validate_on_submit():
            error = "The form expired or was not sent from this page. Please try again." if form.csrf_token.errors \
                else "Enter a user name and a password."
            return render_template("login.html", form=form, next_path=next_path, error=error), 400
        user = authenticate(current_app.extensions["powerdesk"].db, form.username.data, form.password.data)
        if user is None:
            return render_template("login.html", form=form, next_path=next_path, error=BAD_CREDENTIALS), 401
        login_user(SessionUser(user.id, user.username, user.role))
        return redirect(next_path)

    @blueprint.route("/logout", methods=["POST"])
    def logout():
        if LogoutForm().validate_on_submit():
            logout_user()
            flash("You have been logged out.")
        return redirect("/login")

    return blueprint


def too_many_attempts(error):
    """429 handler: the login page with a plain explanation, JSON elsewhere."""
    if request.path == "/login":
        form = LoginForm()
        next_path = safe_next_path(request.values.get("next"))
        return render_template("login.html", form=form, next_path=next_path, error=TOO_MANY_ATTEMPTS), 429
    return {"error": "too many requests", "detail": str(error.description)}, 429
