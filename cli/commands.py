"""Command-line administration, registered on the Flask server by create_app."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup

from cli.context import context, user_errors
from data_access import migrate
from domain.key_kinds import FLEET_GATEWAY_SCOPES, FOOTPRINT_WRITE, MACHINE_SCOPES, METERS_WRITE, TURBINES_WRITE
from domain.key_scope import KeyScope
from domain.roles import ROLE_ORDER
from services import api_keys, users

db_group = AppGroup("db", help="Database schema (Alembic).")
demo_group = AppGroup("demo", help="Demo data.")
user_group = AppGroup("user", help="People who log in.")
apikey_group = AppGroup("apikey", help="API keys for machines (meters, turbines, scripts).")


@click.command("setup", help="Migrate, create the admin user on an empty database, load demo data.")
def setup_command() -> None:
    from services.setup import run_setup  # demo data and pandas: imported by the commands that load them

    ctx = context()
    admin_password = ctx.settings.powerdesk_admin_password
    report = run_setup(
        ctx.db,
        ctx.settings.resolved_database_url(),
        admin_password.get_secret_value() if admin_password else None,
        ctx.settings.load_demo_data,
        ctx.settings.turbine_default_rating_kw,
    )
    if report.generated_admin_password:
        click.echo("Created user 'admin' with this password (shown once, store it now):")
        click.echo(f"    {report.generated_admin_password}")
    click.echo(f"Database ready; {report.demo_price_rows_added} demo price rows added; "
               f"{report.demo_turbines_added} demo turbines added.")


@db_group.command("upgrade", help="Apply migrations up to REVISION (default: head).")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    migrate.upgrade(context().settings.resolved_database_url(), revision)
    click.echo(f"Database at {migrate.current_revision(context().db.engine)}.")


@db_group.command("downgrade", help="Revert migrations down to REVISION (e.g. base).")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    migrate.downgrade(context().settings.resolved_database_url(), revision)


@db_group.command("current", help="Show the applied revision.")
def db_current() -> None:
    current = migrate.current_revision(context().db.engine)
    click.echo(f"{current or 'empty'} (head {migrate.head_revision()})")


@db_group.command("revision", help="Autogenerate a migration from the schema.")
@click.option("-m", "--message", required=True)
def db_revision(message: str) -> None:
    migrate.revision(context().settings.resolved_database_url(), message)


@demo_group.command("load", help="Load the shipped demo prices (idempotent).")
def demo_load() -> None:
    from services.prices import load_demo_prices

    click.echo(f"{load_demo_prices(context().db)} demo price rows added.")


CLI_ACTOR = "cli"
"""Audit-log actor for changes made on the command line (whoever holds the server's shell)."""


@user_group.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLE_ORDER), required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def user_create(name: str, role: str, password_stdin: bool) -> None:
    """Create user NAME with ROLE."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with user_errors():
        user = users.create_user(context().db, name, password, role)
    click.echo(f"Created {user.role} {user.username!r}.")


@user_group.command("list")
def user_list() -> None:
    """List users with role and status."""
    for user in users.list_users(context().db):
        status = "active" if user.is_active else "disabled"
        last = user.last_login_at.strftime("%Y-%m-%d %H:%M UTC") if user.last_login_at else "never"
        click.echo(f"{user.username:<24} {user.role:<8} {status:<9} last login {last}")


@user_group.command("disable")
@click.argument("name")
def user_disable(name: str) -> None:
    """Disable NAME: existing sessions stop working at their next request."""
    with user_errors():
        users.disable_user(context().db, name, actor=CLI_ACTOR)
    click.echo(f"Disabled {name!r}.")


@user_group.command("enable")
@click.argument("name")
def user_enable(name: str) -> None:
    """Enable NAME again."""
    with user_errors():
        users.enable_user(context().db, name, actor=CLI_ACTOR)
    click.echo(f"Enabled {name!r}.")


@user_group.command("reset-password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the new password from standard input; "
              "without it a password is generated and printed once.")
def user_reset_password(name: str, password_stdin: bool) -> None:
    """Set a new password for NAME and end their sessions."""
    given = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    with user_errors():
        _user, generated = users.reset_password(context().db, name, given, actor=CLI_ACTOR)
    click.echo(f"New password for {name!r}: {generated}" if generated else f"Set a new password for {name!r}.")


@user_group.command("set-role")
@click.argument("name")
@click.argument("role", type=click.Choice(ROLE_ORDER))
def user_set_role(name: str, role: str) -> None:
    """Give NAME the role ROLE."""
    with user_errors():
        users.set_role(context().db, name, role, actor=CLI_ACTOR)
    click.echo(f"{name!r} is now {role}.")


@apikey_group.command("create")
@click.argument("name")
@click.option("--user", "username", default=None,
              help="The user the key belongs to: it acts with that user's role (scripts, notebooks) and is not "
                   "scoped by --turbine/--meter/--asset. Without it the key is a machine's (meters, turbines) "
                   "and cannot submit runs.")
@click.option("--turbine", "turbines", type=click.IntRange(1, api_keys.MAX_TURBINE_NUMBER), multiple=True,
              help="A turbine number the machine key may post metrics for (repeat for more).")
@click.option("--meter", "meters", multiple=True, help="A smart meter id the key may store readings for (repeat).")
@click.option("--asset", "assets", multiple=True,
              help="A carbon asset id the key may post COV readings for (repeat). A machine key with no "
                   "--turbine/--meter/--asset is a fleet key: it may write for every turbine, meter and asset.")
@click.option("--scope", "scopes", multiple=True, type=click.Choice(sorted(MACHINE_SCOPES)),
              help="What a machine key may call (repeat for more), e.g. turbines:write. Without any, it may "
                   "write for the turbines, meters or assets it names (--turbine/--meter/--asset), and nothing "
                   "else; with none of those either, it is refused.")
def apikey_create(name: str, username: str | None, turbines: tuple[int, ...], meters: tuple[str, ...],
                  assets: tuple[str, ...], scopes: tuple[str, ...]) -> None:
    """Create an API key called NAME and print it once."""
    scope = KeyScope(frozenset(turbines), frozenset(meters), frozenset(assets))
    if username is None and not scopes:
        # A machine key does what it was made for: writing for the turbines, meters or assets it names.
        scopes = tuple(s for s, named in ((TURBINES_WRITE, turbines), (METERS_WRITE, meters),
                                          (FOOTPRINT_WRITE, assets)) if named)
        if not scopes:
            raise click.UsageError("a machine key needs a scope: --scope (e.g. --scope turbines:write, repeat for "
                                   "more), or the turbines, meters or assets it writes for (--turbine/--meter/"
                                   "--asset); a key that acts as a person takes --user")
    with user_errors():
        issued = api_keys.create_api_key(context().db, name, username, scope, actor=CLI_ACTOR,
                                         scopes=set(scopes) if scopes else None)
    granted = ", ".join(sorted(scopes or FLEET_GATEWAY_SCOPES))
    owner = (f" for user {username!r}" if username else
             f" for a machine, scopes {granted}; may write for: {scope.describe()}")
    click.echo(f"API key {issued.name!r}{owner} (shown once; send as 'Authorization: Bearer <key>'):")
    click.echo(issued.key)


@apikey_group.command("list")
def apikey_list() -> None:
    """List API keys (never the secrets) with what each may write for."""
    for key in api_keys.describe_api_keys(context().db):
        status = "revoked" if key.revoked_at else "active"
        used = key.last_used_at.strftime("%Y-%m-%d %H:%M UTC") if key.last_used_at else "never"
        scope = (f"acts as user {key.username}" if key.username else
                 f"{' '.join(key.scopes)}; writes for {key.scope.describe()}")
        click.echo(f"{key.name:<24} pdk_{key.prefix}_…  {status:<8} last used {used:<20}  {scope}")


@apikey_group.command("revoke")
@click.argument("name")
def apikey_revoke(name: str) -> None:
    """Revoke the API key NAME."""
    with user_errors():
        api_keys.revoke_api_key(context().db, name, actor=CLI_ACTOR)
    click.echo(f"Revoked {name!r}.")


def register_cli(server: Flask) -> None:
    server.cli.add_command(setup_command)
    for group in (db_group, demo_group, user_group, apikey_group):
        server.cli.add_command(group)
