"""`flask --app app meters ...`: list meters, move a meter onto a plan, load the demo meters."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from cli.context import context, user_errors
from domain.settlement_time import format_local
from services import meters
from services.meter_demo import load_demo_meters

meters_group = AppGroup("meters", help="Smart meters and price plans.")


@meters_group.command("list", help="Every meter: owner, plan, readings and their first and last time.")
def list_command() -> None:
    for m in meters.list_meters(context().db):
        span = (f"{format_local(m.first_utc, with_period=False)} .. {format_local(m.last_utc, with_period=False)}"
                if m.first_utc else "no readings")
        click.echo(f"{m.meter_id}\t{m.owner or '-'}\t{m.price_plan_id or 'no plan'}\t{m.readings}\t{span}")


@meters_group.command("set-plan", help="Move METER onto PLAN (recorded in the audit log as the CLI).")
@click.argument("meter")
@click.argument("plan")
def set_plan_command(meter: str, plan: str) -> None:
    with user_errors():
        previous = meters.change_plan(context().db, "cli", meter, plan)
    click.echo(f"{meter}: {previous or 'no plan'} -> {plan}")


@meters_group.command("demo", help="Load the demo plans and meters (idempotent; `flask setup` does it too).")
def demo_command() -> None:
    click.echo(f"{load_demo_meters(context().db)} demo meter readings added.")


def register_cli(server: Flask) -> None:
    server.cli.add_command(meters_group)
