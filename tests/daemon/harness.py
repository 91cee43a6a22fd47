"""A town and a real daemon process: the emulator with its simulated town in the test process,
`jun-engine run` as a subprocess, and conditions to wait on (never bare sleeps)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from jun_engine.config.schema import Config
from jun_engine.emulator.clock import Clock
from jun_engine.emulator.emulator import Emulator
from jun_engine.emulator.faults import FaultSpec
from jun_engine.emulator.town import SimulatedTown
from jun_engine.store.tables import ApiCallRow, DaemonLockRow, InboundMessageRow

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "accounts.yaml"
SPEND_CAP = "daily_spend_cap_usd: 5.0"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@contextmanager
def running_town(
    config: Config, *, speed: float, rate_per_hour: float, faults: str = "", seed: int = 7
) -> Iterator[tuple[Emulator, SimulatedTown]]:
    """An emulator on a free port whose clock runs at `speed`, with a town writing to it."""
    town = SimulatedTown(
        config, seed=seed, rate_per_hour=rate_per_hour, outage_after=None, reply_share=0.0
    )
    emulator = Emulator(
        config, seed=seed, faults=FaultSpec.parse(faults), clock=Clock(START, speed=speed)
    )
    emulator.attach_town(town)
    with emulator:
        yield emulator, town


@contextmanager
def daemon_process(
    emulator: Emulator,
    db_url: str,
    log_file: Path,
    *extra: str,
    overrides: dict[str, str] | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    """`jun-engine run` against the emulator, logging to `log_file`; killed if still running."""
    env = {**os.environ, **emulator.credentials_env(), **(overrides or {})}
    config = roomy_config(log_file.parent)
    command = [sys.executable, "-m", "jun_engine", "-c", str(config), "--db", db_url, "run", *extra]
    with log_file.open("ab") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=log, cwd=REPO)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def roomy_config(directory: Path) -> Path:
    """The shipped accounts.yaml with a spend cap a simulated town's flood of DMs cannot reach."""
    path = directory / "accounts.yaml"
    if not path.exists():
        text = CONFIG.read_text(encoding="utf-8")
        assert SPEND_CAP in text
        path.write_text(text.replace(SPEND_CAP, "daily_spend_cap_usd: 1000.0"), encoding="utf-8")
    return path


def lock_taken(engine: Engine) -> bool:
    """Whether a daemon holds the database (it has started)."""
    with Session(engine) as session:
        return session.get(DaemonLockRow, 1) is not None


def stop_daemon(process: subprocess.Popen[bytes], timeout: float = 60.0) -> int:
    """SIGTERM, and the exit code (the test fails if it takes longer than `timeout`: a stop
    lets each thread's request in flight finish, which on a loaded machine takes a while)."""
    process.send_signal(signal.SIGTERM)
    return process.wait(timeout=timeout)


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Check `condition` until it holds; AssertionError naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(0.1)  # a poll interval between two checks of the condition, not a wait


def wait_while_progressing(
    condition: Callable[[], bool], progress: Callable[[], object], stall: float, what: str
) -> None:
    """Check `condition` until it holds, for as long as `progress()` keeps changing: fail only
    when nothing moved for `stall` seconds. A loaded machine is slow, not stuck; a fixed deadline
    would fail it for being slow."""
    seen, moved = progress(), time.monotonic()
    while not condition():
        now_seen = progress()
        if now_seen != seen:
            seen, moved = now_seen, time.monotonic()
        elif time.monotonic() - moved > stall:
            raise AssertionError(f"no progress for {stall:g} s (at {seen!r}) waiting for {what}")
        time.sleep(0.1)  # a poll interval between two checks of the condition, not a wait


def stored_ids(engine: Engine, excluding_authors: Collection[str] = ()) -> list[str]:
    """Every stored message's platform id (a repeat would show twice), but those written by
    `excluding_authors`."""
    statement = select(InboundMessageRow.platform_id).where(
        col(InboundMessageRow.author_id).not_in(list(excluding_authors))
    )
    with Session(engine) as session:
        return list(session.exec(statement).all())


def engine_spend(engine: Engine) -> float:
    """The engine's own estimate of what the run cost."""
    with Session(engine) as session:
        total = session.exec(select(func.coalesce(func.sum(ApiCallRow.cost_usd), 0))).one()
    return float(total)


def cost_lines(engine: Engine, emulator: Emulator) -> list[str]:
    """Where the engine's and the ledger's (account, endpoint) totals differ, for a failure."""
    with Session(engine) as session:
        statement = select(
            ApiCallRow.account_id, ApiCallRow.endpoint, func.count(), func.sum(ApiCallRow.cost_usd)
        ).group_by(ApiCallRow.account_id, ApiCallRow.endpoint)
        ours = {(a, e): (n, float(usd)) for a, e, n, usd in session.exec(statement).all()}
    theirs = {
        (account, endpoint): (line.requests, line.usd)
        for account, lines in emulator.ledger.snapshot().items()
        for endpoint, line in lines.items()
    }
    return [
        f"{key}: engine {ours.get(key)} ledger {theirs.get(key)}"
        for key in sorted(set(ours) | set(theirs))
    ]


class Zygote:
    """Forks `jun-engine` processes from one that already imported it (see zygote.py)."""

    def __init__(self) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "tests.daemon.zygote"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=REPO,
            text=True,
        )
        self._children: set[int] = set()
        assert self._ask(None) == "ready"

    def spawn(self, argv: list[str], env: dict[str, str], log: Path) -> int:
        """Start `jun-engine ARGV`; its pid."""
        request = json.dumps({"argv": argv, "env": env, "log": str(log)})
        pid = int(self._ask(f"spawn {request}"))
        self._children.add(pid)
        return pid

    def wait(self, pid: int) -> int:
        """Wait for a child to end; its exit code (-9 when killed by SIGKILL)."""
        code = int(self._ask(f"wait {pid}"))
        self._children.discard(pid)
        return code

    def close(self) -> None:
        """Kill any child still running, then end the zygote."""
        for pid in list(self._children):
            os.kill(pid, signal.SIGKILL)
            self.wait(pid)
        assert self._process.stdin is not None
        self._process.stdin.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=10)
        finally:
            assert self._process.stdout is not None
            self._process.stdout.close()

    def _ask(self, line: str | None) -> str:
        assert self._process.stdin is not None
        assert self._process.stdout is not None
        if line is not None:
            self._process.stdin.write(line + "\n")
            self._process.stdin.flush()
        return self._process.stdout.readline().strip()


def daemon_argv(emulator: Emulator, db_url: str, directory: Path, *extra: str) -> list[str]:
    """The arguments of `jun-engine run` against `emulator`."""
    return ["-c", str(roomy_config(directory)), "--db", db_url, "run", *extra]


def daemon_env(emulator: Emulator) -> dict[str, str]:
    """The environment a daemon against `emulator` runs with (its fake credentials)."""
    return {**os.environ, **emulator.credentials_env()}


def lock_holder(engine: Engine) -> int | None:
    """The pid of the daemon holding the database, if any."""
    with Session(engine) as session:
        row = session.get(DaemonLockRow, 1)
        return None if row is None else row.pid
