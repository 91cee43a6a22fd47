"""What a resident sent, as the engine sees it whatever the channel: a mention or a DM."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Channel(StrEnum):
    """Where a message came from: X, LINE, or an Open311 GeoReport v2 client (FixMyStreet, a
    311 app, the town's website) posting a service request."""

    X = "x"
    LINE = "line"
    OPEN311 = "open311"


class MessageKind(StrEnum):
    """A public post that mentions one of the town's accounts, or a private direct message."""

    MENTION = "mention"
    DM = "dm"


@dataclass(frozen=True, slots=True)
class Place:
    """A map pin a resident sent (LINE's location message; an Open311 request's lat/long)."""

    latitude: float
    longitude: float
    label: str | None = None
    """The title or address the resident's app attached, if any."""


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """One message a resident sent to one of the town's accounts.

    `platform_id` is unique per channel and kind (a post id on X, a DM event id); together with
    `channel` and `kind` it is the message's identity: storing is idempotent on it.
    `raw` is the payload exactly as the platform sent it (JSON text), kept for audit and replay.
    """

    channel: Channel
    kind: MessageKind
    platform_id: str
    account_id: str
    """The town's account this message reached (the mentioned account, or the DM recipient)."""
    author_id: str
    text: str
    created_at: datetime
    author_handle: str | None = None
    conversation_id: str | None = None
    """Mentions: the thread's root post id. DMs: the 1:1 conversation id."""
    in_reply_to_id: str | None = None
    """Mentions: the post this one replies to, if any."""
    mentioned_ids: tuple[str, ...] = ()
    """User ids mentioned explicitly in the text (X's `entities.mentions`)."""
    quoted_id: str | None = None
    hashtags: tuple[str, ...] = ()
    place: Place | None = None
    """A map pin sent with or as the message."""
    attachments: tuple[str, ...] = ()
    """The channel's ids of photos sent as the message (LINE content ids), to download."""
    action: str | None = None
    """A button the resident pressed instead of typing (LINE postback data, at most 300
    characters), e.g. a rating or a booking choice; `text` then holds its label, if any."""
    raw: str = field(default="", repr=False, compare=False)

    @property
    def is_private(self) -> bool:
        """A DM is personal data: never echoed in public, never logged at info level."""
        return self.kind is MessageKind.DM

    @property
    def explicitly_mentions(self) -> bool:
        """True when the account it reached was @mentioned in the text, not only implied by a
        reply chain (a DM mentions no one)."""
        return self.mentions(self.account_id)

    @property
    def is_implicit_mention(self) -> bool:
        """A mention that does not @mention the account it reached (only a reply chain's)."""
        return self.kind is MessageKind.MENTION and not self.explicitly_mentions

    def mentions(self, account_id: str) -> bool:
        """Whether `account_id` was @mentioned in the text."""
        return account_id in self.mentioned_ids
