"""The emulator's single time source: real time scaled by a speed, plus steps taken by tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta


class Clock:
    """Emulated time: `start` plus the real time elapsed times `speed`, plus every `step()`.

    A clock with speed 0 stands still until stepped: what tests use. Thread-safe.
    """

    def __init__(
        self,
        start: datetime | None = None,
        *,
        speed: float = 1.0,
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
