"""Serving in the background: start a command detached, wait until it is ready, print its env.

`eval "$(jun-engine emulator --background)"` must return once the server listens, with the
exports in the caller's shell: so the server runs as a separate process in its own session, its
output in a log file (never the caller's stdout, which `$(...)` waits on), and tells it is ready by
writing an env file (`--env-file`), which this side prints with the server's pid.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import typer
from typer.core import TyperOption

from jun_engine.cli.exit_codes import ExitCode

READY_SECONDS = 120.0
"""How long the server may take to listen (imports on a loaded machine take a while)."""
PID_VARIABLE = "JUN_EMULATOR_PID"


class BackgroundError(Exception):
    """The server could not be started in the background; `code` is the exit code to use."""

    def __init__(self, message: str, code: ExitCode) -> None:
        super().__init__(message)
        self.code = code


def write_env_file(path: Path, lines: Sequence[str]) -> None:
    """Write `lines` to `path` at once (readers never see half of it), readable by us only."""
    partial = path.with_name(f".{path.name}.partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write("".join(f"{line}\n" for line in lines))
    partial.replace(path)


def options_of(ctx: typer.Context, skip: frozenset[str]) -> list[str]:
    """The command line that gives the command of `ctx` the options it was given (but `skip`)."""
    argv: list[str] = []
    for param in ctx.command.params:
        if not isinstance(param, TyperOption) or param.name in skip or param.name is None:
            continue
        value = ctx.params.get(param.name)
        if value is None or value == param.default:
            continue
        if param.is_flag:
            flags = param.opts if value else param.secondary_opts
            argv += flags[:1]
            continue
        for item in value if param.multiple else [value]:
            argv += [param.opts[0], str(item)]
    return argv


def start_detached(command: Sequence[str], what: str) -> tuple[int, list[str], Path]:
    """Run `command --env-file FILE` detached; once FILE exists: (pid, its lines, the log)."""
    folder = Path(tempfile.mkdtemp(prefix="jun-engine-"))
    env_file, log_file = folder / "env", folder / f"{what}.log"
    with log_file.open("ab") as log:
        process = subprocess.Popen(  # noqa: S603 (our own command line)
            [sys.executable, "-m", "jun_engine", *command, "--env-file", str(env_file)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C in the caller's terminal does not reach it
        )
    try:
        _wait_ready(process, env_file, log_file)
    except BaseException:
        if process.poll() is None:
            process.kill()
            process.wait()
        raise
    return process.pid, env_file.read_text(encoding="utf-8").splitlines(), log_file


def _wait_ready(process: subprocess.Popen[bytes], env_file: Path, log_file: Path) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while not env_file.exists():
        code = process.poll()
        if code is not None:
            tail = log_file.read_text(encoding="utf-8", errors="replace").strip()
            raise BackgroundError(tail or f"it exited with code {code}", _exit_code(code))
        if time.monotonic() > deadline:
            raise BackgroundError(
                f"not listening after {READY_SECONDS:g} s (see {log_file})", ExitCode.FAILURE
            )
        time.sleep(0.05)  # between two looks for the file, not a wait for an outcome


def _exit_code(code: int) -> ExitCode:
    try:
        return ExitCode(code) if code else ExitCode.FAILURE
    except ValueError:
        return ExitCode.FAILURE
