"""The ports every channel implements: how it takes messages in, delivers, and addresses residents.

A channel (X in `channels/x/`, LINE later) converts its own payloads into the small domain
objects below, so nothing outside its package sees its types.

Taking in. A channel either is *polled* (X: a sweep reads pages of mentions and DMs) or *pushes*
(a webhook posts batches). Both end in the same durable insert: `MessageStore.store` writes a
batch's messages AND its progress marker (the newest id a sweep covered, the webhook delivery's
id) in ONE transaction, idempotent on (channel, kind, platform id). A crash before the commit
loses neither: the sweep reads again from the old marker, the webhook is redelivered.

Delivering. The outbox (`jun_engine.outbox`) stores each part first, commits an attempt, then asks
the channel's `Delivery` to send it. After a crash or a timeout an attempt may have landed or not:
the sender asks `confirm` before ever trying again (X looks through the account's own posts or DM
events; LINE will send a retry key), so nothing goes out twice. The sender paces every account by
the channel's `limits` and records the channel's price of each send with the item's outcome.

Addressing. `Addressing` says where the answer to a message goes (where the resident wrote,
publicly or privately, and from which account), how a post is linked to, and how a department
account is mentioned. `channels.addressing.addressing` finds a channel's; a channel that registers
none is answered in its conversation, from the account the message reached.

Running. The daemon runs each channel through its `ChannelRuntime`, lending it a `Wiring` (the
database, the clock, the processor's wake-up, the outage watch): the channel's pollers, what it
does once at start, its periodic upkeep, its `Delivery`, and the connections it closes at stop.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from sqlalchemy.engine import Engine
from sqlmodel import Session

from jun_engine.channels.results import RateLimit
from jun_engine.clock import Clock
from jun_engine.domain.choices import Choice
from jun_engine.domain.errors import ChannelError
from jun_engine.domain.messages import Channel, InboundMessage
from jun_engine.domain.statuses import OutboxKind
from jun_engine.service.outage import OutageWatch

# --- taking in --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IntakeBatch:
    """Messages a channel took in, and how far that takes its intake (None: nothing to mark)."""

    channel: Channel
    messages: tuple[InboundMessage, ...]
    marker: str | None = None


class PolledIntake(Protocol):
    """A channel read by the engine (X): each sweep yields batches, oldest progress first."""

    def sweep(self) -> Iterator[IntakeBatch]: ...


class PushedIntake(Protocol):
    """A channel that calls the engine (a webhook): a request body becomes one batch."""

    def accept(self, body: bytes, signature: str) -> IntakeBatch:
        """The batch a verified request carries; raises `ChannelError` on a bad signature."""
        ...


class MessageStore(Protocol):
    """The durable insert every intake ends in: messages and marker, one transaction."""

    def store(self, session: Session, batch: IntakeBatch) -> int:
        """Insert the batch's new messages and its marker; returns how many were new."""
        ...


# --- delivering -------------------------------------------------------------------------------


class Bucket(StrEnum):
    """The write quota an outbox item spends: public posts and replies, or private messages."""

    POSTS = "posts"
    DMS = "dms"

    @classmethod
    def of(cls, kind: OutboxKind) -> Bucket:
        """The quota an item of `kind` spends."""
        return cls.DMS if kind is OutboxKind.DM else cls.POSTS

    @property
    def kinds(self) -> tuple[OutboxKind, ...]:
        """The outbox kinds that spend this quota."""
        return (OutboxKind.DM,) if self is Bucket.DMS else (OutboxKind.POST, OutboxKind.REPLY)


@dataclass(frozen=True, slots=True)
class Limit:
    """At most `calls` requests in any `window`, per account or (`per_app`) for all together."""

    calls: int
    window: timedelta
    per_app: bool = False
    reserved: int = 0
    """Of `calls`, how many only emergencies and answers to residents may use: notices,
    digests and answers to strangers stop short of them, so they never leave a resident's
    answer waiting for the next window."""

    def calls_for(self, urgent: bool) -> int:
        """The calls an item may count on: all for an urgent one, else all but the reserve."""
        return self.calls if urgent else max(self.calls - self.reserved, 1)

    def spacing(self, urgent: bool) -> timedelta | None:
        """How long an item that is not `urgent` waits after the account's last call, where the
        limit keeps a reserve: its share spread evenly over the window (15 per 15 minutes less
        5: one notice per 90 s after the last DM of any kind). Notices then use the account's
        quiet time and never take a burst of the window just before residents write."""
        if urgent or self.reserved == 0:
            return None
        return self.window / self.calls_for(urgent)


Limits = Mapping[Bucket, Sequence[Limit]]
"""A channel's write limits, by quota."""


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """One part to send: what, on which channel, from which account, to what (maybe personal)."""

    id: int
    key: str
    channel: Channel
    account_id: str
    """The channel account it is sent from."""
    kind: OutboxKind
    target: str | None
    """The post replied to, or the recipient of a DM; None for a new post."""
    text: str
    private: bool
    attempts: int
    part_no: int
    expires_at: datetime | None = None
    choices: tuple[Choice, ...] = ()
    """Buttons offered with the text (a channel without buttons ignores them: the text lists
    them in words)."""
    priority: int = 0
    """How urgently it goes (`outbox.api.Priority`); a channel's quota gate reads it."""

    @property
    def bucket(self) -> Bucket:
        """The write quota sending it spends."""
        return Bucket.of(self.kind)


