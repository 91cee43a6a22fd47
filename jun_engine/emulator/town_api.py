"""What a simulated town may do inside the emulator: the `TownSink` a town driver writes through.

A town driver is "people using the X app": it needs no credentials, meets no rate limits and is
exempt from the API-only reply restriction. The emulator calls `TownDriver.advance(now, sink)` on
every tick of its clock while `--town` is on; the driver decides what its residents do by `now`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from jun_engine.config.schema import Config


@dataclass(frozen=True, slots=True)
class PostView:
    """A post as the town sees it: who wrote it, when, and what it replies to or quotes."""

    id: str
    author_id: str
    text: str
    created_at: datetime
    conversation_id: str
    in_reply_to_id: str | None = None
    quote_id: str | None = None


@dataclass(frozen=True, slots=True)
class DmView:
    """A direct message event as the town sees it."""

    id: str
    sender_id: str
    recipient_id: str
    text: str
    created_at: datetime
    conversation_id: str


class TownSink(Protocol):
    """What a town driver may do: create users, post, DM, and read what the town's accounts did."""

    def now(self) -> datetime:
        """The emulator clock's current time (timezone-aware, UTC)."""
        ...

    def add_user(self, handle: str, name: str) -> str:
        """Create a user (or return the existing one with this handle); returns its user id."""
        ...

    def tweet(
        self,
        author_id: str,
        text: str,
        *,
        in_reply_to_id: str | None = None,
        quote_id: str | None = None,
    ) -> str:
        """Post as `author_id`, as a human in the app would; returns the new post's id."""
        ...

    def dm(self, sender_id: str, recipient_id: str, text: str) -> str:
        """Send a direct message; returns the DM event id."""
        ...

    def posts_by(self, user_id: str, since: datetime) -> list[PostView]:
        """Posts `user_id` made at or after `since`, oldest first."""
        ...

    def dms_to(self, user_id: str, since: datetime) -> list[DmView]:
        """DMs `user_id` received at or after `since`, oldest first."""
        ...


class TownDriver(Protocol):
    """A simulated town: called on every emulator tick to let its residents act."""

    def advance(self, now: datetime, sink: TownSink) -> None:
        """Do whatever the town's people would have done up to `now`."""
        ...


class TownFactory(Protocol):
    """What `jun_engine.emulator.town.simulated_town` must be: a driver from config and seed."""

    def __call__(self, config: Config, *, seed: int) -> TownDriver:
        """The simulated town of `config`, deterministic for `seed`."""
        ...
