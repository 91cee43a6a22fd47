"""`jun-engine emulator`: serve the X API emulator for the accounts of accounts.yaml."""

from __future__ import annotations

import importlib
import shlex
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Annotated, NoReturn

import typer

from jun_engine.cli.background import (
    PID_VARIABLE,
    BackgroundError,
    options_of,
    start_detached,
    write_env_file,
)
from jun_engine.cli.context import global_options
from jun_engine.cli.exit_codes import ExitCode
from jun_engine.config import ConfigError, load_config
from jun_engine.emulator.emulator import Emulator
from jun_engine.emulator.faults import SPEC_HELP, FaultSpec, FaultSpecError
from jun_engine.emulator.line.emulator import LineEmulator
from jun_engine.emulator.line.faults import LINE_SPEC_HELP
from jun_engine.emulator.line.quota import PLANS
from jun_engine.emulator.line.serve import LineOptions, build_line_emulator
from jun_engine.emulator.town_api import TownDriver

TOWN_MODULE = "jun_engine.emulator.town"
TOWN_RATE_PER_HOUR = 30.0
"""Requests an hour (emulated time) the simulated town sends when started from the CLI."""


def register(app: typer.Typer) -> None:
    """Attach `emulator` to the root app."""
    app.command("emulator")(emulator)


def emulator(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option("--config", "-c", help="The accounts.yaml (default: the global --config)."),
    ] = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port; 0 picks a free one.")] = 0,
    seed: Annotated[int, typer.Option(help="Seed of credentials, faults and the town.")] = 0,
    town: Annotated[bool, typer.Option("--town", help="Run the simulated town.")] = False,
    faults: Annotated[str, typer.Option("--faults", help=f"Faults to inject: {SPEC_HELP}.")] = "",
    speed: Annotated[
        float, typer.Option(min=0.0, help="Emulated seconds per real second (0 stands still).")
    ] = 1.0,
    print_env: Annotated[
        bool,
        typer.Option("--print-env", help="Print `export` lines with every account's credentials."),
    ] = False,
    background: Annotated[
        bool,
        typer.Option(
            "--background",
            help="Serve in the background: print the `export` lines (and JUN_EMULATOR_PID) once "
            'it listens, then return: eval "$(jun-engine emulator --background)".',
        ),
    ] = False,
    env_file: Annotated[
        Path | None,
        typer.Option(
            "--env-file",
            help="Write the `export` lines to this file once listening (removed at stop).",
        ),
    ] = None,
    line: Annotated[
        bool,
        typer.Option("--line", help="Serve LINE's Messaging API instead (with --x: beside X)."),
    ] = False,
    x: Annotated[bool, typer.Option("--x", help="With --line, serve X as well.")] = False,
    line_port: Annotated[
        int, typer.Option(min=0, max=65535, help="The LINE emulator's port; 0 picks a free one.")
    ] = 0,
    line_plan: Annotated[
        str, typer.Option(help=f"The LINE channel's plan: {', '.join(PLANS)}.")
    ] = "unlimited",
    line_webhook: Annotated[
        str | None, typer.Option(help="The URL the LINE emulator posts webhooks to.")
    ] = None,
    line_faults: Annotated[
        str, typer.Option(help=f"Faults of the LINE emulator: {LINE_SPEC_HELP}.")
    ] = "",
) -> None:
    """Serve an emulated X API v2 (or, with --line, LINE's Messaging API; with --line --x both)
    until Ctrl-C; print the base URLs (and credentials)."""
    if background:
        _serve_in_background(ctx, config)
        return
    line_server: LineEmulator | None = None
    if line:
        options = LineOptions(seed, speed, line_plan, line_webhook, line_faults, town)
        line_server = build_line_emulator(options, on_error=_usage_error)
        if not x:
            _serve_line_alone(line_server, host, line_port, print_env=print_env, env_file=env_file)
            return
    path = config if config is not None else global_options(ctx).config_path
    try:
        loaded = load_config(path)
        spec = FaultSpec.parse(faults)
    except ConfigError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(ExitCode.USAGE) from None
    except FaultSpecError as error:
        typer.echo(f"--faults: {error}", err=True)
        raise typer.Exit(ExitCode.USAGE) from None
    except OSError as error:
        typer.echo(f"cannot read {path}: {error.strerror}", err=True)
        raise typer.Exit(ExitCode.USAGE) from None
    server = Emulator(loaded.config, seed=seed, faults=spec, speed=speed)
    if town:
        server.attach_town(_load_town(loaded.config, seed))
    interrupted = _interrupt_event()  # before printing: a caller may signal once it reads
    base_url = _listen(server.start, host, port)
    typer.echo(f"X emulator serving {base_url} (admin API: {base_url}/_emulator/stats)")
    exports = _exports(server.credentials_env())
    running: list[tuple[str, Callable[[], None]]] = [("X emulator", server.stop)]
    if line_server is not None:
        _start_line(line_server, host, line_port)
        exports += _exports(line_server.credentials_env())
        running.append(("LINE emulator", line_server.stop))
    _serve_until_interrupted(interrupted, exports, running, print_env=print_env, env_file=env_file)


