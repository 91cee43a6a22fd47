"""What a channel call returns, channel-neutral: pages of messages, posts, refs, rate limits."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RateLimit:
    """The quota left in the current window, as the platform reported it with the answer."""

    limit: int
    remaining: int
    reset_at: datetime
    daily: RateLimit | None = None
    """The 24-hour cap (user or app, whichever is tighter) when the platform sent one."""

    @property
    def exhausted(self) -> bool:
        """No call left in this window or, when known, in this day."""
        day_spent = self.daily is not None and self.daily.remaining <= 0
        return self.remaining <= 0 or day_spent


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a timeline, newest first, with the cursor to the next (older) page."""

    items: tuple[T, ...]
    result_count: int
    newest_id: str | None = None
    oldest_id: str | None = None
    next_token: str | None = None
    rate_limit: RateLimit | None = field(default=None, compare=False)
    problems: tuple[str, ...] = ()
    """Partial errors the platform returned beside the data (a deleted referenced post...)."""


@dataclass(frozen=True, slots=True)
class Post:
    """A public post, typically a department's own (how staff replies in threads are seen)."""

    id: str
    author_id: str
    text: str
    created_at: datetime
    conversation_id: str | None = None
    in_reply_to_id: str | None = None
    quoted_id: str | None = None
    mentioned_ids: tuple[str, ...] = ()
    hashtags: tuple[str, ...] = ()
    raw: str = field(default="", repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class UserRef:
    """An account on the channel: its stable id, its current handle and display name."""

    id: str
    handle: str
    name: str = ""


@dataclass(frozen=True, slots=True)
class PostedRef:
    """A post the engine created."""

    id: str
    text: str
    rate_limit: RateLimit | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class SentDmRef:
    """A direct message the engine sent."""

    event_id: str
    conversation_id: str
    rate_limit: RateLimit | None = field(default=None, compare=False)
