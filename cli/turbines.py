"""`flask turbine ...`: register turbines, list the fleet and tickets, run the dispatcher once."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from cli.context import context, user_errors
from services.turbine_dispatch import crew_from_settings, dispatch_once
from services.turbines import fleet_state, list_tickets, register_demo_fleet, register_turbine

turbine_group = AppGroup("turbine", help="The wind-turbine fleet and its repair tickets.")



@turbine_group.command("add", help="Register turbine NUMBER (metrics from unregistered turbines are refused).")
@click.argument("number", type=int)
@click.option("--name", default=None, help="Display name (default 'Turbine NUMBER').")
@click.option("--rating-kw", type=float, default=None, help="Rated power [kW] (default TURBINE_DEFAULT_RATING_KW).")
def add_command(number: int, name: str | None, rating_kw: float | None) -> None:
    ctx = context()
    with user_errors():
        added = register_turbine(ctx.db, number, name or f"Turbine {number}",
                                 rating_kw or ctx.settings.turbine_default_rating_kw)
    click.echo(f"Turbine {number} registered." if added else f"Turbine {number} was already registered.")


@turbine_group.command("demo", help="Register the ten demo turbines (also done by `flask setup`).")
def demo_command() -> None:
    ctx = context()
    click.echo(f"{register_demo_fleet(ctx.db, ctx.settings.turbine_default_rating_kw)} demo turbines added.")


@turbine_group.command("list", help="The fleet: condition, last report and repair state.")
def list_command() -> None:
    ctx = context()
    for state in fleet_state(ctx.db, ctx.settings.turbine_report_interval_s):
        seen = state.last_seen.isoformat(timespec="seconds") if state.last_seen else "never"
        click.echo(f"{state.turbine_number:>4}  {state.name:<20} {state.condition:<8} last seen {seen}  "
                   f"{state.repair_state}")


@turbine_group.command("tickets", help="Repair tickets, newest first.")
@click.option("--status", default=None, help="queued, assigned, in_repair or done")
def tickets_command(status: str | None) -> None:
    with user_errors():
        found = list_tickets(context().db, status)
    for ticket in found:
        click.echo(f"#{ticket.id} turbine {ticket.turbine_number} {ticket.status} {ticket.engineer or '-'} "
                   f"opened {ticket.opened_at.isoformat(timespec='seconds')}")


@turbine_group.command("dispatch", help="Run the repair dispatcher once (the scheduler runs it every few seconds).")
def dispatch_command() -> None:
    ctx = context()
    report = dispatch_once(ctx.db, crew_from_settings(ctx.settings))
    click.echo(f"{len(report.applied)} change(s) applied, {len(report.skipped)} already done elsewhere.")


def register_cli(server: Flask) -> None:
    server.cli.add_command(turbine_group)
