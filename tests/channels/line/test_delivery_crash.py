"""kill -9 of a real process in the middle of pushes to LINE: a second process finishes the
outbox, and every answer is in the emulator's ledger exactly once (a push whose fate the first
process never learned is sent again with its retry key, and LINE's 409 says it had landed)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from datetime import timedelta
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from jun_engine.domain.messages import Channel
from jun_engine.domain.statuses import OutboxStatus
from jun_engine.emulator.faults import FaultSpec
from jun_engine.emulator.line.emulator import LineEmulator
from jun_engine.store.tables import OutboxRow
from tests.channels.line.harness import LineTown

ROOT = Path(__file__).resolve().parents[3]
RESIDENTS = 24


def drainer(town: LineTown) -> subprocess.Popen[bytes]:
    """The outbox drained by a process of its own."""
    url = town.engine.url.render_as_string(hide_password=False)
    return subprocess.Popen(
        [sys.executable, "-m", "tests.channels.line.drain", url, town.line.base_url, town.bot],
        cwd=ROOT,
        env={**os.environ, **town.line.credentials_env()},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_for(condition: threading.Event, check: object, timeout: float = 120.0) -> bool:
    """Poll `check` until it holds (the ledger grows as the process sends)."""
    assert callable(check)
    for _ in range(int(timeout / 0.05)):
        if check():
            return True
        condition.wait(0.05)
    return False


def test_every_answer_lands_once_when_the_sending_process_is_killed(
    engine: Engine, line_emulator: LineEmulator
) -> None:
    # Given answers queued for many residents, and LINE answering each push slowly
    town = LineTown(engine, line_emulator)
    users = [town.resident(f"住民 {n}") for n in range(RESIDENTS)]
    for number, user in enumerate(users):
        town.dm(user, f"お問い合わせ JUN-2026-{number:06d} は解決済みとなりました。", f"k:{number}")
    line_emulator.dice.spec = FaultSpec(slow=1.0, slow_for=timedelta(milliseconds=150))
    # When the sending process is killed with SIGKILL mid-way through the pushes
    first = drainer(town)
    never = threading.Event()
    assert wait_for(never, lambda: len(town.ledger()) >= RESIDENTS // 3)
    os.kill(first.pid, signal.SIGKILL)
    first.communicate(timeout=30)
    landed_before = len(town.ledger())
    assert 0 < landed_before < RESIDENTS
    # And a second process finishes the outbox
    second = drainer(town)
    _, errors = second.communicate(timeout=300)
    assert second.returncode == 0, errors.decode()
    # Then every answer is sent, and in LINE's ledger exactly once per resident
    with Session(engine) as session:
        rows = session.exec(select(OutboxRow).where(OutboxRow.channel == Channel.LINE)).all()
    assert Counter(row.status for row in rows) == Counter({OutboxStatus.SENT: RESIDENTS})
    keys = [entry.retry_key for entry in town.ledger()]
    assert len(keys) == len(set(keys)) == RESIDENTS
    assert set(keys) == {row.retry_key for row in rows}
    assert all(len(town.received(user)) == 1 for user in users)
    assert sum(send.quota for send in town.sends()) == RESIDENTS
