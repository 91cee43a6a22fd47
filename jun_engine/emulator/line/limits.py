"""LINE's rate limits per channel and endpoint group: fixed windows of emulated time, 429 when
exceeded, no headers (LINE sends none)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from jun_engine.emulator.line.errors import rate_limited


@dataclass(frozen=True, slots=True)
class Limit:
    """At most `count` requests per `seconds`."""

    count: int
    seconds: int


LIMITS: dict[str, Limit] = {
    "narrowcast": Limit(60, 3600),
    "broadcast": Limit(60, 3600),
    "audience": Limit(60, 60),
    "richmenu_create": Limit(100, 3600),
    "richmenu_batch": Limit(3, 3600),
    "multicast": Limit(200, 1),
    "loading": Limit(100, 1),
    "other": Limit(2_000, 1),
}
"""Groups as the third-party compilation in FACTS.md maps LINE's reference figures."""


class LineRateLimiter:
    """Counts requests per group in the current window; thread-safe."""

    def __init__(self, limits: dict[str, Limit] | None = None) -> None:
        self.limits = dict(limits or LIMITS)
        self._windows: dict[str, tuple[int, int]] = {}
        self._lock = threading.Lock()

    def admit(self, group: str, now: datetime) -> None:
        """Count one request of `group`, or raise 429 when its window is full."""
        limit = self.limits.get(group, self.limits["other"])
        window = int(now.timestamp()) // limit.seconds
        with self._lock:
            start, used = self._windows.get(group, (window, 0))
            if start != window:
                used = 0
            if used >= limit.count:
                raise rate_limited()
            self._windows[group] = (window, used + 1)

    def reset(self) -> None:
        """Forget every count (the admin API's `limits/reset`)."""
        with self._lock:
            self._windows.clear()
