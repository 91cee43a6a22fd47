"""X's rate limits: 15-minute windows per user or app, 24-hour caps, and the headers saying so."""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from jun_engine.emulator.auth import Principal
from jun_engine.emulator.problems import too_many_requests, usage_capped

WINDOW = timedelta(minutes=15)
DAY = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class Limit:
    """An endpoint's limits: per user and per app in 15 minutes, and 24-hour caps."""

    per_user: int | None
    per_app: int | None
    user_daily: int | None = None
    app_daily: int | None = None


ENDPOINT_LIMITS: dict[str, Limit] = {
    "users_me": Limit(per_user=75, per_app=None),
    "mentions": Limit(per_user=300, per_app=450),
    "dm_events": Limit(per_user=15, per_app=None),
    "dm_create": Limit(per_user=15, per_app=None, user_daily=1440, app_daily=1440),
    "tweet_create": Limit(per_user=100, per_app=None, app_daily=10_000),
    "tweet_delete": Limit(per_user=50, per_app=None),
    "search_recent": Limit(per_user=300, per_app=450),
    "user_tweets": Limit(per_user=900, per_app=10_000),
    "tweet_lookup": Limit(per_user=900, per_app=450),
}
"""The real numbers (FACTS.md); `tweet_lookup` is X's documented 900 / 450."""


@dataclass(slots=True)
class _Window:
    start: datetime
    count: int = 0


class RateLimiter:
    """Counts requests per (caller, endpoint) in fixed windows started by the first request."""

    def __init__(self) -> None:
        self._windows: dict[tuple[str, str, str], _Window] = {}
        self._lock = threading.Lock()
        self.usage_capped = False
        """When True every API request gets X's usage-capped 429 (out of credit)."""
        self.enforce = True
        """When False windows are counted and reported but never refuse (benchmarks, demos)."""

    def admit(self, endpoint: str, principal: Principal, now: datetime) -> dict[str, str]:
        """Count one request; returns the `x-rate-limit-*` headers, or raises the 429 problem."""
        if self.usage_capped:
            raise usage_capped()
        limit = ENDPOINT_LIMITS[endpoint]
        who = principal.user_id if principal.user_id else f"app:{principal.consumer_key}"
        app = f"app:{principal.consumer_key}"
        window_limit = limit.per_user if principal.is_user else limit.per_app
        checks: list[tuple[str, tuple[str, str, str], int, timedelta]] = []
        if window_limit is not None:
            checks.append(("x-rate-limit", (who, endpoint, "15m"), window_limit, WINDOW))
        if principal.is_user and limit.user_daily is not None:
            checks.append(("x-user-limit-24hour", (who, endpoint, "24h"), limit.user_daily, DAY))
        if limit.app_daily is not None:
            checks.append(("x-app-limit-24hour", (app, endpoint, "24h"), limit.app_daily, DAY))
        with self._lock:
            windows = [self._window(key, span, now) for _, key, _, span in checks]
            headers: dict[str, str] = {}
            exhausted = False
            for (prefix, _, allowed, span), window in zip(checks, windows, strict=True):
                reset = str(math.ceil((window.start + span).timestamp()))
                used = window.count + 1
                exhausted = exhausted or used > allowed
                headers[f"{prefix}-limit"] = str(allowed)
                headers[f"{prefix}-remaining"] = str(max(allowed - used, 0))
                headers[f"{prefix}-reset"] = reset
            if exhausted and self.enforce:
                raise too_many_requests(headers)
            for window in windows:
                window.count += 1
        return headers

    def reset(self) -> None:
        """Forget every window (a fresh start for a test)."""
        with self._lock:
            self._windows.clear()

    def _window(self, key: tuple[str, str, str], span: timedelta, now: datetime) -> _Window:
        window = self._windows.get(key)
        if window is None or now >= window.start + span:
            window = _Window(start=now)
            self._windows[key] = window
        return window
