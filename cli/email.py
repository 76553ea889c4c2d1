"""`flask --app app email ...`: the daily price email by hand, and who receives it."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from cli.context import context, user_errors
from services import price_email

email_group = AppGroup("email", help="The daily price email.")
recipients_group = AppGroup("recipients", help="Who receives the daily price email.")


@email_group.command("send-prices")
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Settlement date (UK). Default: yesterday in UK local time.")
@click.option("--to", "to", default=None, help="Send to this address only (instead of everyone opted in).")
@click.option("--force", is_flag=True, help="Send even if this date's email was already sent to the address.")
@click.option("--preview", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write the email's HTML to this file and send nothing.")
def send_prices(day, to, force, preview) -> None:
    """Send the price email for one settlement date; each address gets it once unless --force."""
    ctx = context()
    settlement_date = day.date() if day else price_email.previous_settlement_day()
    with user_errors():
        if preview:
            content = price_email.write_preview(ctx.db, settlement_date, preview)
            click.echo(f"Wrote {content.subject!r} to {preview}; nothing sent.")
            return
        report = price_email.send_price_email(ctx.db, ctx.mail, ctx.settings, settlement_date, to=to, force=force,
                                              actor="cli")
    for outcome in report.outcomes:
        line = f"{outcome.recipient:<40} {outcome.status.replace('_', ' ')}"
        if outcome.status == "failed":
            line += f" after {outcome.attempts} attempts: {outcome.error}"
        elif outcome.error:
            line += f" ({outcome.error})"
        click.echo(line)
    if not report.outcomes:
        click.echo("Nobody has opted in to the daily price email; nothing sent.")
    click.echo(report.summary())
    if report.count("failed") or report.count("not_tried"):
        raise SystemExit(1)


@recipients_group.command("list")
def recipients_list() -> None:
    """Every user with their address and whether they receive the email."""
    for recipient in price_email.list_recipients(context().db):
        state = "on" if recipient.enabled else "off"
        status = "" if recipient.is_active else " (disabled user)"
        latest = f"  latest: {recipient.last_email}" if recipient.last_email else ""
        click.echo(f"{recipient.username:<24} {state:<4} {recipient.email or '-'}{status}{latest}")


@recipients_group.command("set")
@click.argument("username")
@click.argument("address")
@click.option("--off", is_flag=True, help="Store the address but do not send.")
def recipients_set(username: str, address: str, off: bool) -> None:
    """Send the daily email for USERNAME to ADDRESS (or store it, with --off)."""
    with user_errors():
        recipient = price_email.set_preference(context().db, username, address, not off, actor="cli")
    click.echo(f"{recipient.username}: daily price email {'on' if recipient.enabled else 'off'} "
               f"({recipient.email}).")


@recipients_group.command("remove")
@click.argument("username")
def recipients_remove(username: str) -> None:
    """Stop the daily email for USERNAME (the address is kept)."""
    with user_errors():
        recipient = price_email.set_preference(context().db, username, None, False, actor="cli")
    click.echo(f"{recipient.username}: daily price email off.")


email_group.add_command(recipients_group)


def register_cli(server: Flask) -> None:
    server.cli.add_command(email_group)
