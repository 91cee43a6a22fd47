"""How often each stream may be polled: X's 15-minute limits shared out, slowed near the spend cap.

Pure functions of the limits table (FACTS.md), the number of pollers sharing an app's limit and
today's spend; the pollers call `poll_interval` before every sleep.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from jun_engine.store.statuses import PollStream

WINDOW = timedelta(minutes=15)

HEADROOM = 0.8
"""The share of a limit steady polling may use; the rest is for pagination and retries."""

SLOW_DOWN_FROM = 0.8
"""From this share of the daily spend cap on, intervals double."""

MIN_INTERVAL = timedelta(seconds=5)
"""No stream is polled more often than this, whatever the limits allow."""


@dataclass(frozen=True, slots=True)
class ReadLimit:
    """An endpoint's read limits per 15-minute window: per user, and per app (None: no app cap)."""

    per_user: int
    per_app: int | None


READ_LIMITS: dict[PollStream, ReadLimit] = {
    PollStream.MENTIONS: ReadLimit(per_user=300, per_app=450),  # GET /2/users/:id/mentions
    PollStream.DMS: ReadLimit(per_user=15, per_app=None),  # GET /2/dm_events
    PollStream.TIMELINE: ReadLimit(per_user=900, per_app=10_000),  # GET /2/users/:id/tweets
}


def limit_interval(limit: ReadLimit, pollers_on_app: int, headroom: float = HEADROOM) -> timedelta:
    """The shortest interval keeping one poller under its user limit and all under the app's."""
    per_user = WINDOW / (limit.per_user * headroom)
    if limit.per_app is None:
        return max(per_user, MIN_INTERVAL)
    per_app = WINDOW * max(pollers_on_app, 1) / (limit.per_app * headroom)
    return max(per_user, per_app, MIN_INTERVAL)


def spend_factor(spent_usd: float, cap_usd: float) -> float | None:
    """How much to stretch intervals for today's spend: 1, 2 near the cap, None (pause) at it."""
    if cap_usd <= 0 or spent_usd >= cap_usd:
        return None
    return 2.0 if spent_usd >= SLOW_DOWN_FROM * cap_usd else 1.0


def poll_interval(
    stream: PollStream, pollers_on_app: int, spent_usd: float, cap_usd: float
) -> timedelta | None:
    """The wait before the next poll of `stream`; None while the daily spend cap is reached."""
    factor = spend_factor(spent_usd, cap_usd)
    if factor is None:
        return None
    return limit_interval(READ_LIMITS[stream], pollers_on_app) * factor
