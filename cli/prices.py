"""`flask --app app prices ...`: import price files and fetch from configured price sources."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from cli.context import context, user_errors
from data_access.price_files import FORMATS
from services.prices import ImportReport, import_prices

prices_group = AppGroup("prices", help="Market prices: import files, fetch from sources.")



def echo_report(report: ImportReport) -> None:
    """The import report: counts, refused days, rejected lines and conflicts (first 20 of each)."""
    click.echo(report.summary())
    if report.first_utc is not None:
        click.echo(f"Prices from {report.first_utc.isoformat()} to {report.last_utc.isoformat()} (UTC).")
    for day in report.refused_days:
        click.echo(f"Refused day: {day}")
    for note in report.notes:
        click.echo(f"Note: {note}")
    other = [(line, reason) for line, reason in report.rejected if reason not in set(report.refused_days)]
    for line, reason in other[:20]:
        click.echo(f"Rejected line {line}: {reason}")
    if report.rows_rejected - len(report.refused_days) > min(len(other), 20):
        click.echo(f"… and {report.rows_rejected - len(report.refused_days) - min(len(other), 20):,} more rejected.")
    for conflict in report.conflicts[:20]:
        click.echo(f"Conflict {conflict['market']} {conflict['settlement_date']} SP{conflict['settlement_period']}: "
                   f"{conflict['price_gbp_per_mwh']:g} here, {conflict['other_price_gbp_per_mwh']:g} from "
                   f"'{conflict['other_source']}' (both kept)")


@prices_group.command("import", help="Import a price file (seed, Elexon MID, Elexon portal MID, Elexon system prices or EPEX hourly "
                      "CSV, .csv.gz too).")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="File format; detected from the header when omitted.")
@click.option("--source", default=None, help="Source name to store the prices under (default <format>:<file name>).")
def prices_import(file: Path, fmt: str | None, source: str | None) -> None:
    with user_errors():
        report = import_prices(context().db, file.read_bytes(), file.name, fmt=fmt, source=source, actor="cli")
    echo_report(report)


@prices_group.command("fetch", help="Fetch prices for settlement dates FROM..TO from a configured source.")
@click.option("--source", "source_name", required=True, help="Source name: folder or elexon-mid.")
@click.option("--from", "first", required=True, type=click.DateTime(["%Y-%m-%d"]), help="First settlement date.")
@click.option("--to", "last", required=True, type=click.DateTime(["%Y-%m-%d"]), help="Last settlement date.")
def prices_fetch(source_name: str, first, last) -> None:
    from services.price_fetch import fetch_prices

    ctx = context()
    with user_errors():
        outcome = fetch_prices(ctx.db, ctx.settings, source_name, date(first.year, first.month, first.day),
                               date(last.year, last.month, last.day), actor="cli")
    for note in outcome.notes:
        click.echo(note)
    for report in outcome.reports:
        echo_report(report)
    if not outcome.reports:
        click.echo("No price files found for that range.")


def register_cli(server: Flask) -> None:
    server.cli.add_command(prices_group)
