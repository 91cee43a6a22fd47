"""One daemon per database: the `daemon_lock` row, taken at start, kept by heartbeat, released.

A second daemon on the same database is refused (exit 4). A lock whose holder is gone (its
heartbeat older than `STALE_AFTER`, or its process dead on this very host: a SIGKILL) is taken
over. Heartbeats use the machine's time, not an emulator's: two daemons share one wall clock.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from jun_engine.domain.errors import JunError
from jun_engine.store.errors import IntegrityViolationError
from jun_engine.store.session import session_scope
from jun_engine.store.tables import DaemonLockRow

log = logging.getLogger(__name__)

LOCKS: sa.Table = DaemonLockRow.__table__  # type: ignore[attr-defined]
STALE_AFTER = timedelta(seconds=60)
HEARTBEAT_SECONDS = 10.0


class LockHeldError(JunError):
    """Another daemon runs against this database."""

    def __init__(self, host: str, pid: int, heartbeat_at: datetime) -> None:
        self.host, self.pid, self.heartbeat_at = host, pid, heartbeat_at
        super().__init__(
            f"another jun-engine daemon (pid {pid} on {host}) is running on this database "
            f"(last heartbeat {heartbeat_at:%Y-%m-%d %H:%M:%S} UTC); stop it first"
        )


class LockLostError(JunError):
    """The lock this daemon held was taken over (its heartbeats stalled too long)."""

    def __init__(self) -> None:
        super().__init__("this daemon's database lock was taken over by another daemon")


@dataclass
class DaemonLock:
    """This process's claim on the database."""

    engine: Engine
    holder: str = field(default_factory=lambda: uuid.uuid4().hex)
    host: str = field(default_factory=socket.gethostname)
    pid: int = field(default_factory=os.getpid)

    def acquire(self) -> None:
        """Take the lock, or take over a stale one; LockHeldError if a live daemon has it."""
        now = datetime.now(UTC)
        try:
            with session_scope(self.engine) as session:
                row = session.get(DaemonLockRow, 1)
                if row is None:
                    session.add(self._row(now))
                    return
                if not self._is_stale(row, now):
                    raise LockHeldError(row.host, row.pid, row.heartbeat_at)
                log.warning(
                    "taking over the lock of a daemon that is gone (pid %d on %s)",
                    row.pid,
                    row.host,
                )
                taken = session.execute(
                    sa.update(LOCKS)
                    .where(LOCKS.c.id == 1, LOCKS.c.holder == row.holder)
                    .values(**self._values(now))
                )
                if taken.rowcount != 1:  # type: ignore[attr-defined]
                    raise LockHeldError(row.host, row.pid, row.heartbeat_at)
        except IntegrityViolationError:  # another daemon inserted the row first
            self._raise_held()

    def heartbeat(self) -> None:
        """Say this daemon is alive; LockLostError if another took the lock meanwhile."""
        with session_scope(self.engine) as session:
            result = session.execute(
                sa.update(LOCKS)
                .where(LOCKS.c.id == 1, LOCKS.c.holder == self.holder)
                .values(heartbeat_at=datetime.now(UTC))
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                raise LockLostError

    def release(self) -> None:
        """Give the lock up (only if this daemon still holds it)."""
        with session_scope(self.engine) as session:
            session.execute(sa.delete(LOCKS).where(LOCKS.c.id == 1, LOCKS.c.holder == self.holder))

    def _is_stale(self, row: DaemonLockRow, now: datetime) -> bool:
        if now - row.heartbeat_at > STALE_AFTER:
            return True
        return row.host == self.host and not _alive(row.pid)

    def _row(self, now: datetime) -> DaemonLockRow:
        return DaemonLockRow(
            id=1,
            holder=self.holder,
            host=self.host,
            pid=self.pid,
            acquired_at=now,
            heartbeat_at=now,
        )

    def _values(self, now: datetime) -> dict[str, object]:
        return {
            "holder": self.holder,
            "host": self.host,
            "pid": self.pid,
            "acquired_at": now,
            "heartbeat_at": now,
        }

    def _raise_held(self) -> None:
        with session_scope(self.engine) as session:
            row = session.get(DaemonLockRow, 1)
        if row is None:
            raise LockHeldError("unknown", 0, datetime.now(UTC))
        raise LockHeldError(row.host, row.pid, row.heartbeat_at)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return _not_zombie(pid)


def _not_zombie(pid: int) -> bool:
    # A killed child not yet reaped by its parent still answers kill(0): read its state.
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return True
