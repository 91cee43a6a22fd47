"""Which of X's write prices sending an outbox item costs, for the engine's spend record.

A post with a link is the dear one; a first reply answers a resident who mentioned the account
(the cheaper summoned reply); later thread parts reply to the engine's own post (a plain post).
"""

from __future__ import annotations

from twitter_text import extract_urls

from jun_engine.channels.ports import OutboxItem
from jun_engine.channels.x.billing import WriteKind
from jun_engine.domain.statuses import OutboxKind

POSTS_ENDPOINT = "/2/tweets"
DM_ENDPOINT = "/2/dm_conversations/with/:participant_id/messages"


def write_kind(item: OutboxItem) -> WriteKind:
    """The price X bills for sending `item`."""
    if item.kind is OutboxKind.DM:
        return "dm_create"
    if extract_urls(item.text):
        return "post_create_with_url"
    if item.kind is OutboxKind.REPLY and item.part_no == 1:
        return "summoned_reply"
    return "post_create"


def endpoint_of(item: OutboxItem) -> str:
    """The X endpoint sending `item` calls."""
    return DM_ENDPOINT if item.kind is OutboxKind.DM else POSTS_ENDPOINT
