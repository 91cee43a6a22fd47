"""`jun-engine run`: the daemon, in the foreground, until SIGTERM or Ctrl-C (or one pass)."""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from pathlib import Path
from types import FrameType
from typing import Annotated, NoReturn

import httpx
import typer
from sqlalchemy.engine import Engine

from jun_engine.channels.line.runtime import WebhookServerError, line_runtime
from jun_engine.channels.open311.delivery import Open311Runtime
from jun_engine.channels.ports import ChannelRuntime
from jun_engine.channels.x import X_API_ORIGIN
from jun_engine.channels.x.runtime import x_runtime
from jun_engine.cli import console
from jun_engine.cli.context import global_options
from jun_engine.cli.exit_codes import ExitCode
from jun_engine.clock import Clock, ClockError, FollowedClock, SystemClock
from jun_engine.config import ConfigError, load_config
from jun_engine.config.schema import Config
from jun_engine.daemon import Daemon
from jun_engine.domain.errors import MissingSecret
from jun_engine.logs import configure_logging
from jun_engine.mail.delivery import ReportMailer, report_mailer
from jun_engine.mail.departments import DepartmentMailer, department_mailer
from jun_engine.places.districts import Districts, DistrictsError, town_districts
from jun_engine.routing.errors import RoutingError
from jun_engine.routing.router import Router
from jun_engine.routing.setup import build_router
from jun_engine.service.exposition import (
    METRICS_TOKEN_ENV,
    Address,
    Exposition,
    ListenerError,
    check_exposable,
    listening,
)
from jun_engine.store.engine import create_engine_from_url, redacted
from jun_engine.store.errors import DatabaseUrlError, StoreError
from jun_engine.store.lock import LockHeldError
from jun_engine.store.migrate import ensure_schema_current

log = logging.getLogger("jun_engine.run")

AIR_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
"""Timeouts of the air-quality forecast requests."""


def register(app: typer.Typer) -> None:
    """Attach `run` to the root app."""
    app.command("run")(run)


def run(
    ctx: typer.Context,
    x_base_url: Annotated[
        str | None,
        typer.Option(
            "--x-base-url",
            envvar="JUN_X_BASE_URL",
            help="Where X is (an emulator's URL); its clock is followed when it has one.",
        ),
    ] = None,
    line_api_url: Annotated[
        str | None,
        typer.Option(
            "--line-api-url",
            envvar="JUN_LINE_API_URL",
            help="Where LINE's API is (the LINE emulator's URL); LINE itself when not given.",
        ),
    ] = None,
    backfill: Annotated[
        bool,
        typer.Option("--backfill", help="On a first start, read the mentions and DMs X still has."),
    ] = False,
    log_json: Annotated[bool, typer.Option("--log-json", help="Log JSON lines.")] = False,
    no_send: Annotated[
        bool,
        typer.Option(
            "--no-send",
            help="Poll and process only; replies stay queued in the outbox, reports unmailed.",
        ),
    ] = False,
    once: Annotated[
        bool, typer.Option("--once", help="One sweep of every stream, process, send, then exit.")
    ] = False,
    metrics: Annotated[
        str | None,
        typer.Option(
            "--metrics",
            envvar="JUN_METRICS_ADDRESS",
            help="Serve /metrics (Prometheus) and /healthz on HOST:PORT, e.g. 127.0.0.1:9464. "
            "Off by default; beyond loopback JUN_METRICS_TOKEN must be set.",
        ),
    ] = None,
) -> None:
    """Run the daemon: poll mentions and DMs, store and process them, send replies.

    Exit codes: 0 stopped cleanly (SIGTERM, or --once done), 130 stopped cleanly by Ctrl-C
    (SIGINT), 2 invalid accounts.yaml, missing secrets or LINE's webhook address taken, 3 database
    unreachable or schema not current, 4 another daemon runs on this database (or took the
    lock over while this one ran).
    """
    options = global_options(ctx)
    configure_logging(options.verbosity, json_lines=log_json, floor=logging.INFO)
    config = _config(options.config_path)
    listen_at = _metrics_address(metrics) if metrics is not None and not once else None
    base_url = x_base_url or X_API_ORIGIN
    with ExitStack() as stack:
        engine = _engine(options.db_url)
        stack.callback(engine.dispose)  # last: after every thread has stopped
        channels = _channels(config, base_url, line_api_url, os.environ, options.config_path.parent)
        for channel in channels:  # `stop()` closes them; this covers --once and a failed start
            stack.callback(channel.close)
        clock = _clock(base_url)
        daemon = Daemon(
            config,
            engine,
            channels,
            clock,
            backfill=backfill,
            send=not no_send,
            router=_router(config, options.config_path),
            air_client=_air_client(config, base_url, stack),
            report_mailer=None if no_send else _report_mailer(config, os.environ),
            department_mailer=None if no_send else _department_mailer(config, os.environ),
            districts=_districts(config, options.config_path),
        )
        if listen_at is not None:
            line = config.line.accounts if config.line is not None else {}
            exposition = Exposition(engine, clock.now, lambda: not daemon.wait(0), line=line)
            _listen(stack, listen_at, exposition)
        # The handlers go in before the daemon starts: a SIGTERM during start-up is a stop
        # request that `wait()` sees at once, never a kill that leaves the lock behind.
        with _stop_on_signals(daemon) as received:
            try:
                if once:
                    daemon.run_once()
                    return
                daemon.start()
            except LockHeldError as error:
                _fail(str(error), ExitCode.ALREADY_RUNNING)
            except WebhookServerError as error:
                _fail(str(error), ExitCode.USAGE)
            except StoreError as error:
                _fail(str(error), ExitCode.DATABASE)
            daemon.wait()
        daemon.stop()
        if daemon.lock_lost:  # another daemon took the database over: this one did not end well
            _fail(
                "stopped: another daemon took this database's lock over", ExitCode.ALREADY_RUNNING
            )
        if received and received[-1] == signal.SIGINT:  # Ctrl-C: stopped cleanly, as asked
            raise typer.Exit(ExitCode.INTERRUPTED)


