"""X's write limits the sender paces itself by: posts and DMs, per account and per app.

From FACTS.md: POST /2/tweets 100 per 15 minutes per user and 10,000 a day per app; DMs 15 per
15 minutes per user, 1,440 a day per user and 1,440 a day per app.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from jun_engine.store.statuses import OutboxKind


class Bucket(StrEnum):
    """The write quota an outbox item spends: posts and replies share one, DMs have theirs."""

    POSTS = "posts"
    DMS = "dms"


def bucket_of(kind: OutboxKind) -> Bucket:
    """The quota an item of `kind` spends."""
    return Bucket.DMS if kind is OutboxKind.DM else Bucket.POSTS


def kinds_of(bucket: Bucket) -> tuple[OutboxKind, ...]:
    """The outbox kinds that spend `bucket`."""
    if bucket is Bucket.DMS:
        return (OutboxKind.DM,)
    return (OutboxKind.POST, OutboxKind.REPLY)


@dataclass(frozen=True, slots=True)
class Limit:
    """At most `calls` requests in any `window`, per account or (`per_app`) for all together."""

    calls: int
    window: timedelta
    per_app: bool = False


QUARTER = timedelta(minutes=15)
DAY = timedelta(days=1)

X_LIMITS: dict[Bucket, tuple[Limit, ...]] = {
    Bucket.POSTS: (Limit(100, QUARTER), Limit(10_000, DAY, per_app=True)),
    Bucket.DMS: (Limit(15, QUARTER), Limit(1_440, DAY), Limit(1_440, DAY, per_app=True)),
}
"""The limits the sender keeps to; tests and benchmarks may pass tighter ones."""
