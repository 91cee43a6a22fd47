"""`jun-engine db`: see where the database schema stands, and upgrade or downgrade it."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from jun_engine.cli import console
from jun_engine.cli.context import global_options
from jun_engine.cli.exit_codes import ExitCode
from jun_engine.store import migrate
from jun_engine.store.engine import create_engine_from_url
from jun_engine.store.errors import (
    DatabaseError,
    DatabaseUrlError,
    MigrationError,
    RevisionError,
    SchemaError,
    StoreError,
)
from jun_engine.store.migrate import SchemaStatus

HELP = (
    "The database schema: where it stands, and moving it.\n\n"
    "The database is the global --db (an SQLite file path or a PostgreSQL URL). "
    "Run `jun-engine db upgrade` after installing a new version, before starting the daemon."
)


def register(app: typer.Typer) -> None:
    """Attach the `db` command group to the root app."""
    group = typer.Typer(name="db", help=HELP, no_args_is_help=True, rich_markup_mode="rich")
    group.command("upgrade")(upgrade)
    # `downgrade -1` must read -1 as the revision, not as an unknown option.
    group.command("downgrade", context_settings={"ignore_unknown_options": True})(downgrade)
    group.command("current")(current)
    group.command("check")(check)
    app.add_typer(group)


def upgrade(
    ctx: typer.Context,
    revision: Annotated[
        str, typer.Option("--revision", "-r", help="Target revision (default: the newest).")
    ] = "head",
) -> None:
    """Create or upgrade the schema to the newest revision (or --revision)."""
    with _store_errors():
        status = migrate.upgrade(global_options(ctx).db_url, revision)
    console.out().print(f"{status.database} is at {_revisions(status.current)} ({status.state})")


def downgrade(
    ctx: typer.Context,
    revision: Annotated[
        str, typer.Argument(help="Target revision: an id such as 0001, -1 for one step, or base.")
    ],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Downgrade the schema to REVISION. Dropped tables lose their rows."""
    url = global_options(ctx).db_url
    if not yes:
        _confirm_downgrade(revision)
    with _store_errors():
        status = migrate.downgrade(url, revision)
    console.out().print(f"{status.database} is at {_revisions(status.current)} ({status.state})")


def current(
    ctx: typer.Context,
    as_json: console.JsonOption = False,
) -> None:
    """Show the schema revision of the database and the one this version needs."""
    status = _status(global_options(ctx).db_url)
    if as_json:
        console.print_json(_as_dict(status))
        return
    table = console.table("database", "revision", "needed", "state", title="Database schema")
    table.add_row(
        status.database, _revisions(status.current), _revisions(status.head), status.state
    )
    console.out().print(table)


def check(ctx: typer.Context) -> None:
    """Exit 0 if the schema is what this version needs, 3 (with the reason) if not."""
    url = global_options(ctx).db_url
    with _store_errors():
        engine = create_engine_from_url(url)
        try:
            migrate.ensure_schema_current(engine)
        finally:
            engine.dispose()
    console.out().print(f"schema is current ({', '.join(migrate.heads())})")


def _status(url: str) -> SchemaStatus:
    with _store_errors():
        engine = create_engine_from_url(url)
        try:
            return migrate.schema_status(engine)
        finally:
            engine.dispose()


def _confirm_downgrade(revision: str) -> None:
    if not sys.stdin.isatty():
        console.fail(ExitCode.USAGE, f"refusing to downgrade to {revision} without --yes")
    if not typer.confirm(f"Downgrade to {revision}? Dropped tables lose their rows."):
        console.fail(ExitCode.FAILURE, "downgrade cancelled")


@contextmanager
def _store_errors() -> Iterator[None]:
    """Turn the store's errors into one line on stderr and the documented exit code."""
    try:
        yield
    except (DatabaseUrlError, RevisionError) as exc:
        console.fail(ExitCode.USAGE, str(exc))
    except (DatabaseError, SchemaError) as exc:
        console.fail(ExitCode.DATABASE, str(exc))
    except (MigrationError, StoreError) as exc:
        console.fail(ExitCode.FAILURE, str(exc))


def _revisions(revisions: tuple[str, ...]) -> str:
    return ", ".join(revisions) if revisions else "(empty)"


def _as_dict(status: SchemaStatus) -> dict[str, object]:
    return {
        "database": status.database,
        "current": list(status.current),
        "head": list(status.head),
        "state": str(status.state),
        "up_to_date": status.is_current,
    }
