"""The emulator's clock as the daemon's `Clock`, read in-process, with a floor under every wait.

At a day a minute a poll interval of five emulated seconds is three real milliseconds; a dozen
pollers doing that would spend the machine on empty polls. A sleep therefore lasts its emulated
length divided by the speed, but never less than `floor_seconds` of real time: a busy machine
waking a thread late, as any machine may, and the daemon's rate-limit arithmetic is untouched.
"""

from __future__ import annotations

import threading
from datetime import datetime

from jun_engine.emulator.clock import Clock as EmulatorClock

FLOOR_SECONDS = 0.5
"""The shortest real wait; at speed 1440 it is under five emulated minutes."""


class EmulatorTime:
    """`now()` is the emulator's time; `sleep()` waits `seconds / speed` real seconds (floored)."""

    def __init__(self, clock: EmulatorClock, *, floor_seconds: float = FLOOR_SECONDS) -> None:
        self._clock = clock
        self._floor = floor_seconds

    def now(self) -> datetime:
        """The emulator's current time (aware, UTC)."""
        return self._clock.now()

    def sleep(self, seconds: float, stop: threading.Event) -> bool:
        """Wait `seconds` of emulated time; True at once if `stop` is set."""
        if stop.is_set():
            return True
        return stop.wait(self.real_seconds(seconds))

    def real_seconds(self, seconds: float) -> float:
        """How long a wait of `seconds` emulated seconds lasts in real time."""
        speed = self._clock.speed
        scaled = max(seconds, 0.0) / speed if speed > 0 else self._floor
        return max(scaled, self._floor)
