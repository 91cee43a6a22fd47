"""The retry policy: what a poller does after a failed call, as one function read whole.

error                                   decision
─────────────────────────────────────   ─────────────────────────────────────────────────
RateLimited (window)                    WAIT until X's reset + slack; never ask before it
RateLimited (usage-capped)              PAUSE an hour and ALERT (waiting for a reset won't do)
ServerError, NetworkError, DB hiccup    BACKOFF: full jitter, 1 s doubling, capped at 5 min
AuthError, Forbidden (on a read)        STOP this stream loudly; the other streams go on
NotFound, InvalidRequest, other 4xx     STOP: asking again the same way cannot help
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from jun_engine.domain.errors import (
    AuthError,
    ChannelError,
    Forbidden,
    RateLimited,
)
from jun_engine.store.errors import DatabaseError

RESET_SLACK = timedelta(seconds=2)
"""Asked for after X's reset time, so a clock a little behind X's never asks too early."""
NO_RESET_WAIT = timedelta(minutes=1)
"""A 429 without a reset time waits this long."""
USAGE_CAPPED_PAUSE = timedelta(hours=1)
BACKOFF_BASE = 1.0
BACKOFF_CAP = 300.0


class Action(StrEnum):
    """What the poller does next."""

    RETRY = "retry"
    """Try again at `at` (rate limits and backoffs)."""
    PAUSE = "pause"
    """Stay quiet until `at` and alert a person (usage capped)."""
    STOP = "stop"
    """Stop this stream until restart; a person must fix the cause."""


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of the policy: an action, when to act again, and whether to alert."""

    action: Action
    at: datetime | None
    reason: str
    alert: bool = False


def decide(error: Exception, attempt: int, now: datetime, rng: random.Random) -> Decision:
    """What to do after `error` on the `attempt`-th consecutive failure (1 for the first)."""
    if isinstance(error, RateLimited) and error.usage_capped:
        return Decision(Action.PAUSE, now + USAGE_CAPPED_PAUSE, "usage capped", alert=True)
    if isinstance(error, RateLimited):
        reset = error.retry_at
        at = max(reset + RESET_SLACK, now) if reset is not None else now + NO_RESET_WAIT
        return Decision(Action.RETRY, at, "rate limited")
    if isinstance(error, AuthError | Forbidden):
        return Decision(Action.STOP, None, "not authorised", alert=True)
    if isinstance(error, ChannelError) and not error.retryable:
        return Decision(Action.STOP, None, "refused", alert=True)
    if isinstance(error, ChannelError | DatabaseError):
        return Decision(Action.RETRY, now + backoff(attempt, rng), "transient failure")
    return Decision(Action.RETRY, now + backoff(attempt, rng), "unexpected failure", alert=True)


def backoff(attempt: int, rng: random.Random) -> timedelta:
    """Full jitter: uniform in [0, min(cap, base * 2^(attempt-1))], at least a tenth of a second."""
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** min(max(attempt - 1, 0), 30))
    return timedelta(seconds=max(rng.uniform(0, ceiling), 0.1))