def _serve_in_background(ctx: typer.Context, config: Path | None) -> None:
    """Start this command detached with `--env-file`; print its exports and pid once it listens."""
    command = ["emulator", *options_of(ctx, frozenset({"background", "print_env", "env_file"}))]
    if config is None:
        command += ["--config", str(global_options(ctx).config_path.resolve())]
    try:
        pid, exports, log = start_detached(command, "emulator")
    except BackgroundError as error:
        typer.echo(f"the emulator did not start: {error}", err=True)
        raise typer.Exit(error.code) from None
    for export in exports:
        typer.echo(export)
    typer.echo(f"export {PID_VARIABLE}={pid}")
    typer.echo(
        f"X emulator serving in the background (pid {pid}, log {log}); "
        f'stop it with: kill "${PID_VARIABLE}"',
        err=True,
    )


def _usage_error(message: str) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(ExitCode.USAGE)


def _listen(start: Callable[[str, int], str], host: str, port: int) -> str:
    """Start serving; exit 1 (FAILURE) with the reason when the address cannot be had."""
    try:
        return start(host, port)
    except OSError as error:
        typer.echo(f"cannot listen on {host}:{port}: {error.strerror}", err=True)
        raise typer.Exit(ExitCode.FAILURE) from None


def _exports(env: dict[str, str]) -> list[str]:
    return [f"export {name}={shlex.quote(value)}" for name, value in sorted(env.items())]


def _start_line(server: LineEmulator, host: str, port: int) -> None:
    base_url = _listen(server.start, host, port)
    typer.echo(f"LINE emulator serving {base_url} (admin API: {base_url}/_emulator/line/)")


def _serve_line_alone(
    server: LineEmulator, host: str, port: int, *, print_env: bool, env_file: Path | None
) -> None:
    interrupted = _interrupt_event()
    _start_line(server, host, port)
    exports = _exports(server.credentials_env())
    running = [("LINE emulator", server.stop)]
    _serve_until_interrupted(interrupted, exports, running, print_env=print_env, env_file=env_file)


def _serve_until_interrupted(
    interrupted: threading.Event,
    exports: list[str],
    running: list[tuple[str, Callable[[], None]]],
    *,
    print_env: bool,
    env_file: Path | None,
) -> None:
    """Print (or write) the exports, serve until Ctrl-C or SIGTERM, then stop each server."""
    if print_env:
        for export in exports:
            typer.echo(export)
    if env_file is not None:
        write_env_file(env_file, exports)
    while not interrupted.wait(0.5):
        pass
    for name, stop in running:
        stop()
        if env_file is not None:
            env_file.unlink(missing_ok=True)
        typer.echo(f"{name} stopped.")


def _load_town(config: object, seed: int) -> TownDriver:
    try:
        module = importlib.import_module(TOWN_MODULE)
    except ImportError:
        typer.echo("--town: the simulated town is not available in this build", err=True)
        raise typer.Exit(ExitCode.USAGE) from None
    factory = getattr(module, "simulated_town", None)
    if factory is not None:
        built: TownDriver = factory(config, seed=seed)
        return built
    town_class = getattr(module, "SimulatedTown", None)
    if town_class is None:
        typer.echo(f"--town: {TOWN_MODULE} has no simulated_town or SimulatedTown", err=True)
        raise typer.Exit(ExitCode.USAGE)
    driver: TownDriver = town_class(config, seed=seed, rate_per_hour=TOWN_RATE_PER_HOUR)
    return driver


def _interrupt_event() -> threading.Event:
    """An event set by Ctrl-C (SIGINT) or SIGTERM."""
    stop = threading.Event()

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    return stop
