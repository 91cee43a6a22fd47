"""What every handler of the chain takes (a domain message and its turn) and gives (an outcome).

A handler is two small methods, as in python-telegram-bot: `check` says whether the message is
its to handle, `handle` says what became of it. `handle` either settles the message (an
`Outcome`: the status it ends in) or passes it on to the next handler (`PassOn`), refined with
what it learned (verification: the admission, masked codes; classification: the routing) or
unchanged when it turned out to have nothing to say (self-service, the survey).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlmodel import Session

from jun_engine.config.schema import Config
from jun_engine.domain.messages import InboundMessage
from jun_engine.domain.residents import Admission
from jun_engine.domain.routing import Routing
from jun_engine.domain.statuses import MessageStatus


@dataclass(frozen=True, slots=True)
class Turn:
    """One stored message being processed: the transaction it is processed in, the town's
    configuration, the time, and what earlier handlers learned about it."""

    session: Session
    config: Config
    now: datetime
    message_id: int
    """The stored message's id (cases, answers and appointments point at it)."""
    admission: Admission | None = None
    """Set by verification; None before it."""
    routing: Routing | None = None
    """Set by classification; None before it."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of a message: the status it ends in, and who settled it."""

    status: MessageStatus
    by: str
    admission: Admission | None = None


@dataclass(frozen=True, slots=True)
class PassOn:
    """Not settled here: the next handlers go on with this message and turn."""

    message: InboundMessage
    turn: Turn


class Handler(Protocol):
    """One step of the chain."""

    def check(self, message: InboundMessage, turn: Turn) -> bool:
        """Whether this handler is the one for `message` (read only: no writes)."""
        ...

    def handle(self, message: InboundMessage, turn: Turn) -> Outcome | PassOn:
        """Act on `message` in `turn.session`; settle it or pass it on."""
        ...
