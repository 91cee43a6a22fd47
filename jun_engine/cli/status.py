"""`jun-engine status`: the intake's health per account and stream, from the database alone."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from jun_engine.cli.context import global_options
from jun_engine.cli.exit_codes import ExitCode
from jun_engine.config import ConfigError, load_config
from jun_engine.pipeline.report import IntakeReport, StreamHealth, intake_report
from jun_engine.store.engine import create_engine_from_url
from jun_engine.store.errors import DatabaseUrlError, StoreError
from jun_engine.store.migrate import ensure_schema_current
from jun_engine.store.session import session_scope


def register(app: typer.Typer) -> None:
    """Attach `status` to the root app."""
    app.command("status")(status)


def status(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Show the daemon's health: per account and stream, the last poll, checkpoint, messages
    stored, backlog, errors, rate limit and today's spend. Works while the daemon runs.

    Exit codes: 0 shown, 2 bad --db, 3 database unreachable or schema not current.
    """
    options = global_options(ctx)
    try:
        engine = create_engine_from_url(options.db_url)
        try:
            ensure_schema_current(engine)
            with session_scope(engine) as session:
                report = intake_report(session, _names(options.config_path))
        finally:
            engine.dispose()
    except DatabaseUrlError as error:
        typer.echo(f"jun-engine status: {error}", err=True)
        raise typer.Exit(ExitCode.USAGE) from None
    except StoreError as error:
        typer.echo(f"jun-engine status: {error}", err=True)
        raise typer.Exit(ExitCode.DATABASE) from None
    if as_json:
        typer.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        _print(report)


def _names(config_path: Path) -> dict[str, str]:
    # Names are a nicety: without a readable accounts.yaml the table shows account ids.
    try:
        config = load_config(config_path).config
    except (ConfigError, OSError):
        return {}
    return {account.user_id: key for key, account in config.accounts.items()}


def _print(report: IntakeReport) -> None:
    console = Console()
    if not console.is_terminal:  # a pipe or a file: print the whole table, do not squeeze it
        console = Console(width=200)
    daemon = report.daemon
    if daemon.running:
        console.print(
            f"daemon: running, pid {daemon.pid} on {escape(daemon.host or '?')}, "
            f"heartbeat {_time(daemon.heartbeat_at)}"
        )
    else:
        console.print("daemon: not running")
    table = Table(title=f"intake on {report.day.isoformat()} (UTC)")
    for column in (
        "account",
        "stream",
        "state",
        "last poll",
        "checkpoint",
        "stored",
        "backlog",
        "errors",
        "rate limit",
        "spend today",
    ):
        table.add_column(column, justify="right" if column in {"stored", "backlog"} else "left")
    for stream in report.streams:
        table.add_row(*_row(stream))
    console.print(table)
    counts = ", ".join(f"{n} {status}" for status, n in report.messages_by_status.items())
    console.print(f"messages: {counts}")
    console.print(f"today: {report.requests_today} request(s), ${report.spend_today_usd:.4f} spent")


def _row(stream: StreamHealth) -> list[str]:
    errors = "-"
    if stream.failures or stream.last_error:
        errors = f"{stream.failures}: {escape(stream.last_error or '')}"
    limit = "-"
    if stream.rate_limit_remaining is not None:
        limit = f"{stream.rate_limit_remaining} left, reset {_time(stream.rate_limit_reset_at)}"
    return [
        escape(stream.account),
        stream.stream,
        stream.state,
        _time(stream.last_poll_at),
        _time(stream.checkpoint_time),
        str(stream.stored),
        str(stream.backlog),
        errors,
        limit,
        f"${stream.spend_today_usd:.4f}",
    ]


def _time(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment is not None else "-"
