"""What the desk commands share for output: the error line and exit, the console, who is acting."""

from __future__ import annotations

import getpass
from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from jun_engine.cli.exit_codes import ExitCode


def fail(code: ExitCode, message: str) -> NoReturn:
    """Print `error: message` on stderr (one line, no traceback) and exit with `code`."""
    Console(stderr=True, highlight=False, soft_wrap=True).print(
        f"[bold red]error:[/] {escape(message)}"
    )
    raise typer.Exit(code)


def out() -> Console:
    """The console tables and results go to (stdout)."""
    return Console(highlight=False, soft_wrap=True)


def staff_actor() -> str:
    """Who ran the command, for a history: the operating-system login."""
    try:
        return f"staff:{getpass.getuser()}"
    except (OSError, KeyError):
        return "staff"
