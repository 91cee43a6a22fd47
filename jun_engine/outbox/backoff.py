"""When to try an item again, by the engine's retry policy (`jun_engine.retry`):
the platform's reset time (plus slack) after a rate limit, an hour after a usage cap, jittered
exponential backoff otherwise; and never confirm an uncertain item sooner than `LOOK_DELAY`.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from jun_engine import retry
from jun_engine.domain.errors import ChannelError

LOOK_DELAY = timedelta(seconds=5)
"""Platforms do not promise read-after-write (X's DMs): give an uncertain attempt time to show."""


def retry_time(error: ChannelError, attempt: int, now: datetime, rng: random.Random) -> datetime:
    """When to try again after `error` on the `attempt`-th try (1-based)."""
    decision = retry.decide(error, attempt, now, rng)
    return decision.at if decision.at is not None else now + retry.backoff(attempt, rng)


def look_time(attempt: int, now: datetime, rng: random.Random) -> datetime:
    """When to look for an item whose `attempt`-th try may or may not have landed."""
    return now + max(LOOK_DELAY, retry.backoff(attempt, rng))