def _config(path: Path) -> Config:
    try:
        return load_config(path).config
    except ConfigError as error:
        for problem in error.problems:
            typer.echo(str(problem), err=True)
        _fail(f"{path}: not valid; nothing started (see `jun-engine check`)", ExitCode.USAGE)


def _engine(url: str) -> Engine:
    try:
        engine = create_engine_from_url(url)
        ensure_schema_current(engine)
    except DatabaseUrlError as error:
        _fail(str(error), ExitCode.USAGE)
    except StoreError as error:
        _fail(f"{error} ({redacted(url)})", ExitCode.DATABASE)
    return engine


def _channels(
    config: Config,
    base_url: str,
    line_url: str | None,
    environ: Mapping[str, str],
    config_dir: Path,
) -> list[ChannelRuntime]:
    """The channels the daemon runs, every secret read (exit 2 if one is missing)."""
    try:
        channels: list[ChannelRuntime] = [x_runtime(config, environ, base_url)]
        line = line_runtime(config, environ, line_url, config_dir=config_dir)
    except MissingSecret as error:
        _fail(str(error), ExitCode.USAGE)
    if line is not None:
        channels.append(line)
    channels.append(Open311Runtime())
    return channels


def _report_mailer(config: Config, environ: Mapping[str, str]) -> ReportMailer | None:
    """Where the weekly report is e-mailed, its login read (exit 2 if a variable is unset)."""
    try:
        return report_mailer(config, environ)
    except MissingSecret as error:
        _fail(str(error), ExitCode.USAGE)


def _department_mailer(config: Config, environ: Mapping[str, str]) -> DepartmentMailer | None:
    """Where departments' e-mails go out, its login read (exit 2 if a variable is unset)."""
    try:
        return department_mailer(config, environ)
    except MissingSecret as error:
        _fail(str(error), ExitCode.USAGE)


def _router(config: Config, config_path: Path) -> Router:
    try:
        return build_router(config, config_path.parent)
    except RoutingError as error:
        _fail(str(error), ExitCode.USAGE)


def _districts(config: Config, config_path: Path) -> Districts | None:
    try:
        return town_districts(config, config_path.parent)
    except DistrictsError as error:
        _fail(str(error), ExitCode.USAGE)


def _air_client(config: Config, base_url: str, stack: ExitStack) -> httpx.Client | None:
    # Against the emulator there is no Open-Meteo to ask (no network): only real runs fetch it.
    if not config.air_quality.enabled or base_url != X_API_ORIGIN:
        return None
    return stack.enter_context(httpx.Client(timeout=AIR_TIMEOUT))


def _metrics_address(text: str) -> Address:
    """Where --metrics listens, refused (exit 2) before anything starts if it cannot be."""
    try:
        address = Address.parse(text)
        check_exposable(address, os.environ.get(METRICS_TOKEN_ENV, ""))
    except ListenerError as error:
        _fail(str(error), ExitCode.USAGE)
    return address


def _listen(stack: ExitStack, address: Address, exposition: Exposition) -> None:
    """Start the daemon's /metrics and /healthz listener until the run ends."""
    token = os.environ.get(METRICS_TOKEN_ENV, "")
    try:
        stack.enter_context(listening(address, replace(exposition, token=token)))
    except ListenerError as error:
        _fail(str(error), ExitCode.USAGE)


def _clock(base_url: str) -> Clock:
    if base_url == X_API_ORIGIN:
        return SystemClock()
    try:
        clock = FollowedClock(base_url)
    except ClockError:
        log.info("no emulator clock at %s: using the system clock", base_url)
        return SystemClock()
    log.info("following the emulator's clock at %s (speed %g)", base_url, clock.speed)
    return clock


@contextmanager
def _stop_on_signals(daemon: Daemon) -> Iterator[list[int]]:
    """Signals ask the daemon to stop; the list they arrived in says which (Ctrl-C exits 130)."""
    received: list[int] = []

    def handle(signum: int, _frame: FrameType | None) -> None:
        log.info("%s received: stopping", signal.Signals(signum).name)
        received.append(signum)
        daemon.request_stop()

    previous = {s: signal.signal(s, handle) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield received
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _fail(message: str, code: ExitCode) -> NoReturn:
    console.fail(code, message)
