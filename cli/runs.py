"""`flask --app app optimise ...`: run, list, cancel and reap optimisation runs from the command line.

``optimise run`` takes every parameter the New run form takes, checks them the same way, and solves in
this process (an identical stored run is reopened); its first line names the run as ``run #N``.
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from cli.context import context, user_errors
from cli.start_up import freeze_late_imports
from data_access import runs as run_store
from data_access.schema import OptimisationRun, User
from domain.roles import role_allows
from domain.settlement_time import format_local
from jobs.background import local_job_id, stop_job
from services.optimisation_runs import cancel_run, execute_run, load_prices, queue_run, reap_stale_runs
from services.run_requests import (
    DA_SERIES,
    FIELDS,
    FORESIGHTS,
    ID_SERIES,
    INTRADAY_REOPTIMISE,
    MARKET_MODES,
    TERMINAL_POLICIES,
    parse_request,
)
from services.runs import list_runs

optimise_group = AppGroup("optimise", help="Optimisation runs stored in the database.")


def _user(username: str | None, needed: str) -> User | None:
    if username is None:
        return None
    with context().db.session() as session:
        user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.is_active:
        raise click.ClickException(f"there is no active user called {username!r}")
    if not role_allows(user.role, needed):
        raise click.ClickException(f"{username!r} is a {user.role}; this needs a {needed} or admin")
    return user


def _default(key: str):
    return FIELDS[key].default


@optimise_group.command("run")
@click.option("--start", "first_date", required=True, help="First settlement date (YYYY-MM-DD, UK).")
@click.option("--end", "last_date", required=True, help="Last settlement date (YYYY-MM-DD, UK).")
@click.option("--power-mw", type=float, default=_default("power_mw"), show_default=True, help="Power [MW].")
@click.option("--energy-mwh", type=float, default=_default("energy_mwh"), show_default=True, help="Energy [MWh].")
@click.option("--charge-efficiency", type=float, default=_default("charge_efficiency"), show_default=True,
              help="Fraction, 0 < x <= 1.")
@click.option("--discharge-efficiency", type=float, default=_default("discharge_efficiency"), show_default=True,
              help="Fraction, 0 < x <= 1.")
@click.option("--soc-min", type=float, default=_default("soc_min_frac"), show_default=True,
              help="Lowest SoC, fraction of the energy.")
@click.option("--soc-max", type=float, default=_default("soc_max_frac"), show_default=True,
              help="Highest SoC, fraction of the energy.")
@click.option("--initial-soc", type=float, default=_default("initial_soc_frac"), show_default=True,
              help="SoC at the start, fraction of the energy.")
@click.option("--terminal-soc", type=click.Choice(TERMINAL_POLICIES), default="free", show_default=True)
@click.option("--import-limit-mw", type=float, default=None, help="Grid import limit [MW] (default: the power).")
@click.option("--export-limit-mw", type=float, default=None, help="Grid export limit [MW] (default: the power).")
@click.option("--max-cycles", type=float, default=_default("max_cycles_per_day"), show_default=True,
              help="Cycle limit per day.")
@click.option("--degradation-cost", type=float, default=0.0, show_default=True, help="£ per MWh discharged.")
@click.option("--carbon-price", type=float, default=None, help="£ per tCO2 of net imports.")
@click.option("--markets", type=click.Choice(MARKET_MODES), default="da+id", show_default=True)
@click.option("--da-series", type=click.Choice(DA_SERIES), default="day_ahead", show_default=True,
              help="Stored series playing the day-ahead leg (hourly or half-hourly as the series is).")
@click.option("--id-series", type=click.Choice(ID_SERIES), default="intraday", show_default=True,
              help="Stored series playing the intraday leg.")
@click.option("--skip-missing-days", is_flag=True,
              help="Skip days without every price (battery idle, SoC carried) instead of refusing the run.")
@click.option("--foresight", type=click.Choice(FORESIGHTS), default="perfect", show_default=True,
              help="perfect: the day's actual prices; or trade on a forecaster's forecasts, settled at actual prices.")
@click.option("--intraday-reoptimise", type=click.Choice(INTRADAY_REOPTIMISE), default="once", show_default=True,
              help="Forecast-driven runs: decide the intraday leg once the day before, or also re-plan the rest of "
                   "the day before each hour.")
@click.option("--time-limit", type=float, default=_default("time_limit_s"), show_default=True,
              help="Solver time limit per day [s].")
@click.option("--mip-gap", type=float, default=_default("mip_gap"), show_default=True)
@click.option("--always-binary", is_flag=True, help="Solve every day as a MILP.")
@click.option("--name", default="", help="A label for the run (at most 120 characters).")
@click.option("--user", "username", default=None, help="Attribute the run to this trader or admin.")
def optimise_run(first_date, last_date, power_mw, energy_mwh, charge_efficiency, discharge_efficiency, soc_min,
                 soc_max, initial_soc, terminal_soc, import_limit_mw, export_limit_mw, max_cycles, degradation_cost,
                 carbon_price, markets, da_series, id_series, skip_missing_days, foresight, intraday_reoptimise,
                 time_limit, mip_gap, always_binary, name, username) -> None:
    """Optimise on the stored prices and store the run (an identical stored run is reopened)."""
    ctx = context()
    user = _user(username, "trader")
    values = {
        "first_date": first_date, "last_date": last_date, "power_mw": power_mw, "energy_mwh": energy_mwh,
        "charge_efficiency": charge_efficiency, "discharge_efficiency": discharge_efficiency,
        "soc_min_frac": soc_min, "soc_max_frac": soc_max, "initial_soc_frac": initial_soc,
        "terminal_soc": terminal_soc, "import_limit_mw": import_limit_mw, "export_limit_mw": export_limit_mw,
        "max_cycles_per_day": max_cycles, "degradation_cost_gbp_per_mwh": degradation_cost,
        "carbon_price_gbp_per_tco2": carbon_price, "markets": markets, "da_series": da_series,
        "id_series": id_series, "foresight": foresight, "intraday_reoptimise": intraday_reoptimise, "time_limit_s": time_limit, "mip_gap": mip_gap,
        "always_binary": always_binary, "name": name, "skip_missing_days": skip_missing_days,
    }
    with user_errors():
        request = parse_request(values)
        prices = load_prices(ctx.db, request)  # read once: to queue the run and to solve it
        queued = queue_run(ctx.db, request, user.id if user else None, user.username if user else "cli",
                           prices=prices)
    if queued.reopened:
        click.echo(f"Reopened run #{queued.run_id}: it already has these parameters on these prices "
                   f"({queued.status}).")
        if request.name:
            click.echo(f"The name {request.name!r} was not applied; the stored run keeps its own.")
    else:
        days = (request.last - request.first).days + 1
        click.echo(f"Queued run #{queued.run_id} ({days} day{'s' if days != 1 else ''}); solving here "
                   f"(cancel with: flask --app app optimise cancel {queued.run_id}).")
        import optimiser.rolling  # noqa: F401  Pyomo and HiGHS, imported by the solve anyway: frozen with start-up

        freeze_late_imports()
        with user_errors():
            try:
                execute_run(ctx.db, queued.run_id, progress=lambda done, total: click.echo(f"day {done} of {total}"),
                            job_id=local_job_id(), settings=ctx.settings, prices=prices)
            except KeyboardInterrupt:  # Ctrl-C: the run ends cancelled, not running until the reaper
                with ctx.db.session() as session:
                    run_store.cancel(session, queued.run_id, user.id if user else None, "Cancelled (interrupted).")
                raise click.ClickException(f"interrupted: run #{queued.run_id} cancelled") from None
    with ctx.db.session() as session:
        run = session.get(OptimisationRun, queued.run_id)
    click.echo(f"Run #{run.id}: {run.status}. {run.message}".rstrip())
    if run.totals:
        click.echo(f"Net revenue £{run.totals['net_revenue_gbp']:,.2f} over {run.totals['days']} days, "
                   f"{run.totals['cycles']:.2f} cycles.")
    if run.status not in (run_store.SUCCEEDED, run_store.QUEUED, run_store.RUNNING):
        raise SystemExit(1)


@optimise_group.command("list")
@click.option("--status", type=click.Choice(run_store.STATUSES), default=None)
@click.option("--user", "username", default=None, help="Only runs submitted by this user.")
@click.option("--limit", type=int, default=50, show_default=True)
def optimise_list(status, username, limit) -> None:
    """List runs, newest first."""
    ctx = context()
    reap_stale_runs(ctx.db, ctx.settings)
    runs = list_runs(ctx.db, status=status, user=username, limit=limit)
    if not runs:
        click.echo("No runs.")
    for run in runs:
        progress = f" day {run.progress_done} of {run.progress_total}" if run.status == run_store.RUNNING else ""
        net = f" £{run.totals['net_revenue_gbp']:,.0f}" if run.totals else ""
        who = run.created_by.username if run.created_by else "command line"
        click.echo(f"#{run.id:<5} {run.status:<10}{progress} {run.first_date}..{run.last_date} {run.markets:<6}"
                   f"{net} by {who}, {format_local(run.created_at, with_period=False)}"
                   f"{' · ' + run.name if run.name else ''}")


@optimise_group.command("cancel")
@click.argument("run_id", type=int)
@click.option("--user", "username", default=None, help="Cancel as this user (default: as an administrator).")
def optimise_cancel(run_id: int, username: str | None) -> None:
    """Cancel run RUN_ID: the row says cancelled and its job is stopped."""
    ctx = context()
    user = _user(username, "viewer")
    with user_errors():
        cancel_run(ctx.db, run_id, user.id if user else None, user is None or user.role == "admin",
                   stop_job=lambda job_id: stop_job(ctx.settings, job_id, wait=True),
                   actor=user.username if user else "cli")
    click.echo(f"Cancelled run #{run_id}.")


@optimise_group.command("reap")
def optimise_reap() -> None:
    """End runs whose worker stopped (stale heartbeat) or that no worker picked up."""
    click.echo(f"{reap_stale_runs(context().db, context().settings)} stale runs ended.")


def register_cli(server: Flask) -> None:
    server.cli.add_command(optimise_group)
