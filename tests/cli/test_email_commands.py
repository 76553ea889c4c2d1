"""`flask --app app email ...`: send-prices (all opted in, --to, --force, --preview) and recipients."""

from __future__ import annotations

import pytest

from tests.conftest import make_settings
from tests.smtp_servers import attachments


@pytest.fixture
def settings(tmp_path, seeded_sqlite_url, smtp_inbox):
    _, port = smtp_inbox
    return make_settings(tmp_path, seeded_sqlite_url, mail_server="127.0.0.1", mail_port=port,
                         price_email_backoff_s=0.01, mail_timeout_s=2)


def test_send_prices_goes_to_opted_in_users_once_unless_forced(server, smtp_inbox):
    inbox, _ = smtp_inbox
    runner = server.test_cli_runner()
    assert runner.invoke(args=["email", "recipients", "set", "trader", "trader@example.com"]).exit_code == 0
    assert runner.invoke(args=["email", "recipients", "set", "viewer", "viewer@example.com", "--off"]).exit_code == 0

    first = runner.invoke(args=["email", "send-prices", "--date", "2023-03-26"])
    second = runner.invoke(args=["email", "send-prices", "--date", "2023-03-26"])
    forced = runner.invoke(args=["email", "send-prices", "--date", "2023-03-26", "--force"])

    assert first.exit_code == 0, first.output
    assert "trader@example.com" in first.output and "1 sent" in first.output
    assert "0 sent, 1 already sent" in second.output
    assert "1 sent" in forced.output
    assert inbox.envelopes == [["trader@example.com"], ["trader@example.com"]]
    assert "powerdesk-prices-2023-03-26.csv" in attachments(inbox.messages[0])


def test_send_prices_to_one_address_keeps_the_same_idempotency(server, smtp_inbox):
    inbox, _ = smtp_inbox
    runner = server.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["email", "send-prices", "--date", "2023-03-26", "--to", "boss@example.com"])
        assert result.exit_code == 0, result.output
    assert inbox.envelopes == [["boss@example.com"]]


def test_preview_writes_the_html_and_sends_nothing(server, smtp_inbox, tmp_path):
    inbox, _ = smtp_inbox
    runner = server.test_cli_runner()
    runner.invoke(args=["email", "recipients", "set", "trader", "trader@example.com"])
    target = tmp_path / "preview.html"
    result = runner.invoke(args=["email", "send-prices", "--date", "2023-03-26", "--preview", str(target)])
    assert result.exit_code == 0, result.output
    assert "Powerdesk prices for 2023-03-26" in target.read_text()
    assert inbox.messages == []
    again = runner.invoke(args=["email", "send-prices", "--date", "2023-03-26"])
    assert "1 sent" in again.output  # the preview claimed nothing


def test_bad_input_is_explained(server):
    runner = server.test_cli_runner()
    bad_address = runner.invoke(args=["email", "send-prices", "--date", "2023-03-26", "--to", "not-an-address"])
    assert bad_address.exit_code != 0 and "is not an email address" in bad_address.output
    bad_date = runner.invoke(args=["email", "send-prices", "--date", "26/03/2023"])
    assert bad_date.exit_code != 0 and "26/03/2023" in bad_date.output
    ghost = runner.invoke(args=["email", "recipients", "set", "ghost", "g@example.com"])
    assert ghost.exit_code != 0 and "no user called 'ghost'" in ghost.output


def test_recipients_list_shows_every_user_with_their_choice(server):
    runner = server.test_cli_runner()
    runner.invoke(args=["email", "recipients", "set", "trader", "trader@example.com"])
    runner.invoke(args=["email", "recipients", "remove", "trader"])
    runner.invoke(args=["email", "recipients", "set", "viewer", "viewer@example.com"])
    listing = {line.split()[0]: line.split()[1:] for line in
               runner.invoke(args=["email", "recipients", "list"]).output.splitlines()}
    assert listing["trader"] == ["off", "trader@example.com"]
    assert listing["viewer"] == ["on", "viewer@example.com"]
    assert listing["admin"] == ["off", "-"]


def test_send_prices_with_smtp_down_reports_failure_and_exits_non_zero(tmp_path, seeded_sqlite_url, refusing_port):
    from tests.conftest import build_app

    app = build_app(make_settings(tmp_path, seeded_sqlite_url, mail_server="127.0.0.1", mail_port=refusing_port,
                                  price_email_backoff_s=0.01), seed=False)
    result = app.server.test_cli_runner().invoke(
        args=["email", "send-prices", "--date", "2023-03-26", "--to", "desk@example.com"])
    app.server.extensions["powerdesk"].db.dispose()
    assert result.exit_code == 1
    assert "failed after 3 attempts: ConnectionRefusedError" in result.output
