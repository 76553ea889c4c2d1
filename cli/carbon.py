"""`flask --app app carbon ...`: power readings, carbon intensity and footprints of metered assets."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from cli.context import context, user_errors
from services import carbon, footprint

carbon_group = AppGroup("carbon", help="Carbon footprint: assets, COV power readings, carbon intensity.")



@carbon_group.command("import-power")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--register-assets", is_flag=True, help="Register asset ids the database does not know yet.")
def import_power(file: Path, register_assets: bool) -> None:
    """Import a COV power CSV (Time, Variable, AssetId, Value in kW) whole or not at all."""
    with user_errors():
        report = footprint.import_power_file(context().db, file.read_bytes(), file.name, register_assets,
                                             actor="cli")
    click.echo(f"Read {report.rows_read:,} readings for {', '.join(report.assets)}: {report.rows_added:,} added, "
               f"{report.rows_already_stored:,} already stored.")
    if report.assets_registered:
        click.echo(f"Registered new assets: {', '.join(report.assets_registered)}.")


@carbon_group.command("register-asset")
@click.argument("asset_id")
@click.option("--name", default="", help="A readable name (default: the id).")
@click.option("--rating-kw", type=float, default=None,
              help="Rating [kW]: readings beyond ±10 × it are refused (±10 GW without one).")
def register_asset(asset_id: str, name: str, rating_kw: float | None) -> None:
    """Register ASSET_ID so its readings can be imported."""
    with user_errors():
        created = footprint.register_asset(context().db, asset_id, name, actor="cli", rating_kw=rating_kw)
    click.echo(f"Registered {asset_id!r}." if created else f"{asset_id!r} was already registered.")


@carbon_group.command("assets")
def assets() -> None:
    """List registered assets and the span of their readings."""
    for asset in footprint.list_assets(context().db):
        span = (f"{asset.first_reading_utc:%Y-%m-%d %H:%M} to {asset.last_reading_utc:%Y-%m-%d %H:%M} UTC"
                if asset.first_reading_utc else "no readings")
        click.echo(f"{asset.asset_id:<24} {asset.name:<40} {span}")


@carbon_group.command("fetch-intensity")
@click.option("--start", "first", type=click.DateTime(["%Y-%m-%d"]), required=True, help="First settlement date.")
@click.option("--end", "last", type=click.DateTime(["%Y-%m-%d"]), required=True, help="Last settlement date.")
def fetch_intensity(first, last) -> None:
    """Fetch national carbon intensity from the API (or the fallback folder) and store it."""
    with user_errors():
        report = footprint.fetch_intensity(context().db, footprint.intensity_client(context().settings),
                                           first.date(), last.date())
    if report.problem:
        click.echo(f"Warning: {report.problem}; used the file fallback.", err=True)
    click.echo(f"{report.intervals:,} half-hours from {report.source}; {report.changed:,} new or changed; "
               f"{report.footprints_recomputed:,} stored footprint days recomputed.")


@carbon_group.command("load-intensity")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
def load_intensity(path: Path) -> None:
    """Store intensity from a JSON file (or a folder of them) in the Carbon Intensity API's shape."""
    with user_errors():
        db = context().db
        report = (footprint.load_intensity_files(db, path) if path.is_dir()
                  else footprint.load_intensity_file(db, path))
    click.echo(f"{report.intervals:,} half-hours read; {report.changed:,} new or changed; "
               f"{report.footprints_recomputed:,} stored footprint days recomputed.")


@carbon_group.command("tradeoff")
@click.argument("run_id", type=int)
def tradeoff(run_id: int) -> None:
    """Solve stored run RUN_ID again at 0, 50, 100, 200 and 400 £/tCO2 (each stored as a run) and print
    net revenue (without the carbon charge) against net tCO2. Up to 400 days here."""
    with user_errors():
        points = carbon.carbon_tradeoff(context().db, run_id, max_days=400)
    click.echo(f"{'£/tCO2':>7}  {'run':>6}  {'status':<10} {'net revenue £':>14}  {'net tCO2':>9}")
    for p in points:
        revenue = f"{p.revenue_gbp:,.0f}" if p.revenue_gbp is not None else "-"
        tonnes = f"{p.net_tco2:.2f}" if p.net_tco2 is not None else "-"
        click.echo(f"{p.carbon_price_gbp_per_tco2:>7g}  #{p.run_id:<5} {p.status:<10} {revenue:>14}  {tonnes:>9}")


def register_cli(server: Flask) -> None:
    server.cli.add_command(carbon_group)
