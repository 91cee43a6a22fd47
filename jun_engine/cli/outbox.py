"""`jun-engine outbox`: see what the engine is sending, send failed items again, or drain."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from types import FrameType
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy.engine import Engine
from sqlmodel import Session

from jun_engine.channels.limits import write_limits
from jun_engine.channels.ports import Delivery, SpendGate
from jun_engine.channels.x.delivery import Gateways, XDelivery, gateways_for
from jun_engine.channels.x.session import X_API_ORIGIN
from jun_engine.cli import console
from jun_engine.cli.context import GlobalOptions, global_options
from jun_engine.cli.exit_codes import ExitCode
from jun_engine.cli.people import People
from jun_engine.clock import Clock, ClockError, FollowedClock, SystemClock
from jun_engine.config import Config, ConfigError, load_config
from jun_engine.domain.errors import MissingSecret
from jun_engine.domain.messages import Channel
from jun_engine.domain.statuses import OutboxKind, OutboxStatus
from jun_engine.outbox.planner import plan
from jun_engine.outbox.sender import OutboxSender
from jun_engine.outbox.staff import OutboxEntry, list_items, retry_items
from jun_engine.service.delivery import DeliveryStage
from jun_engine.store.engine import create_engine_from_url
from jun_engine.store.errors import StoreError
from jun_engine.store.migrate import ensure_schema_current
from jun_engine.store.session import session_scope

BASE_URL_VARIABLE = "JUN_X_BASE_URL"
LINE_URL_VARIABLE = "JUN_LINE_API_URL"
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
    limit: console.LimitOption = 50,
    as_json: console.JsonOption = False,
) -> None:
    """List outbox items, newest first: who sends what to whom, when it went or, for what
    waits, when it should go by the channel's limits (eta); a private item's text is never
    shown."""
    options = global_options(ctx)
    config = _optional_config(options)
    with _store(options) as engine, session_scope(engine) as session:
        found, more = console.limited(list_items(session, status or (), key, limit + 1), limit)
        people = _people(session, config, found)
        etas = plan(session, _now(), {Channel.X: write_limits(Channel.X)})
    if as_json:
        console.print_json([_as_dict(entry, people, etas.get(entry.id)) for entry in found])
        return
    zone = ZoneInfo(config.town.timezone) if config is not None else ZoneInfo("UTC")
    console.wide_out().print(_table(found, people, etas, zone, more))


def _now() -> datetime:
    """The daemon's now: the emulator's clock when JUN_X_BASE_URL names one that answers."""
    base_url = os.environ.get(BASE_URL_VARIABLE, X_API_ORIGIN)
    if base_url == X_API_ORIGIN:
        return datetime.now(UTC)
    try:
        return FollowedClock(base_url).now()
    except ClockError:
        return datetime.now(UTC)


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
        console.fail(
            ExitCode.USAGE,
            f"not failed or abandoned (or unknown): {', '.join(map(str, refused))}",
        )


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
    gateways = _x_gateways(config, base_url)
    clock = _clock(base_url)
    with _store(options) as engine:
        deliveries = _deliveries(engine, config, gateways, clock)
        gates = _gates(config)
        sender = OutboxSender(engine, deliveries, clock, gates=gates)
        stage = DeliveryStage(sender, list(deliveries.values()))
        stop = _stop_on_signals()
        if until_empty:
            done = stage.sender.drain_until_empty(stop)
            raise typer.Exit(ExitCode.OK if done else ExitCode.INTERRUPTED)
        stage.run(stop)


def _deliveries(
    engine: Engine, config: Config, gateways: Gateways, clock: Clock
) -> dict[Channel, Delivery]:
    """Every channel's delivery: X, LINE when accounts.yaml has it (at `JUN_LINE_API_URL` when
    set: the emulator), and Open311 (published, not sent). LINE's SDK loads here only."""
    from jun_engine.channels.line.delivery import LineDelivery, clients_for
    from jun_engine.channels.open311.delivery import Open311Delivery

    out: dict[Channel, Delivery] = {
        Channel.X: XDelivery(engine, gateways, config, clock),
        Channel.OPEN311: Open311Delivery(),
    }
    if config.line is not None:
        try:
            clients = clients_for(config, os.environ, os.environ.get(LINE_URL_VARIABLE))
        except MissingSecret as exc:
            raise _fail(str(exc)) from None
        out[Channel.LINE] = LineDelivery(engine, clients, clock)
    return out


def _gates(config: Config) -> dict[Channel, SpendGate]:
    """LINE's quota gate when the town is on LINE (its pushes held back as the month runs low)."""
    if config.line is None:
        return {}
    from jun_engine.channels.line.quota import LineQuotaGate

    return {Channel.LINE: LineQuotaGate(config.line.accounts)}


def _x_gateways(config: Config, base_url: str) -> Gateways:
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
    console.error_line(message)
    return typer.Exit(code)


def _optional_config(options: GlobalOptions) -> Config | None:
    # The listing needs only the database; accounts.yaml adds handles and the town's zone.
    try:
        return load_config(options.config_path).config
    except (ConfigError, OSError):
        return None


def _people(session: Session, config: Config | None, entries: list[OutboxEntry]) -> People:
    if config is None:
        return People({}, {})
    replies = [e.target for e in entries if e.kind is OutboxKind.REPLY]
    users = [e.account_id for e in entries] + [e.target for e in entries if e.kind is OutboxKind.DM]
    return People.load(session, config, users, replies)


def _recipient(entry: OutboxEntry, people: People) -> str:
    if entry.kind is OutboxKind.DM:
        return people.user(entry.target)
    if entry.kind is OutboxKind.REPLY and entry.target:
        return people.author_of(entry.target)
    return "(public)" if entry.part_no == 1 else "(thread)"


def _as_dict(entry: OutboxEntry, people: People, eta: datetime | None) -> dict[str, object]:
    return {
        **asdict(entry),
        "sender": people.user(entry.account_id),
        "recipient": _recipient(entry, people),
        "eta": eta,
    }


def _table(
    entries: list[OutboxEntry],
    people: People,
    etas: dict[int, datetime],
    zone: ZoneInfo,
    more: str | None,
) -> Table:
    table = console.table(
        "id", "key", "kind", "from", "to", "status", "sent", "eta", "tries", "text", "failure",
        title="Outbox", zone=zone, caption=more,
    )  # fmt: skip
    for entry in entries:
        text = f"({entry.length} chars, private)" if entry.preview is None else entry.preview
        part = f" {entry.part_no}" if entry.part_no > 1 else ""
        table.add_row(
            str(entry.id),
            escape(entry.key),
            f"{entry.kind.value}{part}" + (f" !{entry.priority}" if entry.priority else ""),
            escape(people.user(entry.account_id)),
            escape(_recipient(entry, people)),
            entry.status.value,
            console.local(entry.sent_at, zone),
            console.local(etas.get(entry.id), zone),
            str(entry.attempts),
            escape(text),
            escape(entry.failure or ""),
        )
    return table
