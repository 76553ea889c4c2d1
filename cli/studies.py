"""`flask --app app optimise study FILE.json`: run a sizing study from the same JSON the API takes."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

from cli.context import context, user_errors
from jobs.studies import execute_points, start_points
from services.studies import get_study, submit_study
from services.users import get_user_by_name


@click.command("study")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--user", "username", required=True, help="The trader or admin the study and its runs belong to.")
@click.option("--background", is_flag=True, help="Hand the points to the workers and return at once.")
@with_appcontext  # a plain click command added to the optimise group does not get AppGroup's context
def study_command(file: Path, username: str, background: bool) -> None:
    """Submit the study in FILE (JSON: name, start, end, base, grid) and solve its points."""
    app = context()
    try:
        body = json.loads(file.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise click.ClickException(f"{file} is not valid JSON: {error}") from error
    with user_errors():
        user = get_user_by_name(app.db, username)
        if user.role not in ("trader", "admin"):
            raise click.ClickException(f"{username!r} is a {user.role}; studies need a trader or admin")
        submitted = submit_study(app.db, body, user.id, user.username, app.settings.study_max_points)
    study = get_study(app.db, submitted.study_id)
    click.echo(f"study #{submitted.study_id}: {len(study['points'])} points, "
               f"{len(study['points']) - len(submitted.pending_run_ids)} reused from stored runs")
    if background:
        how = start_points(app.settings, submitted.study_id, submitted.pending_run_ids)
        click.echo(f"Solving in the background ({how}); follow it with GET /api/v1/studies/{submitted.study_id}.")
        return
    execute_points(app.settings.resolved_database_url(), submitted.pending_run_ids, app.settings.study_workers,
                   app.settings)
    for point in get_study(app.db, submitted.study_id)["points"]:
        totals = point["totals"] or {}
        figure = f"£{totals['net_revenue_gbp']:,.0f}" if "net_revenue_gbp" in totals else point["message"]
        varied = ", ".join(f"{key}={value}" for key, value in point["varied"].items())
        click.echo(f"  run #{point['run_id']}: {varied}: {point['status']} {figure}")


def register_cli(server: Flask) -> None:
    optimise = server.cli.commands.get("optimise")
    if optimise is None:
        raise RuntimeError("cli.studies must be registered after the module that defines the optimise group")
    optimise.add_command(study_command)
