"""The emulator's records: users, posts and DM events as frozen dataclasses, free of HTTP."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class User:
    """An X account: one of the town's (from accounts.yaml) or a resident's."""

    id: str
    username: str
    name: str
    created_at: datetime
    description: str = ""
    protected: bool = False
    verified: bool = False


@dataclass(frozen=True, slots=True)
class Entity:
    """A span of a post's text X recognises: a mention, a hashtag or a URL (end exclusive)."""

    start: int
    end: int
    value: str
    """The username (mentions), the tag without # (hashtags) or the URL as written (urls)."""
    user_id: str | None = None
    """For a mention of a known user, that user's id."""


@dataclass(frozen=True, slots=True)
class Post:
    """A post (tweet), with what X derives from it: conversation, reply target, entities."""

    id: str
    author_id: str
    text: str
    created_at: datetime
    conversation_id: str
    in_reply_to_id: str | None = None
    in_reply_to_user_id: str | None = None
    quote_id: str | None = None
    mentions: tuple[Entity, ...] = ()
    hashtags: tuple[Entity, ...] = ()
    urls: tuple[Entity, ...] = ()
    mentioned_ids: frozenset[str] = frozenset()
    """Every user whose mentions timeline shows this post: explicit and implied by the reply."""
    visible_at: datetime | None = None
    """When the post shows up in mentions timelines (later than created_at for late mentions)."""
    via_api: bool = False
    """Posted by a program through the API (as opposed to a person in the X app)."""
    deleted: bool = False


@dataclass(frozen=True, slots=True)
class DmEvent:
    """One message in a 1:1 DM conversation."""

    id: str
    conversation_id: str
    sender_id: str
    recipient_id: str
    text: str
    created_at: datetime
    via_api: bool = False


def conversation_id_for(first: str, second: str) -> str:
    """X's id of the 1:1 DM conversation between two users: "<smaller id>-<larger id>"."""
    low, high = sorted((first, second), key=int)
    return f"{low}-{high}"
