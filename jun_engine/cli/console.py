"""What every command shares for output: the one error line and exit, tables in the town's time
with the zone shown, JSON in one style (ISO 8601 times with their offset), the `-n/--limit`
option, who is acting.

The conventions, in one place so every command keeps them:

- errors: one line on stderr, `error: what went wrong`, and an exit code from `ExitCode`;
- tables: lower-case column headers, times in the town's zone as `2026-03-02 07:30`, the zone
  named in the caption;
- JSON: `--json` prints one document, indented by two, UTF-8 as is; every time is ISO 8601 in
  UTC with its offset (`2026-03-02T06:30:00+00:00`), every enum its value;
- lists: newest or soonest first, at most `-n/--limit` rows, and a caption when more are left.
"""

from __future__ import annotations

import getpass
import inspect
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, is_dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Annotated, NoReturn, TypeVar
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from jun_engine.cli.exit_codes import ExitCode

T = TypeVar("T")
ERROR_PREFIX = "error:"
TIME_FORMAT = "%Y-%m-%d %H:%M"

LimitOption = Annotated[
    int,
    typer.Option("--limit", "-n", min=1, max=100_000, help="Show at most this many rows."),
]
"""The one `-n/--limit` every list takes (each command picks its default)."""
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
"""The one `--json` every command with a table takes."""


def fail(code: ExitCode, message: str) -> NoReturn:
    """Print `error: message` on stderr (one line, no traceback) and exit with `code`."""
    error_line(message)
    raise typer.Exit(code)


def error_line(message: str) -> None:
    """Print `error: message` on stderr."""
    Console(stderr=True, highlight=False, soft_wrap=True).print(
        f"[bold red]{ERROR_PREFIX}[/] {escape(message)}"
    )


def out() -> Console:
    """The console tables and results go to (stdout)."""
    return Console(highlight=False, soft_wrap=True)


def wide_out() -> Console:
    """Stdout for a wide table: the terminal's width, or 200 columns into a pipe or a file."""
    console = out()
    return console if console.is_terminal else Console(highlight=False, width=200)


def staff_actor() -> str:
    """Who ran the command, for a history: the operating-system login."""
    try:
        return f"staff:{getpass.getuser()}"
    except (OSError, KeyError):
        return "staff"


# --- times ---------------------------------------------------------------------------------------


def local(moment: datetime | None, zone: ZoneInfo) -> str:
    """`2026-03-02 07:30` in the town's zone (the table's caption names it); `-` for None."""
    if moment is None:
        return "-"
    return _aware(moment).astimezone(zone).strftime(TIME_FORMAT)


def zone_caption(zone: ZoneInfo) -> str:
    """What a table's caption says about its times."""
    return f"times in {zone.key}"


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with its offset, to the second (`2026-03-02T06:30:00+00:00`)."""
    if moment is None:
        return None
    return _aware(moment).astimezone(UTC).isoformat(timespec="seconds")


def _aware(moment: datetime) -> datetime:
    # Every stored time is aware UTC; a naive one can only be UTC too.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


# --- tables --------------------------------------------------------------------------------------


def table(
    *columns: str,
    title: str | None = None,
    zone: ZoneInfo | None = None,
    caption: str | None = None,
) -> Table:
    """A table in the one style: lower-case headers (proper names aside: `X account`), bold, a
    left-aligned title, and a caption naming the zone of its times (and what the caller adds)."""
    notes = [note for note in (zone_caption(zone) if zone else None, caption) if note]
    built = Table(
        title=escape(title) if title else None,
        title_justify="left",
        caption="; ".join(notes) or None,
        caption_justify="left",
        header_style="bold",
    )
    for column in columns:
        built.add_column(column)
    return built


def limited(rows: Sequence[T], limit: int) -> tuple[list[T], str | None]:
    """The first `limit` rows, and a caption saying more were left out (query `limit + 1`)."""
    if len(rows) <= limit:
        return list(rows), None
    return list(rows[:limit]), f"the first {limit} shown; -n/--limit shows more"


# --- JSON ----------------------------------------------------------------------------------------


def print_json(document: object) -> None:
    """Print `document` as the one JSON style: indented by two, UTF-8 as is, times ISO 8601."""
    typer.echo(json.dumps(jsonable(document), ensure_ascii=False, indent=2))


def jsonable(value: object) -> object:
    """`value` with times as ISO 8601 with offset, enums as values, dataclasses as objects."""
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal | Path):
        return str(value)
    if is_dataclass(value) and not isinstance(value, type):
        return jsonable(asdict(value))
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(item) for item in value]
    return value


# --- help and usage errors -----------------------------------------------------------------------


def unwrapped(text: str | None) -> str | None:
    """Help text with each paragraph on one line, so the terminal, not the source, wraps it
    (typer's rich help keeps a docstring's line breaks). A paragraph starting with `\\b` stays."""
    if not text:
        return text
    paragraphs = inspect.cleandoc(text).split("\n\n")
    return "\n\n".join(
        p if p.startswith("\b") else " ".join(line.strip() for line in p.splitlines())
        for p in paragraphs
    )


def usage_error(exc: typer.TyperException) -> None:
    """A usage error (unknown option, bad value) as the one error line and where to look."""
    if type(exc).__name__ == "NoArgsIsHelpError":  # the help is already printed
        return
    error_line(exc.format_message())
    path = getattr(getattr(exc, "ctx", None), "command_path", None)
    if isinstance(path, str):
        Console(stderr=True, highlight=False, soft_wrap=True).print(
            f"  see `{escape(path)} --help`"
        )
