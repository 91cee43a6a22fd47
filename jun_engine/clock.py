"""Where the engine's time comes from: the system, or an emulator the daemon follows over HTTP.

Every stage reads time through a `Clock` and waits through `Clock.sleep`, never `time.sleep`, so a
daemon pointed at an emulator running at `--speed 60` lives on the emulator's time (rate-limit
resets, SLAs, schedules) and a SIGTERM interrupts any wait at once. Emulated time itself, stepped
by a test or running at a speed, is the emulator's `jun_engine.emulator.clock.Clock`: the demo and
the tests hand it to the engine in-process.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

import httpx

RESYNC_SECONDS = 2.0
"""Real seconds between two readings of a followed clock."""

STILL_POLL_SECONDS = 0.02
"""Real seconds between two readings while a followed clock stands still (speed 0)."""


class Clock(Protocol):
    """A source of aware UTC time and of interruptible waits."""

    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...

    def sleep(self, seconds: float, stop: threading.Event) -> bool:
        """Wait `seconds` of this clock's time; returns True at once if `stop` is set."""
        ...


class ClockError(Exception):
    """A followed clock could not be read."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"cannot read the emulator clock at {url}: {reason}")
        self.url = url
        self.reason = reason


class SystemClock:
    """The machine's own time; sleeping waits real seconds."""

    def now(self) -> datetime:
        """The current time, in UTC."""
        return datetime.now(UTC)

    def sleep(self, seconds: float, stop: threading.Event) -> bool:
        """Wait up to `seconds`; True if `stop` was set meanwhile."""
        return stop.wait(max(seconds, 0.0))


class FollowedClock:
    """The time of an X emulator (`GET /_emulator/clock`), read now and then and run forward.

    Between readings the clock runs at the emulator's speed from the last reading; it never goes
    backward. Sleeping waits until the emulator's time reaches the deadline, so at speed 60 a
    minute passes in a real second, and at speed 0 (a test steps the clock) a sleep lasts until
    the test has stepped far enough.
    """

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 5.0,
        resync_seconds: float = RESYNC_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._url = base_url.rstrip("/") + "/_emulator/clock"
        self._timeout = timeout
        self._resync = resync_seconds
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._last_returned = datetime.min.replace(tzinfo=UTC)
        self._synced_at = 0.0
        self._synced_now, self._speed = self._read()
        self._synced_at = monotonic()

    @property
    def speed(self) -> float:
        """Emulated seconds per real second, as last read."""
        return self._speed

    def now(self) -> datetime:
        """The emulator's time, re-read when the last reading is older than the resync period."""
        if self._monotonic() - self._synced_at >= self._resync:
            self.resync()
        with self._lock:
            elapsed = (self._monotonic() - self._synced_at) * self._speed
            moment = max(self._synced_now + timedelta(seconds=elapsed), self._last_returned)
            self._last_returned = moment
            return moment

    def resync(self) -> None:
        """Read the emulator's clock now (keeps running from the last reading if it is away)."""
        try:
            now, speed = self._read()
        except ClockError:
            with self._lock:  # run on from the last reading; try again a period later
                elapsed = (self._monotonic() - self._synced_at) * self._speed
                self._synced_now += timedelta(seconds=elapsed)
                self._synced_at = self._monotonic()
            return
        with self._lock:
            self._synced_now, self._speed, self._synced_at = now, speed, self._monotonic()

    def sleep(self, seconds: float, stop: threading.Event) -> bool:
        """Wait until the emulator's time is `seconds` later; True at once if `stop` is set."""
        deadline = self.now() + timedelta(seconds=max(seconds, 0.0))
        while True:
            remaining = (deadline - self.now()).total_seconds()
            if remaining <= 0:
                return stop.is_set()
            if stop.wait(self._real_wait(remaining)):
                return True

    def _real_wait(self, emulated_seconds: float) -> float:
        if self._speed <= 0:
            return STILL_POLL_SECONDS
        return min(emulated_seconds / self._speed, self._resync)

    def _read(self) -> tuple[datetime, float]:
        try:
            response = httpx.get(self._url, timeout=self._timeout)
            response.raise_for_status()
            body = response.json()
            now = datetime.fromisoformat(str(body["now"]).replace("Z", "+00:00"))
            return now.astimezone(UTC), float(body["speed"])
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as error:
            raise ClockError(self._url, str(error) or type(error).__name__) from error
