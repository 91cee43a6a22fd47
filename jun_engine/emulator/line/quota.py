"""The monthly message quota: plans, and a meter counting one message per recipient reached.

LINE's month is Japan's calendar month; replies are free; blocked users are not counted.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from jun_engine.emulator.line.errors import monthly_limit

LINE_ZONE = ZoneInfo("Asia/Tokyo")


@dataclass(frozen=True, slots=True)
class Plan:
    """A LINE Official Account plan: the messages a month it includes (None: no cap)."""

    name: str
    monthly: int | None
    note: str


PLANS: dict[str, Plan] = {
    plan.name: plan
    for plan in (
        Plan("free", 200, "Japan's free Communication plan"),
        Plan("light", 5_000, "Japan's Light plan (JPY 5,000)"),
        Plan("standard", 30_000, "Japan's Standard plan (JPY 15,000)"),
        Plan("th_free", 300, "Thailand's Free plan"),
        Plan("th_basic", 15_000, "Thailand's Basic plan (THB 1,280)"),
        Plan("th_pro", 35_000, "Thailand's Pro plan (THB 1,780)"),
        Plan("unlimited", None, "Japan's plan for local governments: no message cap"),
    )
}


class QuotaMeter:
    """Counts this month's messages against the plan; thread-safe."""

    def __init__(self, plan: str = "free") -> None:
        self._lock = threading.Lock()
        self._plan = PLANS[plan]
        self._month: tuple[int, int] | None = None
        self._used = 0

    @property
    def plan(self) -> Plan:
        """The channel's current plan."""
        return self._plan

    def set_plan(self, name: str) -> Plan:
        """Switch plans (KeyError for an unknown name); the month's count is kept."""
        with self._lock:
            self._plan = PLANS[name]
            return self._plan

    def used(self, now: datetime) -> int:
        """Messages counted so far this month."""
        with self._lock:
            self._roll(now)
            return self._used

    def remaining(self, now: datetime) -> int | None:
        """Messages left this month (None: no cap)."""
        with self._lock:
            self._roll(now)
            cap = self._plan.monthly
            return None if cap is None else max(0, cap - self._used)

    def charge(self, count: int, now: datetime, *, strict: bool = True) -> None:
        """Count `count` messages, or (when `strict`) raise 429 "monthly limit", counting none,
        if they do not fit."""
        with self._lock:
            self._roll(now)
            cap = self._plan.monthly
            if strict and count and cap is not None and self._used + count > cap:
                raise monthly_limit()
            self._used += count

    def _roll(self, now: datetime) -> None:
        local = now.astimezone(LINE_ZONE)
        month = (local.year, local.month)
        if month != self._month:
            self._month, self._used = month, 0
