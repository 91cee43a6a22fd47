"""A poller: one thread sweeping one stream, at the pace the budget allows, through failures.

Each turn: ask the budget for the interval (None while the daily spend cap is reached), sweep,
note the stream's health, and sleep on the clock until the next turn. A failed sweep goes to
the retry policy (`retry.decide`): wait for the reset, back off, pause and alert, or stop this
stream while the others go on. A database that cannot be used is the daemon's outage, not this
stream's: the poller tells the `OutageWatch` and waits as it says, in real seconds.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Protocol

from sqlalchemy.engine import Engine

from jun_engine import retry
from jun_engine.channels.x.billing import spent_on
from jun_engine.channels.x.intake import budget
from jun_engine.channels.x.intake.streams import StreamRef
from jun_engine.channels.x.intake.sweep import Sweep
from jun_engine.clock import Clock
from jun_engine.retry import Action
from jun_engine.service import health
from jun_engine.service.outage import OutageWatch, Pause
from jun_engine.store.errors import DatabaseError, StoreError
from jun_engine.store.session import session_scope

log = logging.getLogger(__name__)

RESET_SLACK = timedelta(seconds=2)


class Reader(Protocol):
    """What a poller drives: a mentions or DM `StreamReader`, or a timeline follower."""

    @property
    def ref(self) -> StreamRef: ...

    def sweep(self) -> Sweep: ...


class Poller:
    """Runs one `Reader` until stopped (or until its stream is stopped for good)."""

    def __init__(
        self,
        reader: Reader,
        engine: Engine,
        clock: Clock,
        *,
        daily_cap_usd: float,
        rng: random.Random | None = None,
        on_stored: Callable[[], None] | None = None,
        outage: OutageWatch | None = None,
    ) -> None:
        self.reader = reader
        self.ref = reader.ref
        self._engine = engine
        self.clock = clock
        self._cap = daily_cap_usd
        self._rng = rng or random.Random()  # noqa: S311 (jitter, not secrets)
        self.failures = 0
        self.stopped = False
        self.sweeps = 0
        self.stored = 0
        self._capped_day: object = None
        self._on_stored = on_stored
        self._outage = outage or OutageWatch()

    def run(self, stop: threading.Event) -> None:
        """Sweep, sleep, repeat until `stop` is set or the stream is stopped."""
        while not stop.is_set():
            wait = self.turn()
            if wait is None:
                return
            if isinstance(wait, Pause):
                if stop.wait(wait.seconds):
                    return
            elif self.clock.sleep(wait.total_seconds(), stop):
                return

    def turn(self) -> timedelta | Pause | None:
        """One sweep (unless the spend cap holds it back); the wait before the next on the
        clock, or a `Pause` in real seconds while the database is out; None: stop."""
        now = self.clock.now()
        try:
            interval = self._interval(now)
            if interval is None:
                return self._hold_until_tomorrow(now)
            sweep = self.reader.sweep()
            self._succeeded(sweep)
        except DatabaseError as error:  # nothing of the page was stored: it is read again
            return self._outage.failed(str(self.ref), error)
        except Exception as error:  # every other failure goes to the retry policy
            return self._failed(error)
        self._outage.succeeded(str(self.ref))
        return self._after(sweep, interval)

    def _interval(self, now: datetime) -> timedelta | None:
        with session_scope(self._engine) as session:
            spent = float(spent_on(session, now.date()))
        return budget.poll_interval(self.ref.stream, spent, self._cap)

    def _succeeded(self, sweep: Sweep) -> None:
        self.failures = 0
        self.sweeps += 1
        self.stored += sweep.stored
        with session_scope(self._engine) as session:
            health.note_success(session, self.ref, sweep.rate_limit)
        if sweep.stored:
            log.info("%s: stored %d new message(s)", self.ref, sweep.stored)
            if self._on_stored is not None:
                self._on_stored()

    def _after(self, sweep: Sweep, interval: timedelta) -> timedelta:
        limit = sweep.rate_limit
        if limit is not None and limit.exhausted:
            until_reset = limit.reset_at + RESET_SLACK - self.clock.now()
            return max(interval, until_reset)
        return interval

    def _failed(self, error: Exception) -> timedelta | None:
        self.failures += 1
        now = self.clock.now()
        decision = retry.decide(error, self.failures, now, self._rng)
        stopped = decision.action is Action.STOP
        try:
            with session_scope(self._engine) as session:
                health.note_failure(
                    session,
                    self.ref,
                    str(error),
                    self.failures,
                    at=now,
                    paused_until=decision.at,
                    stopped=stopped,
                )
        except DatabaseError as store_error:
            self._outage.failed(str(self.ref), store_error)
        except StoreError as store_error:
            log.warning("%s: could not note the failure: %s", self.ref, store_error)
        self._log_failure(error, decision)
        if stopped:
            self.stopped = True
            return None
        assert decision.at is not None
        return max(decision.at - now, timedelta(0))

    def _log_failure(self, error: Exception, decision: retry.Decision) -> None:
        if decision.action is Action.STOP:
            log.error(
                "%s: stopped (%s): %s; the other streams go on", self.ref, decision.reason, error
            )
        elif decision.alert and self.failures == 1:
            log.error(
                "%s: %s (%s); retrying at %s", self.ref, decision.reason, error, _when(decision.at)
            )
        else:
            log.warning(
                "%s: %s (%s), failure %d; retrying at %s",
                self.ref,
                decision.reason,
                error,
                self.failures,
                _when(decision.at),
            )

    def _hold_until_tomorrow(self, now: datetime) -> timedelta:
        tomorrow = datetime.combine(now.date() + timedelta(days=1), time(0), tzinfo=UTC)
        if self._capped_day != now.date():
            self._capped_day = now.date()
            log.error(
                "%s: daily spend cap of $%.2f reached; polling resumes at %s UTC",
                self.ref,
                self._cap,
                tomorrow.isoformat(),
            )
            with session_scope(self._engine) as session:
                health.note_paused(session, self.ref, tomorrow, "daily spend cap reached")
        return tomorrow - now


def _when(moment: datetime | None) -> str:
    return moment.strftime("%H:%M:%S") if moment is not None else "-"
