"""Emulated time, the engine's only kind: real time scaled by a speed, plus steps taken by tests.

The emulators keep their time on it, the demo's daemon lives on it in-process, and tests drive
the engine with a stepped one. It is a `jun_engine.clock.Clock`: sleeping on a stepped clock steps
it (whoever sleeps moves the time, as a test would), and on a running one waits the emulated
seconds divided by the speed, never less than `min_sleep` real seconds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta


class Clock:
    """Emulated time: `start` plus the real time elapsed times `speed`, plus every `step()`.

    A clock with speed 0 stands still until stepped (or slept on): what tests use. Thread-safe.
    """

    def __init__(
        self,
        start: datetime | None = None,
        *,
        speed: float = 1.0,
        min_sleep: float = 0.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if speed < 0:
            raise ValueError(f"clock speed must be 0 or more, not {speed}")
        begin = start if start is not None else datetime.now(UTC)
        if begin.tzinfo is None:
            raise ValueError("the clock's start must be timezone-aware")
        self._lock = threading.Lock()
        self._monotonic = monotonic
        self._base = begin.astimezone(UTC)
        self._real_base = monotonic()
        self._speed = speed
        self._min_sleep = min_sleep

    @classmethod
    def stepped(cls, start: datetime) -> Clock:
        """A clock that stands still until a test steps it."""
        return cls(start, speed=0.0)

    @property
    def speed(self) -> float:
        """How many emulated seconds pass per real second."""
        return self._speed

    def now(self) -> datetime:
        """The current emulated time, in UTC."""
        with self._lock:
            return self._now_locked()

    def timestamp(self) -> float:
        """The current emulated time as epoch seconds."""
        return self.now().timestamp()

    def step(self, delta: timedelta) -> datetime:
        """Move the clock forward by `delta` (never backward); returns the new time."""
        if delta < timedelta(0):
            raise ValueError(f"the clock only moves forward; cannot step by {delta}")
        with self._lock:
            self._base += delta
            return self._now_locked()

    def sleep(self, seconds: float, stop: threading.Event) -> bool:
        """Let `seconds` of emulated time pass; True at once if `stop` is set.

        A stepped clock steps by `seconds` without waiting; a running one waits `seconds / speed`
        real seconds, at least `min_sleep` of them.
        """
        if stop.is_set():
            return True
        speed = self.speed
        if speed == 0:
            self.step(timedelta(seconds=max(seconds, 0.0)))
            return stop.is_set()
        return stop.wait(max(max(seconds, 0.0) / speed, self._min_sleep))

    def set_speed(self, speed: float) -> None:
        """Change the speed from now on, keeping the current time."""
        if speed < 0:
            raise ValueError(f"clock speed must be 0 or more, not {speed}")
        with self._lock:
            self._base = self._now_locked()
            self._real_base = self._monotonic()
            self._speed = speed

    def _now_locked(self) -> datetime:
        elapsed = (self._monotonic() - self._real_base) * self._speed
        return self._base + timedelta(seconds=elapsed)
