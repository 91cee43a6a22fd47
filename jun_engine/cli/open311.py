"""`jun-engine open311`: the Open311 server's clients and their API keys (add, list, revoke)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from jun_engine.cli import console
from jun_engine.cli.desk import town_and_database
from jun_engine.cli.exit_codes import ExitCode
from jun_engine.store.errors import StoreError
from jun_engine.store.session import session_scope

HELP = (
    "The town's Open311 GeoReport v2 server (served by `jun-engine web`): its clients' API "
    "keys.\n\nA key is shown once, when it is issued, and kept only as a hash; a revoked key is "
    "refused from the next request on. docs/open311.md says more."
)
NameArg = Annotated[str, typer.Argument(help="The client's name, e.g. fixmystreet.")]


def register(app: typer.Typer) -> None:
    """Attach the `open311` command group to the root app."""
    group = typer.Typer(name="open311", help=HELP, no_args_is_help=True)
    keys = typer.Typer(name="clients", help="Open311 clients and their API keys.")
    keys.command("add")(add_command)
    keys.command("list")(list_command)
    keys.command("revoke")(revoke_command)
    group.add_typer(keys)
    app.add_typer(group)


def _now() -> datetime:
    return datetime.now(UTC)


def add_command(ctx: typer.Context, name: NameArg) -> None:
    """Issue an API key to a new client; the key is printed this once."""
    from jun_engine.channels.open311 import clients

    with town_and_database(ctx) as (_config, engine):
        try:
            with session_scope(engine) as session:
                key = clients.add(session, name, _now())
        except clients.ClientError as exc:
            console.fail(ExitCode.USAGE, str(exc))
        except StoreError as exc:
            console.fail(ExitCode.DATABASE, str(exc))
    console.out().print(f"Open311 client {name} added; its API key (shown only now):")
    typer.echo(key)


def list_command(
    ctx: typer.Context, limit: console.LimitOption = 200, as_json: console.JsonOption = False
) -> None:
    """List the Open311 clients (never their keys)."""
    from jun_engine.channels.open311 import clients

    with town_and_database(ctx) as (config, engine), session_scope(engine) as session:
        rows, more = console.limited(clients.listed(session), limit)
    if as_json:
        console.print_json(rows)
        return
    zone = ZoneInfo(config.town.timezone)
    table = console.table(
        "name", "created", "revoked", title="Open311 clients", zone=zone, caption=more
    )
    for row in rows:
        table.add_row(
            row.name, console.local(row.created_at, zone), console.local(row.revoked_at, zone)
        )
    console.out().print(table)


def revoke_command(ctx: typer.Context, name: NameArg) -> None:
    """Revoke a client's API key: refused from the next request on."""
    from jun_engine.channels.open311 import clients

    with town_and_database(ctx) as (_config, engine):
        try:
            with session_scope(engine) as session:
                clients.revoke(session, name, _now())
        except clients.ClientError as exc:
            console.fail(ExitCode.FAILURE, str(exc))
    console.out().print(f"Open311 client {name} revoked")
