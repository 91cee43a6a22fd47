"""`jun-engine outbox`: see what the engine is sending, send failed items again, or drain."""

from __future__ import annotations

import json
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from types import FrameType
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy.engine import Engine

from jun_engine.channels.x.gateway import X_API_ORIGIN, XGateway
from jun_engine.cli.context import GlobalOptions, global_options
from jun_engine.cli.exit_codes import ExitCode
from jun_engine.config import Config, ConfigError, load_config
from jun_engine.domain.errors import MissingSecret
from jun_engine.outbox.sender import OutboxSender
from jun_engine.outbox.staff import OutboxEntry, list_items, retry_items
from jun_engine.pipeline.clock import Clock, ClockError, FollowedClock, SystemClock
from jun_engine.pipeline.deliver import DeliveryStage, gateways_for
from jun_engine.store.engine import create_engine_from_url
from jun_engine.store.errors import StoreError
from jun_engine.store.migrate import ensure_schema_current
from jun_engine.store.session import session_scope
from jun_engine.store.statuses import OutboxStatus

BASE_URL_VARIABLE = "JUN_X_BASE_URL"
HELP = (
    "The outbox: every post, reply and DM the engine makes, sent exactly once.\n\n"
    "The daemon sends it; `drain` sends it without the daemon (JUN_X_BASE_URL points it at an "
    "emulator, whose clock it then follows)."
)


def register(app: typer.Typer) -> None:
    """Attach the `outbox` command group to the root app."""
    group = typer.Typer(name="outbox", help=HELP, no_args_is_help=True)
    group.command("list")(list_command)
    group.command("retry")(retry_command)
    group.command("drain")(drain_command)
    app.add_typer(group)


def list_command(
    ctx: typer.Context,
    status: Annotated[
        list[OutboxStatus] | None, typer.Option("--status", "-s", help="Only these statuses.")
    ] = None,
    key: Annotated[str | None, typer.Option("--key", help="Only keys starting with this.")] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="At most this many.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List outbox items, newest first (a private item's text is never shown)."""
    with _store(global_options(ctx)) as engine, session_scope(engine) as session:
        entries = list_items(session, status or (), key, limit)
    if as_json:
        typer.echo(json.dumps([asdict(entry) for entry in entries], default=str, indent=2))
        return
    Console().print(_table(entries))


def retry_command(
    ctx: typer.Context,
    ids: Annotated[list[int], typer.Argument(help="Ids of failed or abandoned items.")],
) -> None:
    """Send failed or abandoned items again (with their later thread or DM parts)."""
    with _store(global_options(ctx)) as engine, session_scope(engine) as session:
        requeued = retry_items(session, ids)
    refused = sorted(set(ids) - set(requeued))
    if requeued:
        typer.echo(f"requeued: {', '.join(map(str, requeued))}")
    if refused:
        typer.echo(f"error: not failed or abandoned (or unknown): {refused}", err=True)
        raise typer.Exit(ExitCode.USAGE)


def drain_command(
    ctx: typer.Context,
    until_empty: Annotated[
        bool, typer.Option("--until-empty", help="Exit once nothing is waiting.")
    ] = False,
) -> None:
    """Send the outbox until stopped (SIGTERM, Ctrl-C) or, with --until-empty, until done."""
    options = global_options(ctx)
    config = _config(options)
    base_url = os.environ.get(BASE_URL_VARIABLE, X_API_ORIGIN)
    gateways = _gateways(config, base_url)
    with _store(options) as engine:
        sender = OutboxSender(engine, gateways, _clock(base_url), config)
        stage = DeliveryStage(sender, gateways)
        stop = _stop_on_signals()
        if until_empty:
            done = stage.sender.drain_until_empty(stop)
            raise typer.Exit(ExitCode.OK if done else ExitCode.INTERRUPTED)
        stage.run(stop)


def _gateways(config: Config, base_url: str) -> dict[str, XGateway]:
    try:
        return gateways_for(config, os.environ, base_url)
    except MissingSecret as exc:
        raise _fail(str(exc)) from None


def _clock(base_url: str) -> Clock:
    if base_url == X_API_ORIGIN:
        return SystemClock()
    try:
        return FollowedClock(base_url)
    except ClockError as exc:
        raise _fail(str(exc), ExitCode.FAILURE) from None


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()

    def _handle(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _handle)
    signal.signal(signal.SIGINT, _handle)
    return stop


@contextmanager
def _store(options: GlobalOptions) -> Iterator[Engine]:
    try:
        engine = create_engine_from_url(options.db_url)
        try:
            ensure_schema_current(engine)
            yield engine
        finally:
            engine.dispose()
    except StoreError as exc:
        raise _fail(str(exc), ExitCode.DATABASE) from None


def _config(options: GlobalOptions) -> Config:
    try:
        return load_config(options.config_path).config
    except ConfigError as exc:
        first = "; ".join(str(p) for p in exc.problems[:3])
        raise _fail(f"{options.config_path} is not a valid configuration: {first}") from None


def _fail(message: str, code: ExitCode = ExitCode.USAGE) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def _table(entries: list[OutboxEntry]) -> Table:
    table = Table("id", "key", "kind", "status", "part", "prio", "tries", "text", "failure")
    for entry in entries:
        text = f"({entry.length} chars, private)" if entry.preview is None else entry.preview
        table.add_row(
            str(entry.id),
            escape(entry.key),
            entry.kind.value,
            entry.status.value,
            str(entry.part_no),
            str(entry.priority),
            str(entry.attempts),
            escape(text),
            escape(entry.failure or ""),
        )
    return table
