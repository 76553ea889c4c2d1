"""`flask --app app operational ...`: import metered battery output from CSV files."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from cli.context import context
from services.errors import ServiceError
from services.operational import BATTERY_ASSET, import_readings

operational_group = AppGroup("operational", help="Operational (metered) data joined to run schedules.")


@operational_group.command("import", help="Import metered MW per settlement period from CSV FILES. Columns: "
                                          "interval_start_utc,metered_mw or settlement_date,settlement_period,"
                                          "metered_mw (MW, exports positive). Each file is stored whole or not at "
                                          "all; importing a file again changes nothing.")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--asset", default=BATTERY_ASSET, show_default=True, help="Which asset the readings belong to.")
def import_command(files: tuple[Path, ...], asset: str) -> None:
    db = context().db
    failed = 0
    for path in files:
        try:
            report = import_readings(db, path.read_bytes(), path.name, "command line", asset=asset)
        except ServiceError as error:
            failed += 1
            click.echo(f"{path.name}: NOT imported. {error}", err=True)
            continue
        click.echo(report.describe())
    if failed:
        raise click.ClickException(f"{failed} of {len(files)} file(s) were not imported; nothing from them was stored")


def register_cli(server: Flask) -> None:
    server.cli.add_command(operational_group)
