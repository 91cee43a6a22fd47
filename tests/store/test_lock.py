"""One daemon per database: the lock row, its heartbeat, and taking over a dead daemon's lock."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from jun_engine.store.lock import LOCKS, STALE_AFTER, DaemonLock, LockHeldError, LockLostError
from jun_engine.store.session import session_scope


def test_a_second_daemon_is_refused_while_the_first_holds_the_lock(engine: Engine) -> None:
    first, second = DaemonLock(engine), DaemonLock(engine, host="other-host", pid=4242)
    first.acquire()
    with pytest.raises(LockHeldError, match=r"another jun-engine daemon \(pid \d+ on "):
        second.acquire()
    first.release()
    second.acquire()
    second.release()


def test_a_lock_whose_heartbeat_is_old_is_taken_over(engine: Engine) -> None:
    gone = DaemonLock(engine, host="other-host", pid=4242)
    gone.acquire()
    with session_scope(engine) as session:
        old = datetime.now(UTC) - STALE_AFTER - timedelta(seconds=1)
        session.execute(sa.update(LOCKS).values(heartbeat_at=old))
    taker = DaemonLock(engine, host="other-host", pid=4343)
    taker.acquire()
    with pytest.raises(LockLostError):
        gone.heartbeat()
    taker.heartbeat()
    taker.release()


def test_a_lock_left_by_a_dead_process_on_this_host_is_taken_over_at_once(engine: Engine) -> None:
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True)  # fmt: skip
    dead = DaemonLock(engine, pid=int(finished.stdout))
    dead.acquire()
    alive = DaemonLock(engine)
    alive.acquire()
    alive.release()
