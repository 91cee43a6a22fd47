"""How each channel cuts a long text into the parts it accepts, for `outbox.api.enqueue`.

A channel's `Delivery.split` is the same function; a new channel adds its case here.
"""

from __future__ import annotations

from jun_engine.domain.messages import Channel
from jun_engine.domain.statuses import OutboxKind


def split(channel: Channel, kind: OutboxKind, text: str) -> list[str]:
    """`text` as the parts `channel` accepts for an item of `kind` (one part if it fits)."""
    if channel is Channel.X:
        # Loaded when first needed: twitter-text's tables (and tweepy, under channels/x) cost a
        # desk command's start-up a third of a second.
        from jun_engine.channels.x import splitting as x_splitting

        return x_splitting.split(kind, text)
    if channel is Channel.LINE:
        from jun_engine.channels.line import splitting as line_splitting

        return line_splitting.split(text)
    return [text]
