"""Each channel's write limits, for planning before a delivery exists (the scheduler spreading a
notice's DMs over days, the CLI's ETAs); the channel's `Delivery.limits` states the same.

A new channel adds its case here; one that registers nothing has no limits to plan by.
"""

from __future__ import annotations

from jun_engine.channels.ports import Limits
from jun_engine.domain.messages import Channel


def write_limits(channel: Channel) -> Limits:
    """The limits `channel`'s sender keeps to (empty: none known)."""
    if channel is Channel.X:
        # Loaded when first needed: channels/x brings tweepy, which a desk command never uses.
        from jun_engine.channels.x.limits import X_LIMITS

        return X_LIMITS
    return {}
