"""The "your run has finished" email, against a real SMTP server (aiosmtpd) on 127.0.0.1."""

from datetime import date

import pytest

from data_access.schema import OptimisationRun, User
from optimiser import BatteryParams
from services.optimisation_runs import RunRequest, run_optimisation
from services.prices import load_demo_prices
from settings import Settings

REQUEST = RunRequest(date(2023, 2, 1), date(2023, 2, 1), BatteryParams(power_mw=10, energy_mwh=20), name="mailed")


@pytest.fixture
def sqlite_db(tmp_path):
    from data_access import migrate
    from data_access.engine import Database

    url = f"sqlite:///{tmp_path / 'mail.db'}"
    migrate.upgrade(url)
    db = Database.from_url(url)
    load_demo_prices(db, feeds=("seed",))
    with db.session() as session:  # no Profile address: a user name that is an address is mailed
        session.add(User(username="olive@example.com", password_hash="x", role="trader"))
    yield db
    db.dispose()


def _user_id(db):
    with db.session() as session:
        return session.query(User.id).filter(User.username == "olive@example.com").scalar()


def test_a_run_longer_than_the_threshold_mails_its_submitter(sqlite_db, smtp_inbox, tmp_path):
    inbox, port = smtp_inbox
    settings = Settings(POWERDESK_INSTANCE_PATH=str(tmp_path), mail_server="127.0.0.1", mail_port=port,
                        run_email_after_s=0, public_base_url="https://desk.example")
    outcome = run_optimisation(sqlite_db, REQUEST, user_id=_user_id(sqlite_db), settings=settings)
    assert outcome.status == "succeeded"
    [message] = inbox.messages
    recipients, content = inbox.envelopes[0], message.get_content()
    assert recipients == ["olive@example.com"]
    assert message["Subject"] == f"Powerdesk: Run #{outcome.run_id} (mailed) succeeded"
    assert f"https://desk.example/runs?run={outcome.run_id}" in content and "Net revenue" in content


def test_a_quick_run_sends_nothing_and_a_mail_failure_never_fails_the_run(sqlite_db, smtp_inbox, refusing_port,
                                                                           tmp_path, caplog):
    inbox, port = smtp_inbox
    quick = Settings(POWERDESK_INSTANCE_PATH=str(tmp_path), mail_server="127.0.0.1", mail_port=port,
                     run_email_after_s=600)
    run_optimisation(sqlite_db, REQUEST, user_id=_user_id(sqlite_db), settings=quick)
    assert inbox.messages == []
    closed = refusing_port  # nothing listens there
    down = Settings(POWERDESK_INSTANCE_PATH=str(tmp_path), mail_server="127.0.0.1", mail_port=closed,
                    mail_timeout_s=2, run_email_after_s=0)
    other = RunRequest(REQUEST.first, REQUEST.last, REQUEST.battery.model_copy(update={"power_mw": 5}))
    outcome = run_optimisation(sqlite_db, other, user_id=_user_id(sqlite_db), settings=down)
    with sqlite_db.session() as session:
        assert session.get(OptimisationRun, outcome.run_id).status == "succeeded"
    assert "could not email olive@example.com" in caplog.text


def test_the_address_on_the_profile_page_is_used_before_the_user_name(sqlite_db, smtp_inbox, tmp_path):
    from services import price_email

    inbox, port = smtp_inbox
    with sqlite_db.session() as session:
        session.add(User(username="trader2", password_hash="x", role="trader"))
    price_email.set_preference(sqlite_db, "trader2", "desk@example.com", False, actor="trader2")  # email off
    with sqlite_db.session() as session:
        user_id = session.query(User.id).filter(User.username == "trader2").scalar()
    settings = Settings(POWERDESK_INSTANCE_PATH=str(tmp_path), mail_server="127.0.0.1", mail_port=port,
                        run_email_after_s=0)
    outcome = run_optimisation(sqlite_db, REQUEST, user_id=user_id, settings=settings)
    assert inbox.envelopes == [["desk@example.com"]]
    assert outcome.status == "succeeded"
