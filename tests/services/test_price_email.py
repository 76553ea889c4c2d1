"""The daily price email end to end against a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import io
import logging
import re
import threading
import time
from datetime import date, timedelta

import pandas as pd
import pytest

from data_access import price_email as store
from data_access import prices as price_store
from data_access.engine import Database
from domain.settlement_time import day_period_starts_utc
from services import audit, price_email
from services.mailer import standalone_mail_app
from services.prices import prices_for_dates
from services.users import create_user
from tests.conftest import make_settings
from tests.smtp_servers import attachments, body

SPRING_DAY = date(2023, 3, 26)
AUTUMN_DAY = date(2022, 10, 30)


def mail_settings(tmp_path, database_url, port, **overrides):
    values = {"mail_server": "127.0.0.1", "mail_port": port, "mail_timeout_s": 2.0, "price_email_attempts": 3,
              "price_email_backoff_s": 0.01}
    values.update(overrides)
    return make_settings(tmp_path, database_url, **values)


def send(settings, db, day, **kwargs):
    app, mail = standalone_mail_app(settings)
    with app.app_context():
        return price_email.send_price_email(db, mail, settings, day, **kwargs)


@pytest.fixture
def seeded_db(seeded_sqlite_url):
    database = Database.from_url(seeded_sqlite_url)
    yield database
    database.dispose()


def add_day_prices(db, day, markets=("day_ahead", "intraday"), drop_periods=()):
    """Prices for every period of ``day`` except ``drop_periods`` (price = 10 x period - 100 [£/MWh])."""
    starts = day_period_starts_utc(day)
    periods = pd.Series(range(1, len(starts) + 1))
    keep = ~periods.isin(drop_periods).to_numpy()
    frames = [pd.DataFrame({"market": market, "interval_start_utc": starts[keep],
                            "price_gbp_per_mwh": (periods[keep] * 10.0 - 100.0 + offset).to_numpy()})
              for offset, market in enumerate(markets)]
    with db.session() as session:
        price_store.insert_prices(session, pd.concat(frames), "test")


def test_opted_in_users_get_the_46_period_day_with_stored_figures_and_a_46_row_csv(tmp_path, seeded_db,
                                                                                   smtp_inbox):
    inbox, port = smtp_inbox
    settings = mail_settings(tmp_path, str(seeded_db.engine.url), port)
    price_email.set_preference(seeded_db, "trader", "trader@example.com", True, actor="trader")
    price_email.set_preference(seeded_db, "viewer", "viewer@example.com", True, actor="viewer")
    price_email.set_preference(seeded_db, "admin", "admin@example.com", False, actor="admin")

    report = send(settings, seeded_db, SPRING_DAY)

    assert report.count("sent") == 2
    assert sorted(sum(inbox.envelopes, [])) == ["trader@example.com", "viewer@example.com"]
    message = inbox.messages[0]
    assert message["Subject"] == "Powerdesk prices for 2023-03-26"
    assert message["To"] in ("trader@example.com", "viewer@example.com")
    stored = prices_for_dates(seeded_db, SPRING_DAY, SPRING_DAY)
    html = body(message, "html")
    text = body(message, "plain")
    for market in ("day_ahead", "intraday"):
        series = stored[market]
        low_period = int(stored.loc[series.idxmin(), "settlement_period"])
        high_period = int(stored.loc[series.idxmax(), "settlement_period"])
        assert f"£{series.min():,.2f} (SP{low_period})" in html
        assert f"£{series.max():,.2f} (SP{high_period})" in html
        assert f"£{series.mean():,.2f}" in html
        assert f"mean £{series.mean():,.2f}" in text
    assert "46 settlement periods" in html
    assert "02:00 BST" in html and "00:30 GMT" in html  # the lost hour 01:00–02:00 is not in the table
    files = attachments(message)
    csv = pd.read_csv(io.BytesIO(files["powerdesk-prices-2023-03-26.csv"]))
    assert len(csv) == 46
    assert list(csv["settlement_period"]) == list(range(1, 47))
    assert list(csv.columns[:4]) == ["interval_start_utc", "uk_local_time", "settlement_date", "settlement_period"]
    assert csv["day_ahead_gbp_per_mwh"].round(2).tolist() == stored["day_ahead"].round(2).tolist()
    assert csv.loc[2, "uk_local_time"] == "2023-03-26T02:00:00+01:00"
    assert csv.loc[2, "interval_start_utc"] == "2023-03-26T01:00:00Z"
    chart = [part for part in message.walk() if part.get_content_type() == "image/png"]
    assert chart and chart[0]["Content-ID"] == "<price-chart>" and 'src="cid:price-chart"' in html
    structure = [part.get_content_type() for part in message.walk()]
    assert structure == ["multipart/mixed", "multipart/alternative", "text/plain", "multipart/related", "text/html",
                         "image/png", "text/csv"]
    assert chart[0].get_payload(decode=True).startswith(b"\x89PNG")
    sent = audit.list_events(seeded_db, action_prefix="email.sent")
    assert sorted(event.target for event in sent) == ["trader@example.com", "viewer@example.com"]


def test_the_50_period_day_gives_a_50_row_csv_with_both_one_oclocks(tmp_path, seeded_db, smtp_inbox):
    inbox, port = smtp_inbox
    add_day_prices(seeded_db, AUTUMN_DAY)
    report = send(mail_settings(tmp_path, str(seeded_db.engine.url), port), seeded_db, AUTUMN_DAY,
                  to="desk@example.com")
    assert report.count("sent") == 1
    csv = pd.read_csv(io.BytesIO(attachments(inbox.messages[0])["powerdesk-prices-2022-10-30.csv"]))
    assert len(csv) == 50
    assert {"2022-10-30T01:00:00+01:00", "2022-10-30T01:00:00+00:00"} <= set(csv["uk_local_time"])
    assert csv["intraday_gbp_per_mwh"].iloc[-1] == pytest.approx(50 * 10.0 - 100.0 + 1)
    html = body(inbox.messages[0], "html")
    assert "£-90.00 (SP1)" in html  # day-ahead minimum, SP1
    assert "Negative periods" in html and "SP1–9" in html


def test_missing_prices_are_said_plainly_and_nothing_is_attached(tmp_path, seeded_db, smtp_inbox):
    inbox, port = smtp_inbox
    send(mail_settings(tmp_path, str(seeded_db.engine.url), port), seeded_db, date(2024, 1, 1),
         to="desk@example.com")
    message = inbox.messages[0]
    assert "No prices are stored for 2024-01-01" in body(message, "html")
    assert "No prices are stored for 2024-01-01" in body(message, "plain")
    assert attachments(message) == {}
    assert not re.search(r"£-?\d", body(message, "html"))  # no figures at all


def test_an_incomplete_day_names_the_missing_periods_instead_of_empty_numbers(tmp_path, seeded_db, smtp_inbox):
    inbox, port = smtp_inbox
    add_day_prices(seeded_db, AUTUMN_DAY, markets=("day_ahead",), drop_periods=range(45, 51))
    send(mail_settings(tmp_path, str(seeded_db.engine.url), port), seeded_db, AUTUMN_DAY, to="desk@example.com")
    html = body(inbox.messages[0], "html")
    assert "Day-ahead: incomplete — 44 of 50 settlement periods priced; no price for SP45–50" in html
    assert html.count("no price</td>") == 6
    csv = pd.read_csv(io.BytesIO(attachments(inbox.messages[0])["powerdesk-prices-2022-10-30.csv"]))
    assert len(csv) == 50 and csv["day_ahead_gbp_per_mwh"].isna().sum() == 6


def test_a_second_trigger_and_a_second_scheduler_send_one_message(tmp_path, db, smtp_inbox):
    inbox, port = smtp_inbox
    create_user(db, "nina", "nina-password-12", "trader")
    price_email.set_preference(db, "nina", "nina@example.com", True, actor="nina")
    add_day_prices(db, SPRING_DAY)
    settings = mail_settings(tmp_path, str(db.engine.url.render_as_string(hide_password=False)), port)
    other = Database.from_url(db.engine.url.render_as_string(hide_password=False))  # a second process's pool
    results = []
    threads = [threading.Thread(target=lambda d=d: results.append(send(settings, d, SPRING_DAY)))
               for d in (db, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    again = send(settings, db, SPRING_DAY)
    other.dispose()

    assert len(inbox.messages) == 1
    assert sorted(r.outcomes[0].status for r in results) == ["sent", "skipped"]
    assert again.outcomes[0].status == "skipped"
    with db.session() as session:
        log = store.sent_log(session, SPRING_DAY)
    assert [(row.recipient, row.status) for row in log] == [("nina@example.com", "sent")]


def test_force_sends_again_and_to_sends_to_that_address_only(tmp_path, seeded_db, smtp_inbox):
    inbox, port = smtp_inbox
    price_email.set_preference(seeded_db, "trader", "trader@example.com", True, actor="trader")
    settings = mail_settings(tmp_path, str(seeded_db.engine.url), port)
    send(settings, seeded_db, SPRING_DAY, to="boss@example.com")
    send(settings, seeded_db, SPRING_DAY, to="boss@example.com")
    assert inbox.envelopes == [["boss@example.com"]]
    send(settings, seeded_db, SPRING_DAY, to="boss@example.com", force=True)
    assert inbox.envelopes == [["boss@example.com"], ["boss@example.com"]]


def test_refused_connections_are_retried_logged_and_retried_by_the_next_trigger(tmp_path, seeded_db, refusing_port,
                                                                                smtp_inbox, caplog):
    price_email.set_preference(seeded_db, "trader", "trader@example.com", True, actor="trader")
    price_email.set_preference(seeded_db, "viewer", "viewer@example.com", True, actor="viewer")
    settings = mail_settings(tmp_path, str(seeded_db.engine.url), refusing_port)
    waits = []
    with caplog.at_level(logging.WARNING, logger="powerdesk.price_email"):
        report = send(settings, seeded_db, SPRING_DAY, sleep=waits.append)
    outcome, untried = report.outcomes
    assert (outcome.status, outcome.attempts) == ("failed", 3)
    assert "ConnectionRefusedError" in outcome.error
    # the server is down for everyone: the second address is not made to wait out three more attempts
    assert (untried.recipient, untried.attempts, untried.status) == ("viewer@example.com", 0, "not_tried")
    assert waits == [0.01, 0.02]  # doubling backoff between the three attempts
    assert sum(r.levelno == logging.WARNING and "attempt" in r.message for r in caplog.records) == 3
    assert any(r.levelno == logging.ERROR and "failed after 3 attempts" in r.message for r in caplog.records)
    trader = price_email.get_preference(seeded_db, "trader")
    assert trader.last_email.startswith("2023-03-26 failed (ConnectionRefusedError")

    inbox, port = smtp_inbox  # SMTP is back: the failed send is claimed again and goes out once
    working = mail_settings(tmp_path, str(seeded_db.engine.url), port)
    assert [o.status for o in send(working, seeded_db, SPRING_DAY).outcomes] == ["sent", "sent"]
    assert [o.status for o in send(working, seeded_db, SPRING_DAY).outcomes] == ["skipped", "skipped"]
    assert len(inbox.messages) == 2
    latest = {r.username: r.last_email for r in price_email.list_recipients(seeded_db)}
    assert latest == {"admin": "", "trader": "2023-03-26 sent", "viewer": "2023-03-26 sent"}
    with seeded_db.session() as session:
        assert {row.recipient: row.attempts for row in store.sent_log(session, SPRING_DAY)} == {
            "trader@example.com": 4, "viewer@example.com": 1}


def test_a_server_that_never_answers_is_bounded_by_the_timeout(tmp_path, seeded_db, hanging_smtp_port):
    settings = mail_settings(tmp_path, str(seeded_db.engine.url), hanging_smtp_port, mail_timeout_s=0.5,
                             price_email_attempts=2, price_email_backoff_s=0)
    started = time.monotonic()
    report = send(settings, seeded_db, SPRING_DAY, to="desk@example.com")
    elapsed = time.monotonic() - started
    assert report.outcomes[0].status == "failed"
    assert "timed out" in report.outcomes[0].error.lower()
    # two attempts x 0.5 s of silence, plus building the email; without the timeout this never returns
    assert 0.9 < elapsed < 10


def test_a_claim_abandoned_by_a_crashed_sender_is_taken_over_only_after_the_lease(db):
    lease = timedelta(minutes=15)
    with db.session() as session:
        assert store.claim(session, SPRING_DAY, "a@example.com", "daily_prices", lease)
    with db.session() as session:
        assert not store.claim(session, SPRING_DAY, "a@example.com", "daily_prices", lease)
        # after the lease the claim counts as abandoned
        assert store.claim(session, SPRING_DAY, "a@example.com", "daily_prices", timedelta(0))
    with db.session() as session:
        store.mark_sent(session, SPRING_DAY, "a@example.com", "daily_prices", 1)
    with db.session() as session:
        assert not store.claim(session, SPRING_DAY, "a@example.com", "daily_prices", timedelta(0))
        assert store.claim(session, SPRING_DAY, "a@example.com", "daily_prices", lease, force=True)


@pytest.mark.parametrize("address", ["", "nina", "nina@", "a b@example.com", "<x>@example.com", "x@y"])
def test_opting_in_needs_a_real_address(seeded_db, address):
    with pytest.raises(price_email.InvalidInput):
        price_email.set_preference(seeded_db, "trader", address, True, actor="trader")
    assert price_email.opted_in_addresses(seeded_db) == []


def test_disabled_users_and_opted_out_users_get_nothing(seeded_db):
    from services.users import disable_user

    price_email.set_preference(seeded_db, "trader", "t@example.com", True, actor="trader")
    price_email.set_preference(seeded_db, "viewer", "v@example.com", True, actor="viewer")
    price_email.set_preference(seeded_db, "admin", "", False, actor="admin")
    disable_user(seeded_db, "viewer")
    assert price_email.opted_in_addresses(seeded_db) == ["t@example.com"]


def test_previous_settlement_day_is_yesterday_in_uk_local_time():
    from datetime import UTC, datetime

    assert price_email.previous_settlement_day(datetime(2023, 6, 1, 23, 30, tzinfo=UTC)) == date(2023, 6, 1)
    assert price_email.previous_settlement_day(datetime(2023, 12, 1, 23, 30, tzinfo=UTC)) == date(2023, 11, 30)