@dataclass(frozen=True, slots=True)
class Receipt:
    """A send that landed: the platform's id for it, and the quota the platform reported."""

    platform_id: str
    rate_limit: RateLimit | None = None


class Delivery(Protocol):
    """How one channel sends the outbox, for every account of the town on it."""

    channel: Channel
    limits: Limits

    def accounts(self) -> frozenset[str]:
        """The channel accounts it can send from."""
        ...

    def split(self, kind: OutboxKind, text: str) -> list[str]:
        """`text` as the parts this channel accepts (a numbered thread, several DMs)."""
        ...

    def refusal(self, item: OutboxItem) -> tuple[str, str] | None:
        """Why `item` can never be sent from its account (failure code, reason), or None."""
        ...

    def send(self, item: OutboxItem) -> Receipt:
        """Send `item` once; raises `ChannelError` (a `NetworkError` may have landed)."""
        ...

    def confirm(self, item: OutboxItem, since: datetime) -> str | None:
        """The platform id of `item` if an attempt started at or after `since` landed, else None.
        Raises `DeliveryUnknown` when it cannot tell, `ChannelError` when asking failed."""
        ...

    def charge(
        self, session: Session, item: OutboxItem, error: ChannelError | None, at: datetime
    ) -> None:
        """Record in `session` what one send of `item` cost: it landed (`error` None) or failed."""
        ...

    def close(self) -> None:
        """Release its connections."""
        ...


class SpendGate(Protocol):
    """A channel's say on spending its metered quota (LINE's monthly messages): whether an item
    must wait, because what is left is kept for more urgent items. A held item stays pending."""

    def holds(self, session: Session, item: OutboxItem, now: datetime) -> str | None:
        """Why `item` must wait for now, or None when it may be sent."""
        ...


class DeliveryUnknown(Exception):  # noqa: N818 (says what happened, like `NotFound`)
    """A channel could not tell whether an item landed; the outbox gives it up, unconfirmed."""

    def __init__(self, item_id: int, reason: str) -> None:
        self.item_id = item_id
        super().__init__(f"outbox item {item_id}: {reason}; cannot tell whether it was sent")


# --- addressing -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Answer:
    """An answer as the outbox takes it: on which channel, from which account, as what kind, to
    which target (the message replied to, or the resident), saying what."""

    channel: Channel
    account_id: str
    kind: OutboxKind
    target: str
    text: str
    private: bool = False
    """Seen only by the resident: every direct message (whatever was passed), and a reply on a
    channel whose replies are private (LINE's 1:1 chat); a reply on X is public."""

    def __post_init__(self) -> None:
        if self.kind is OutboxKind.DM and not self.private:
            object.__setattr__(self, "private", True)


class Addressing(Protocol):
    """How a channel names residents, posts and departments in what the engine writes."""

    def answer(
        self,
        message: InboundMessage,
        text: str,
        *,
        private: bool,
        from_town: bool = False,
        distinct: bool = False,
    ) -> Answer:
        """`text` as the answer to `message`: where it was written (a public reply), or
        (`private`) a direct message to its author; from the account it reached, or
        (`from_town`) from the town hall's own account on the channel. `distinct`: the text is
        already unlike any other the account sends (it names a case reference), so a channel
        that must make public texts distinct need not."""
        ...

    def permalink(self, message: InboundMessage) -> str:
        """A link staff can open to see `message` on the channel."""
        ...

    def mention(self, handle: str) -> str:
        """How a text names an account (a department) so the channel tags it."""
        ...


# --- running ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Wiring:
    """What the daemon lends every channel it runs."""

    engine: Engine
    clock: Clock
    wake: Callable[[], None]
    """Tells the processor that new messages were stored."""
    outage: OutageWatch
    rng: random.Random
    """Seeds each poller's jitter."""
    backfill: bool = False
    """A stream's first start reads what the platform still has, not from now on."""


class PollLoop(Protocol):
    """One stream a channel reads, on a thread of its own (X: `channels/x/intake/poller`)."""

    @property
    def ref(self) -> object:
        """The stream, as logs name it."""
        ...

    @property
    def stored(self) -> int:
        """Messages it stored so far."""
        ...

    @property
    def stopped(self) -> bool:
        """Whether it stopped for good (until a restart) rather than being asked to."""
        ...

    def run(self, stop: threading.Event) -> None:
        """Read, wait, repeat until `stop` is set or the stream stops."""
        ...

    def turn(self) -> object:
        """One read, now (`run_once`)."""
        ...


class ChannelRuntime(Protocol):
    """A channel as the daemon runs it: configured and holding its secrets, wired by the daemon.
    Every connection it opens is its own and is closed by `close`."""

    channel: Channel

    def pollers(self, wiring: Wiring) -> Sequence[PollLoop]:
        """The streams it reads (the daemon asks once, before it starts)."""
        ...

    def begin(self, wiring: Wiring, now: datetime) -> None:
        """What it does once at start, before any poller runs (X: each new stream's baseline)."""
        ...

    def housekeep(self, wiring: Wiring, now: datetime) -> None:
        """Periodic upkeep, from the daemon's heartbeat (X: forget what earlier days billed)."""
        ...

    def delivery(self, wiring: Wiring) -> Delivery:
        """How the outbox sends on it (the daemon asks once, when it sends)."""
        ...

    def gate(self) -> SpendGate | None:
        """What holds its sends back as a budget runs low (LINE's monthly quota), if anything."""
        ...

    def close(self) -> None:
        """Close every connection it opened (again: nothing more to close)."""
        ...
