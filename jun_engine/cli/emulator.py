"""`jun-engine emulator`: serve the X API emulator for the accounts of accounts.yaml."""

from __future__ import annotations

import importlib
import shlex
import signal
import threading
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer

from jun_engine.cli.context import global_options
from jun_engine.cli.exit_codes import ExitCode
from jun_engine.config import ConfigError, load_config
from jun_engine.emulator.emulator import Emulator
from jun_engine.emulator.faults import SPEC_HELP, FaultSpec, FaultSpecError
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
) -> None:
    """Serve an emulated X API v2 until Ctrl-C; print its base URL (and credentials)."""
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
    try:
        base_url = server.start(host, port)
    except OSError as error:
        typer.echo(f"cannot listen on {host}:{port}: {error.strerror}", err=True)
        raise typer.Exit(ExitCode.FAILURE) from None
    typer.echo(f"X emulator serving {base_url} (admin API: {base_url}/_emulator/stats)")
    if print_env:
        for name, value in sorted(server.credentials_env().items()):
            typer.echo(f"export {name}={shlex.quote(value)}")
    while not interrupted.wait(0.5):
        pass
    server.stop()
    typer.echo("X emulator stopped.")


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
