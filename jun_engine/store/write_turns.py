"""SQLite's write lock taken in turns within the process: first come, first served, handed over.

Every transaction on SQLite takes the write lock at BEGIN (`store.engine`). When it is held,
SQLite's own wait sleeps and polls (1, 2, 5, 10 ... 100 ms between looks): under load a thread
sleeps on while the lock stands free, and one that keeps writing can take it again and again
before a sleeper looks. At LINE's 50 webhooks a second the daemon's webhook, processor and
sender threads lost seconds that way, the sender once almost two. So the engine's connections
queue for the lock in the process, and a transaction that ends hands it to the next in line at
once; SQLite's busy wait still stands between processes (a `jun-engine cases` command beside the
daemon). A thread that already holds a turn (one transaction opened inside another) does not
queue behind itself: it goes straight to SQLite, as before.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import deque


class WriteTurns:
    """A first-in, first-out lock handed straight from its holder to the longest waiter."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._held = False
        self._holder: int | None = None
        self._waiting: deque[threading.Lock] = deque()

    def acquire(self, timeout: float) -> bool:
        """Wait for this thread's turn, at most `timeout` seconds; False if it did not come,
        or if this thread holds the turn already."""
        me = threading.get_ident()
        baton = threading.Lock()
        baton.acquire()  # released by `release` when the turn is handed to this thread
        try:
            with self._mutex:
                if not self._held:
                    self._held, self._holder = True, me
                    return True
                if self._holder == me:
                    return False
                self._waiting.append(baton)
            got = baton.acquire(timeout=timeout)
        except BaseException:  # interrupted (a signal's handler raised): leave the line
            if self._leave(baton):
                self.release()  # handed over just then: pass it on, never lose it
            raise
        if not got and not self._leave(baton):
            return False
        with self._mutex:
            self._holder = me
        return True

    def _leave(self, baton: threading.Lock) -> bool:
        """Take a waiter out of the line; True if the turn had been handed to it already (it
        is this thread's: the caller keeps it or passes it on)."""
        with self._mutex:
            if baton in self._waiting:
                self._waiting.remove(baton)
                return False
        return baton.acquire(blocking=False)

    def waiting(self) -> int:
        """How many threads are in line for the turn."""
        with self._mutex:
            return len(self._waiting)

    def release(self) -> None:
        """End the holder's turn; the longest waiter's begins at once."""
        with self._mutex:
            self._holder = None
            if self._waiting:
                self._waiting.popleft().release()  # still held: by the waiter now
            else:
                self._held = False


class TurnTakingConnection(sqlite3.Connection):
    """An sqlite3 connection that takes its process's write turn before BEGIN and gives it
    back whenever its transaction ends (commit, rollback, close)."""

    turns: WriteTurns | None = None
    _has_turn = False
    _turn_thread: int | None = None

    def take_turn(self, timeout: float) -> None:
        """Queue for the write turn, at most `timeout` seconds (then SQLite's own wait). A
        connection shared by threads (the in-memory database's) queues each thread apart."""
        me = threading.get_ident()
        if self.turns is None or (self._has_turn and self._turn_thread == me):
            return
        if self.turns.acquire(timeout):
            self._has_turn, self._turn_thread = True, me

    def give_turn_back(self) -> None:
        """End this connection's turn, if it has one."""
        if self._has_turn and self.turns is not None:
            self._has_turn, self._turn_thread = False, None
            self.turns.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.give_turn_back()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.give_turn_back()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.give_turn_back()
