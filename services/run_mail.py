""""Your run has finished" email to the submitter of a long run (Flask-Mail over SMTP with a timeout).

A mail failure is logged and never fails the run: the run row is already final when this is called.
Job processes have no Flask app of their own, so a minimal one carries the mail settings.
"""

from __future__ import annotations

import logging

from flask_mail import Message

from data_access.engine import Database
from data_access.schema import OptimisationRun, PriceEmailRecipient, User
from services.mailer import send_with_timeout, standalone_mail_app
from settings import Settings

log = logging.getLogger(__name__)


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

    The address is the one on the user's Profile page (kept with the price-email choice, whether or not
    that email is on); failing that, a user name that is an email address."""
    with db.session() as session:
        run = session.get(OptimisationRun, run_id)
        user = session.get(User, run.created_by_id) if run and run.created_by_id else None
        profile = session.get(PriceEmailRecipient, user.id) if user else None
        address = (profile.email if profile else None) or (user.username if user and "@" in user.username else None)
        if run is None or not address:
            return False
        subject, body = run_summary(run, settings.public_base_url)
    app, mail = standalone_mail_app(settings)
    try:
        with app.app_context():  # Flask-Mail has no timeout of its own; a hanging server must not hold a worker
            send_with_timeout(mail, Message(subject=subject, recipients=[address], body=body), settings.mail_timeout_s)
    except Exception:
        log.warning("could not email %s about run %s", address, run_id, exc_info=True)
        return False
    return True
