"""How the daemon's loops live through a database outage: one ERROR, backoff, one line back.

The database is down (PostgreSQL stopped), full (SQLite's WAL cannot grow), read-only or locked:
every loop that needs it (pollers, processor, outbox sender, scheduler tick, desk jobs,
heartbeat) reports its failure to the daemon's one `OutageWatch` and waits before trying again,
1 s doubling to 30 s, in real seconds (the database does not run on an emulator's clock).
The first failure logs one ERROR saying what is wrong; the others are DEBUG; when every loop
that failed has succeeded again, one line says the outage is over. Nothing is lost meanwhile:
what was not committed is done again (a message stays `new`, an outbox item `pending`, or
`sending` and looked for on X before any retry).
"""

from __future__ import annotations

import logging
import random
import threading
import time
from dataclasses import dataclass

from jun_engine.store.errors import DatabaseError, Fault

log = logging.getLogger(__name__)

BACKOFF_FIRST_SECONDS = 1.0
BACKOFF_CAP_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class Pause:
    """Real seconds a loop waits for the database before its next try."""

    seconds: float


class OutageWatch:
    """Shared by every loop of one daemon: the backoff of each, and the outage's two log lines."""

    def __init__(
        self,
        *,
        first: float = BACKOFF_FIRST_SECONDS,
        cap: float = BACKOFF_CAP_SECONDS,
        rng: random.Random | None = None,
    ) -> None:
        self._first = first
        self._cap = cap
        self._rng = rng or random.Random()  # noqa: S311 (jitter, not secrets)
        self._lock = threading.Lock()
        self._failing: dict[str, int] = {}
        """Loop name -> its failures in a row, for every loop that has not succeeded since."""
        self._told: set[Fault] = set()
        self._began: float | None = None
        self.outages = 0
        """Outages seen since the daemon started (each logged once)."""

    @property
    def fault(self) -> Fault | None:
        """What is wrong now, if any loop is still waiting for the database."""
        with self._lock:
            return next(iter(self._told), None) if self._failing else None

    def failed(self, loop: str, error: DatabaseError) -> Pause:
        """`loop` could not use the database: log it if it is news; how long to wait."""
        with self._lock:
            failures = self._failing.get(loop, 0) + 1
            self._failing[loop] = failures
            starting = self._began is None
            if starting:
                self._began = time.monotonic()
                self.outages += 1
            news = error.fault not in self._told
            self._told.add(error.fault)
        if news:
            log.error(
                "database %s: %s. Every stage waits and retries (every %g s up to %g s); nothing "
                "is lost. `jun-engine status` shows what is wrong",
                error.fault.value,
                error,
                self._first,
                self._cap,
            )
        else:
            log.debug("%s: database still %s (failure %d)", loop, error.fault.value, failures)
        return Pause(self._delay(failures))

    def succeeded(self, loop: str) -> None:
        """`loop` used the database again; the outage is over when every loop that failed has."""
        with self._lock:
            if self._failing.pop(loop, None) is None or self._failing or self._began is None:
                return
            lasted = time.monotonic() - self._began
            faults = ", ".join(sorted(f.value for f in self._told))
            self._began = None
            self._told = set()
        log.warning("database back after %.0f s (%s): every stage has resumed", lasted, faults)

    def _delay(self, failures: int) -> float:
        ceiling = min(self._cap, self._first * 2 ** min(failures - 1, 30))
        return self._rng.uniform(ceiling / 2, ceiling)


class Gate:
    """The backoff of work that is called rather than looping (the scheduler's tick): closed
    while the pause after its last failure lasts."""

    def __init__(self, watch: OutageWatch, loop: str) -> None:
        self._watch = watch
        self._loop = loop
        self._opens_at = 0.0

    def closed(self) -> bool:
        """Whether the work must skip this turn (it is still waiting for the database)."""
        return time.monotonic() < self._opens_at

    def failed(self, error: DatabaseError) -> None:
        """The work could not use the database: close until the backoff has passed."""
        self._opens_at = time.monotonic() + self._watch.failed(self._loop, error).seconds

    def succeeded(self) -> None:
        """The work used the database again."""
        self._opens_at = 0.0
        self._watch.succeeded(self._loop)
