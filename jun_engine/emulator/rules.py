"""X's posting rules: 280 weighted characters, 10,000-character DMs, duplicates, who may reply."""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta

from twitter_text import parse_tweet

from jun_engine.emulator.records import Post
from jun_engine.emulator.state import State

MAX_WEIGHTED_LENGTH = 280
MAX_DM_LENGTH = 10_000
DUPLICATE_WINDOW = timedelta(days=7)
"""How far back an identical post by the same author counts as a duplicate."""


def weighted_length(text: str) -> int:
    """The length X counts for a post: twitter-text v3 weights after NFC normalisation."""
    return int(parse_tweet(unicodedata.normalize("NFC", text)).weightedLength)


def too_long(text: str) -> bool:
    """True when a post's text is over 280 weighted characters."""
    return weighted_length(text) > MAX_WEIGHTED_LENGTH


def is_duplicate(state: State, author_id: str, text: str, now: datetime) -> bool:
    """True when the author already posted exactly this text recently (and did not delete it)."""
    return text in state.recent_texts_by(author_id, now - DUPLICATE_WINDOW)


def engaged(state: State, parent: Post, replier_id: str) -> bool:
    """Whether `parent`'s author engaged `replier_id`: mentioned them, quoted or replied to them.

    The 2026 reply restriction lets a program reply only to such posts (and to its own).
    """
    if parent.author_id == replier_id or replier_id in parent.mentioned_ids:
        return True
    if parent.quote_id:
        quoted = state.find_post(parent.quote_id)
        if quoted is not None and quoted.author_id == replier_id:
            return True
    return False


def summoned(parent: Post, replier_id: str) -> bool:
    """A reply to a post that mentions the replier: billed at the summoned-reply price."""
    return parent.author_id != replier_id and replier_id in parent.mentioned_ids
