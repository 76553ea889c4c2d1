""""Your run has finished" email to the submitter of a long run (Flask-Mail over SMTP with a timeout).

A mail failure is logged and never fails the run: the run row is already final when this is called.
Job processes have no Flask app of their own, so a minimal one carries the mail settings.
"""

from __future__ import annotations

import logging

from flask import Flask
from flask_mail import Mail, Message

from data_access.engine import Database
from data_access.schema import OptimisationRun, User
from settings import Settings

log = logging.getLogger(__name__)


def _mailer(settings: Settings) -> tuple[Flask, Mail]:
    app = Flask("powerdesk-run-mail")
    app.config.update(
        MAIL_SERVER=settings.mail_server, MAIL_PORT=settings.mail_port, MAIL_USE_TLS=settings.mail_use_tls,
        MAIL_USE_SSL=settings.mail_use_ssl, MAIL_USERNAME=settings.mail_username,
        MAIL_PASSWORD=settings.mail_password.get_secret_value() if settings.mail_password else None,
        MAIL_DEFAULT_SENDER=settings.mail_default_sender, MAIL_TIMEOUT=settings.mail_timeout_s,
    )
    return app, Mail(app)


def run_summary(run: OptimisationRun, base_url: str) -> tuple[str, str]:
    """Subject and plain-text body for a finished run."""
    label = f"Run #{run.id}" + (f" ({run.name})" if run.name else "")
    lines = [f"{label} ended: {run.status}.", "", run.message or "", "",
             f"Settlement dates {run.first_date.isoformat()} to {run.last_date.isoformat()}, markets {run.markets}."]
    totals = run.totals or {}
    if totals:
        lines += [f"Net revenue £{totals['net_revenue_gbp']:,.0f} "
                  f"(DA £{totals['da_revenue_gbp']:,.0f}, ID £{totals['id_revenue_gbp']:,.0f}, "
                  f"degradation £{totals['degradation_cost_gbp']:,.0f}); {totals['cycles']:,.2f} cycles."]
    lines += ["", f"Open it: {base_url.rstrip('/')}/runs?run={run.id}"]
    return f"Powerdesk: {label} {run.status}", "\n".join(lines)


def notify_run_finished(db: Database, settings: Settings, run_id: int) -> bool:
    """Email the run's submitter its outcome; False (logged) when there is no address or sending failed.

    Users have no email column yet: a user name that is an email address is mailed."""
    with db.session() as session:
        run = session.get(OptimisationRun, run_id)
        user = session.get(User, run.created_by_id) if run and run.created_by_id else None
        address = getattr(user, "email", None) or (user.username if user and "@" in user.username else None)
        if run is None or not address:
            return False
        subject, body = run_summary(run, settings.public_base_url)
    app, mail = _mailer(settings)
    try:
        with app.app_context():
            mail.send(Message(subject=subject, recipients=[address], body=body))
    except Exception:
        log.warning("could not email %s about run %s", address, run_id, exc_info=True)
        return False
    return True
