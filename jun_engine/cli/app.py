"""The root `jun-engine` command: global options, and every command group in one place."""

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from typer import _click as click  # typer vendors click; commands are its types
from typer.core import TyperGroup

from jun_engine import __version__
from jun_engine.cli import commands, console
from jun_engine.cli.context import DEFAULT_CONFIG, DEFAULT_DB, GlobalOptions, normalise_db_url
from jun_engine.cli.exit_codes import ExitCode
from jun_engine.logs import configure_logging

HELP = (
    "jun-engine runs a town's public services over X.\n\n"
    "Residents who verified their X account post or DM the town; the engine stores each "
    "message, routes it to the right department as a tracked case, acknowledges it, follows "
    "staff replies to the end and posts scheduled notices.\n\n"
    "Exit codes: 0 ok, 1 the work failed, 2 bad usage or invalid input, 3 database unreachable "
    "or schema behind, 4 another daemon holds the database, 130 interrupted (Ctrl-C).\n\n"
    "Shell completion: `jun-engine --install-completion` (bash, zsh, fish or PowerShell)."
)


class RootGroup(TyperGroup):
    """The root command: usage errors (an unknown option, a bad value) get the same one-line
    `error:` as every other refusal (typer turns Ctrl-C anywhere into exit 130). Its commands
    are imported when first used (`commands.load`); its own help lists their summaries."""

    listing_only = False

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [entry.name for entry in commands.ENTRIES]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        if self.listing_only:
            return commands.listing(cmd_name)
        command = commands.load(cmd_name)
        if command is not None:
            self.add_command(command, cmd_name)
        return command

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self.listing_only = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self.listing_only = False

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except typer.TyperException as exc:  # click's usage errors
            console.usage_error(exc)
            sys.exit(exc.exit_code)
        except typer.Abort:  # end of input (Ctrl-D) at a question: no answer is a no
            console.error_line("aborted: no answer")
            sys.exit(ExitCode.FAILURE)
        sys.exit(code if isinstance(code, int) else ExitCode.OK)


app = typer.Typer(
    cls=RootGroup,
    name="jun-engine",
    help=HELP,
    no_args_is_help=True,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
    add_completion=True,
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
            "--version",
            "-V",
            callback=_version,
            is_eager=True,
            help="Print the version and exit.",
        ),
    ] = False,
) -> None:
    """Parse the global options once; subcommands read them with `global_options(ctx)`."""
    ctx.obj = GlobalOptions(config_path=config, db_url=normalise_db_url(db), verbosity=verbose)
    # Readable logs; HTTP libraries that log bodies (residents' DMs) held at INFO even at -vv.
    configure_logging(verbose)


def main() -> None:
    """Console-script entry point."""
    app()
