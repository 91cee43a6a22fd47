"""Reading X's `x-rate-limit-*` and 24-hour cap headers into a `RateLimit` domain value."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from jun_engine.channels.results import RateLimit

_WINDOW = "x-rate-limit-"
_DAILY = ("x-user-limit-24hour-", "x-app-limit-24hour-")


def _int(headers: Mapping[str, str], name: str) -> int | None:
    try:
        return int(headers[name].strip())
    except (KeyError, ValueError):
        return None


def _limit(headers: Mapping[str, str], prefix: str) -> RateLimit | None:
    limit, remaining, reset = (_int(headers, prefix + n) for n in ("limit", "remaining", "reset"))
    if limit is None or remaining is None or reset is None:
        return None
    try:
        reset_at = datetime.fromtimestamp(reset, UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return RateLimit(limit=limit, remaining=remaining, reset_at=reset_at)


def reset_time(headers: Mapping[str, str]) -> datetime | None:
    """When the exhausted quota comes back: the window's reset, or the day's when that is spent."""
    current = rate_limit(headers)
    if current is None:
        return None
    if current.daily is not None and current.daily.remaining <= 0:
        return current.daily.reset_at
    return current.reset_at


def rate_limit(headers: Mapping[str, str]) -> RateLimit | None:
    """The window quota and (when sent) the tighter 24-hour cap; None when headers are missing."""
    window = _limit(headers, _WINDOW)
    dailies = [d for d in (_limit(headers, p) for p in _DAILY) if d is not None]
    daily = min(dailies, key=lambda d: d.remaining) if dailies else None
    if window is None:
        return daily
    return RateLimit(window.limit, window.remaining, window.reset_at, daily=daily)
