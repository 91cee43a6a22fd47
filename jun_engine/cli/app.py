"""The root `jun-engine` command: global options, and every command group in one place."""

from pathlib import Path
from typing import Annotated

import typer

from jun_engine import __version__
from jun_engine.cli import commands
from jun_engine.cli.context import DEFAULT_CONFIG, DEFAULT_DB, GlobalOptions, normalise_db_url
from jun_engine.cli.exit_codes import ExitCode
from jun_engine.logs import configure_logging

HELP = (
    "jun-engine runs a town's public services over X.\n\n"
    "Residents who verified their X account tweet or DM the town; the engine stores each "
    "message, routes it to the right department as a tracked case, acknowledges it, follows "
    "staff replies to the end and posts scheduled notices.\n\n"
    "Exit codes: 0 ok, 1 the work failed, 2 bad usage or invalid input, 3 database unreachable "
    "or schema behind, 4 another daemon holds the database, 130 interrupted."
)

app = typer.Typer(
    name="jun-engine",
    help=HELP,
    no_args_is_help=True,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"jun-engine {__version__}")
        raise typer.Exit(ExitCode.OK)


@app.callback()
def root(
    ctx: typer.Context,
    config: Annotated[
        Path,
        typer.Option(
            "--config",
            "-c",
            envvar="JUN_CONFIG",
            help="The town's accounts.yaml.",
            show_default=True,
        ),
    ] = DEFAULT_CONFIG,
    db: Annotated[
        str,
        typer.Option(
            "--db",
            envvar="JUN_DB",
            help="Database: an SQLite file path, or a URL such as "
            "postgresql+psycopg://user@host/dbname.",
            show_default=True,
        ),
    ] = DEFAULT_DB,
    verbose: Annotated[
        int,
        typer.Option("--verbose", "-v", count=True, help="More log detail (-v info, -vv debug)."),
    ] = 0,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Parse the global options once; subcommands read them with `global_options(ctx)`."""
    ctx.obj = GlobalOptions(config_path=config, db_url=normalise_db_url(db), verbosity=verbose)
    # Readable logs; HTTP libraries that log bodies (residents' DMs) held at INFO even at -vv.
    configure_logging(verbose)


commands.register_all(app)


def main() -> None:
    """Console-script entry point."""
    app()
