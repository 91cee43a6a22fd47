"""X's write limits the outbox paces itself by: posts and DMs, per account and per app.

From FACTS.md: POST /2/tweets 100 per 15 minutes per user and 10,000 a day per app; DMs 15 per
15 minutes per user, 1,440 a day per user and 1,440 a day per app. Of an account's 15 DMs per 15
minutes, 5 are kept for emergencies and answers to residents (`Limit.reserved`), and the other 10
are spread at one per 90 s after the account's last DM (`Limit.spacing`) for notices, digests and
answers to strangers: they take the account's quiet moments, not the minute before a resident's
answer is due.
"""

from __future__ import annotations

from datetime import timedelta

from jun_engine.channels.ports import Bucket, Limit, Limits

QUARTER = timedelta(minutes=15)
DAY = timedelta(days=1)

DM_RESERVE = 5
"""An account's DMs per 15 minutes that department notices, digests and answers to strangers
leave free: a resident's DM is answered within a minute even after a burst of notices."""

X_LIMITS: Limits = {
    Bucket.POSTS: (Limit(100, QUARTER), Limit(10_000, DAY, per_app=True)),
    Bucket.DMS: (
        Limit(15, QUARTER, reserved=DM_RESERVE),
        Limit(1_440, DAY),
        Limit(1_440, DAY, per_app=True),
    ),
}
"""The limits the sender keeps to on X; tests and benchmarks may pass tighter ones."""
