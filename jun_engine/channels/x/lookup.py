"""Look before retrying: did an attempt whose outcome is unknown land on the platform after all?

Posts are looked for in the account's own timeline (same text, same post replied to), DMs in
its DM events (sent by the account, in the 1:1 conversation with the recipient, same text), from
a little before the item's first attempt. Texts are compared after NFC normalisation with URLs
masked, since X may rewrite links as t.co.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from twitter_text import extract_urls

from jun_engine.channels.ports import DeliveryUnknown, OutboxItem
from jun_engine.channels.x.gateway import XGateway
from jun_engine.domain.statuses import OutboxKind

SLACK = timedelta(seconds=30)
"""How far before the first attempt a match may be dated (our clock ahead of the platform's).
A post of the same text older than that is someone else's (staff, by hand)."""
MAX_PAGES = 10
"""Pages of 100 looked through before giving up on an answer."""

PageSeen = Callable[[str, Sequence[str]], None]
"""Told of every page a look read: the endpoint (`user_tweets`, `dm_events`) and the ids it
returned, so the reads are billed like any other (X bills them)."""


def _ignore(_endpoint: str, _ids: Sequence[str]) -> None:
    return None


def find_landed(
    gateway: XGateway, item: OutboxItem, since: datetime, seen: PageSeen = _ignore
) -> str | None:
    """The platform id of `item` if it landed at or after `since`; None if it did not.

    Raises `DeliveryUnknown` when the history could not be read back far enough, and the
    gateway's `ChannelError`s when the look itself fails.
    """
    if item.kind is OutboxKind.DM:
        return _find_dm(gateway, item, since - SLACK, seen)
    return _find_post(gateway, item, since - SLACK, seen)


def same_text(seen: str, sent: str) -> bool:
    """Whether a text read back is the one sent (NFC, links masked, ends trimmed)."""
    return _canonical(seen) == _canonical(sent)


def _canonical(text: str) -> str:
    normal = unicodedata.normalize("NFC", text)
    for url in sorted(set(extract_urls(normal)), key=len, reverse=True):
        normal = normal.replace(url, "<url>")
    return normal.strip()


def _find_post(gateway: XGateway, item: OutboxItem, since: datetime, seen: PageSeen) -> str | None:
    token: str | None = None
    for _ in range(MAX_PAGES):
        page = gateway.user_posts(item.account_id, pagination_token=token, max_results=100)
        seen("user_tweets", [post.id for post in page.items])
        for post in page.items:
            if post.created_at < since:
                return None
            if post.in_reply_to_id == item.target and same_text(post.text, item.text):
                return post.id
        token = page.next_token
        if token is None:
            return None
    raise _inconclusive(item)


def _find_dm(gateway: XGateway, item: OutboxItem, since: datetime, seen: PageSeen) -> str | None:
    token: str | None = None
    for _ in range(MAX_PAGES):
        page = gateway.dm_events(pagination_token=token, max_results=100)
        seen("dm_events", [event.platform_id for event in page.items])
        for event in page.items:
            if event.created_at < since:
                return None
            if (
                event.author_id == item.account_id
                and _between(event.conversation_id, item.account_id, item.target)
                and same_text(event.text, item.text)
            ):
                return event.platform_id
        token = page.next_token
        if token is None:
            return None
    raise _inconclusive(item)


def _between(conversation_id: str | None, account_id: str, recipient: str | None) -> bool:
    """A 1:1 conversation's id is `<smaller id>-<larger id>` of its two participants."""
    if conversation_id is None or recipient is None:
        return False
    return set(conversation_id.split("-")) == {account_id, recipient}


def _inconclusive(item: OutboxItem) -> DeliveryUnknown:
    reason = f"{MAX_PAGES} pages of history read without reaching its first attempt"
    return DeliveryUnknown(item.id, reason)
