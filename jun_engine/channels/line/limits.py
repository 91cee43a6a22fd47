"""LINE's write limits as the outbox paces them: reply and push are each limited to 2,000
requests a second per channel; the engine keeps to half, so that replies and the pushes that
stand in for them never meet the limit together (LINE asks for headroom)."""

from __future__ import annotations

from datetime import timedelta

from jun_engine.channels.ports import Bucket, Limit, Limits

SECOND = timedelta(seconds=1)

LINE_LIMITS: Limits = {
    Bucket.POSTS: (Limit(1_000, SECOND),),
    Bucket.DMS: (Limit(1_000, SECOND),),
}
"""REPLY items (replies, or their pushes) and DM items (pushes), per account."""
