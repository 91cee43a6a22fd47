"""`jun-engine demo`: the emulator's simulated town served by the real daemon, shown live, then
a summary and its checks (exit 0 when they all hold, 1 when one fails, 130 on Ctrl-C)."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Annotated, NoReturn

import typer
from rich.console import Console

from jun_engine.cli import console
from jun_engine.cli.context import global_options
from jun_engine.cli.exit_codes import ExitCode
from jun_engine.config import ConfigError, load_config
from jun_engine.config.problems import plural
from jun_engine.config.schema import Config
from jun_engine.demo.explore import DeskLogin, make_login, start_ending_today
from jun_engine.demo.orchestrate import DATABASE_FILE, DEFAULT_SEED, DemoRun, DemoSettings
from jun_engine.demo.play import play
from jun_engine.demo.report import summary_lines
from jun_engine.demo.summary import DemoSummary
from jun_engine.demo.views import view_for
from jun_engine.logs import configure_logging

LOG_FILE = "demo.log"
DEFAULT_DIR = Path("jun-demo")
MARK_FILE = ".jun-demo"
"""Says a directory holds a demo this command made, whose files the next demo may replace."""
LEFT_BEHIND = (DATABASE_FILE, f"{DATABASE_FILE}-wal", f"{DATABASE_FILE}-shm", LOG_FILE)


def register(app: typer.Typer) -> None:
    """Attach `demo` to the root app."""
    app.command("demo")(demo)


def demo(
    ctx: typer.Context,
    duration: Annotated[
        float, typer.Option(min=5.0, help="Real seconds the demo runs (Ctrl-C ends it sooner).")
    ] = 60.0,
    speed: Annotated[
        float,
        typer.Option(
            min=1.0, max=5000.0, help="Town seconds per real second (1440: a day a minute)."
        ),
    ] = 1440.0,
    seed: Annotated[
        int, typer.Option(help="Seed of the town, its residents and the emulator.")
    ] = DEFAULT_SEED,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the summary as one JSON object on stdout.")
    ] = False,
    svg: Annotated[
        Path | None, typer.Option(help="Save the dashboard, as it is before the end, to this SVG.")
    ] = None,
    directory: Annotated[
        Path,
        typer.Option(
            "--dir",
            help="Keep the town's database and the log here, to explore on the web desk after "
            "(a previous demo there is replaced).",
        ),
    ] = DEFAULT_DIR,
    line: Annotated[
        bool,
        typer.Option(
            "--line/--no-line",
            help="Run the town's LINE official account too (the LINE emulator's Thai residents).",
        ),
    ] = True,
) -> None:
    """Run the simulated town of Jun against the real engine and show what happens.

    Starts the X emulator with the town's residents and the LINE emulator with the town's Thai
    residents on LINE, a fresh SQLite database and the daemon with the shipped accounts.yaml;
    residents verify by sending their codes (a DM on X, a message in the LINE chat); the
    dashboard shows messages, routing, acknowledgements, staff replies, escalations, scheduled
    posts and the API bill. The summary's checks, on each channel: nothing lost or stored twice,
    one acknowledgement per case, no private text in public; every department reached, and
    figures that reconcile.

    The town's clock ends today, and the town stays in --dir: the end prints the command that
    opens the web desk on it, with a login made for it.
    """
    config_path = global_options(ctx).config_path
    config = _config(config_path)
    settings = DemoSettings(duration=duration, speed=speed, seed=seed, line=line)
    start = start_ending_today(config, duration, speed, datetime.now(UTC))
    settings = replace(settings, start=start)
    console = Console(stderr=as_json)
    work = _workdir(directory)
    with _log_file(work / LOG_FILE), _interrupts() as stop:
        run = DemoRun(config, settings, work)
        try:
            run.start()
            summary = play(run, view_for(console, config.town.name), stop, svg)
            login = make_login(run.engine, config, config_path.resolve(), run.database.resolve())
        finally:
            run.close()
    _print(summary, as_json)
    _print_login(login, as_json)
    if summary.interrupted:
        raise typer.Exit(ExitCode.INTERRUPTED)
    if not summary.ok:
        failed = "; ".join(check.name for check in summary.failed)
        _fail(f"{plural(len(summary.failed), 'check')} failed: {failed}", ExitCode.FAILURE)


def _print(summary: DemoSummary, as_json: bool) -> None:
    if as_json:
        console.print_json(summary.as_json())
        return
    for line in summary_lines(summary):
        typer.echo(line)


def _print_login(login: DeskLogin, as_json: bool) -> None:
    for line in login.lines():
        typer.echo(line, err=as_json)


def _config(path: Path) -> Config:
    try:
        return load_config(path).config
    except ConfigError as error:
        for problem in error.problems:
            typer.echo(str(problem), err=True)
        _fail(f"{path}: not valid (see `jun-engine check`)", ExitCode.USAGE)


def _workdir(directory: Path) -> Path:
    """The demo's directory, made if new; a previous demo's files in it are removed, anything
    else that looks like a demo database is refused rather than overwritten."""
    mark = directory / MARK_FILE
    if (directory / DATABASE_FILE).exists() and not mark.exists():
        _fail(f"{directory} already holds a demo database; give an empty directory", ExitCode.USAGE)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for name in LEFT_BEHIND:
            (directory / name).unlink(missing_ok=True)
        mark.write_text("made by jun-engine demo; its files are replaced by the next demo\n")
    except OSError as error:
        _fail(f"cannot use {directory}: {error.strerror}", ExitCode.USAGE)
    return directory


@contextmanager
def _log_file(path: Path) -> Iterator[None]:
    """The engine logs to a file while the dashboard owns the terminal."""
    with path.open("a", encoding="utf-8") as stream:
        configure_logging(0, floor=logging.INFO, stream=stream)
        try:
            yield
        finally:
            logging.getLogger().handlers.clear()


@contextmanager
def _interrupts() -> Iterator[threading.Event]:
    """An event set by Ctrl-C or SIGTERM (the previous handlers come back afterwards)."""
    stop = threading.Event()

    def handle(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {s: signal.signal(s, handle) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _fail(message: str, code: ExitCode) -> NoReturn:
    console.fail(code, message)
