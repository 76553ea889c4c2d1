"""`flask --app app prices ...`: import price files, fetch from configured price sources, list and undo
imports, and show or set the precedence between sources per market."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from cli.context import context, user_errors
from data_access.price_files import FORMATS
from domain.markets import MARKETS
from services.prices import ImportReport, import_prices

prices_group = AppGroup("prices", help="Market prices: import files, fetch from sources, list and undo imports.")


def echo_report(report: ImportReport) -> None:
    """The import report: counts, refused days, every rejected line (line, column, reason), conflicts (first 20)."""
    click.echo(report.summary())
    if report.first_utc is not None:
        click.echo(f"Prices from {report.first_utc.isoformat()} to {report.last_utc.isoformat()} (UTC).")
    for day in report.refused_days:
        click.echo(f"Refused day: {day}")
    for note in report.notes:
        click.echo(f"Note: {note}")
    refused_days = set(report.refused_days)
    for rejection in report.rejections:
        if rejection.reason not in refused_days:
            click.echo(f"Rejected line {rejection.line}, column {rejection.column or '-'}: {rejection.reason}")
    for conflict in report.conflicts[:20]:
        used = "this file's is used" if conflict["used"] else f"'{conflict['other_source']}' stays in use"
        click.echo(f"Conflict {conflict['market']} {conflict['settlement_date']} SP{conflict['settlement_period']}: "
                   f"{conflict['price_gbp_per_mwh']:g} here, {conflict['other_price_gbp_per_mwh']:g} from "
                   f"'{conflict['other_source']}' (both kept; {used})")
    if report.rows_conflicting > 20:
        click.echo(f"… and {report.rows_conflicting - 20:,} more conflicting.")
    if not report.stored and report.good_lines:
        click.echo(f"Run again with --import-good-lines to import the {report.good_lines:,} good line(s) anyway.")


@prices_group.command("import", help="Import a price file (seed, Elexon MID, Elexon portal MID, Elexon system prices "
                      "or EPEX hourly CSV, .csv.gz too). A file with any rejected line is refused whole unless "
                      "--import-good-lines.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="File format; detected from the header when omitted.")
@click.option("--source", default=None, help="Source name to store the prices under (default <format>:<file name>).")
@click.option("--import-good-lines", is_flag=True, default=False,
              help="Import the lines without a rejected value even when others are rejected (audited).")
def prices_import(file: Path, fmt: str | None, source: str | None, import_good_lines: bool) -> None:
    with user_errors():
        report = import_prices(context().db, file.read_bytes(), file.name, fmt=fmt, source=source, actor="cli",
                               good_lines_only=import_good_lines)
    echo_report(report)
    if not report.stored:
        raise SystemExit(1)


@prices_group.command("fetch", help="Fetch prices for settlement dates FROM..TO from a configured source.")
@click.option("--source", "source_name", required=True, help="Source name: folder or elexon-mid.")
@click.option("--from", "first", required=True, type=click.DateTime(["%Y-%m-%d"]), help="First settlement date.")
@click.option("--to", "last", required=True, type=click.DateTime(["%Y-%m-%d"]), help="Last settlement date.")
@click.option("--import-good-lines", is_flag=True, default=False,
              help="Import the good lines of documents that have rejected ones (audited).")
def prices_fetch(source_name: str, first, last, import_good_lines: bool) -> None:
    from services.price_fetch import fetch_prices

    ctx = context()
    with user_errors():
        outcome = fetch_prices(ctx.db, ctx.settings, source_name, date(first.year, first.month, first.day),
                               date(last.year, last.month, last.day), actor="cli", good_lines_only=import_good_lines)
    for note in outcome.notes:
        click.echo(note)
    for report in outcome.reports:
        echo_report(report)
    if not outcome.reports:
        click.echo("No price files found for that range.")


@prices_group.command("imports", help="List the newest price imports (id, when, who, source, added, displaced).")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 1000))
def prices_imports(limit: int) -> None:
    from services.price_imports import list_imports

    rows = list_imports(context().db, limit)
    if not rows:
        click.echo("No price imports are recorded.")
    for row in rows:
        state = f"undone by {row.undone_by} at {row.undone_at:%Y-%m-%d %H:%M} UTC" if row.undone_at else "in effect"
        good = " (good lines only)" if row.good_lines_only else ""
        click.echo(f"#{row.id} {row.at:%Y-%m-%d %H:%M} UTC {row.actor}: {row.file_name} as '{row.source}'{good}: "
                   f"{row.rows_added:,} added, {row.rows_displaced:,} displaced; {state}")


@prices_group.command("undo", help="Undo price import ID: remove what it added; what it displaced is used again.")
@click.argument("import_id", type=int)
def prices_undo(import_id: int) -> None:
    from services.price_imports import undo_import

    with user_errors():
        report = undo_import(context().db, import_id, actor="cli")
    click.echo(report.summary())


@prices_group.command("precedence", help="Show which kind of source wins each market's intervals; with --market "
                      "and --order, set it (e.g. --order feed,seed,upload, best first).")
@click.option("--market", type=click.Choice(MARKETS), default=None)
@click.option("--order", default=None, help="The kinds feed, seed and upload, best first, comma-separated.")
def prices_precedence(market: str | None, order: str | None) -> None:
    from services.price_imports import market_precedence, set_market_precedence

    ctx = context()
    if (market is None) != (order is None):
        raise click.UsageError("give both --market and --order to change the precedence, or neither to show it")
    if market is not None:
        with user_errors():
            set_market_precedence(ctx.db, market, order, actor="cli")
    for row in market_precedence(ctx.db):
        note = " (default)" if row.is_default else f" (set by {row.updated_by})"
        click.echo(f"{row.market}: {' > '.join(row.order)}{note}")


def register_cli(server: Flask) -> None:
    server.cli.add_command(prices_group)
