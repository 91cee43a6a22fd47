"""How often each stream may be polled: each account's own 15-minute limits, slowed near the
spend cap, and why (what `jun-engine status` shows).

Every request the engine makes is signed with the polling account's own OAuth 1.0a user token,
so it counts against that account's per-user limit only: X's per-app column applies to app-only
(Bearer) requests (../shared/x-api/FACTS.md, corrected rate-limit section). Ten town accounts
each poll their mentions every few seconds; they do not share the app's 450. Pure functions of
the limits table and today's spend; the pollers call `poll_interval` before every sleep.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from jun_engine.domain.statuses import PollStream

WINDOW = timedelta(minutes=15)

SLOW_DOWN_FROM = 0.8
"""From this share of the daily spend cap on, intervals double."""

MIN_INTERVAL = timedelta(seconds=2)
"""No stream is polled more often than this, whatever the limits allow."""


@dataclass(frozen=True, slots=True)
class ReadLimit:
    """An endpoint's read limit per account and 15-minute window, and the share of it steady
    polling may use (the rest is for a sweep's further pages and retries)."""

    per_user: int
    headroom: float


READ_LIMITS: dict[PollStream, ReadLimit] = {
    PollStream.MENTIONS: ReadLimit(per_user=300, headroom=0.8),  # GET /2/users/:id/mentions
    PollStream.DMS: ReadLimit(per_user=15, headroom=1.0),  # GET /2/dm_events
    PollStream.TIMELINE: ReadLimit(per_user=900, headroom=0.8),  # GET /2/users/:id/tweets
}
"""DMs use their whole limit (one sweep a minute, which is what lets an answer to a DM come
within about a minute): a sweep that needs more pages stops at an exhausted window, keeps its
page token and waits for the reset, so no request is refused."""


@dataclass(frozen=True, slots=True)
class Budget:
    """The wait before a stream's next poll (None: paused until tomorrow) and why, in words."""

    interval: timedelta | None
    reason: str


def limit_interval(limit: ReadLimit) -> timedelta:
    """The shortest interval keeping one account's polls within its share of its own limit."""
    return max(WINDOW / (limit.per_user * limit.headroom), MIN_INTERVAL)


def spend_factor(spent_usd: float, cap_usd: float) -> float | None:
    """How much to stretch intervals for today's spend: 1, 2 near the cap, None (pause) at it."""
    if cap_usd <= 0 or spent_usd >= cap_usd:
        return None
    return 2.0 if spent_usd >= SLOW_DOWN_FROM * cap_usd else 1.0


def budget_of(stream: PollStream, spent_usd: float, cap_usd: float) -> Budget:
    """The interval of `stream` for today's spend, with the reason for it."""
    limit = READ_LIMITS[stream]
    steady = limit_interval(limit)
    share = f"{limit.per_user} per 15 min per account"
    if limit.headroom < 1:
        share += f", {limit.headroom:.0%} of it"
    factor = spend_factor(spent_usd, cap_usd)
    if factor is None:
        return Budget(None, f"paused: today's ${spent_usd:.2f} reached the ${cap_usd:.2f} cap")
    if factor > 1:
        reason = f"{share}; doubled: ${spent_usd:.2f} spent is {SLOW_DOWN_FROM:.0%}+ of the cap"
        return Budget(steady * factor, reason)
    return Budget(steady, share)


def poll_interval(stream: PollStream, spent_usd: float, cap_usd: float) -> timedelta | None:
    """The wait before the next poll of `stream`; None while the daily spend cap is reached."""
    return budget_of(stream, spent_usd, cap_usd).interval
