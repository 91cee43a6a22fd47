"""Open311's `Delivery` and `ChannelRuntime`: an answer to an Open311 reporter is published, not
sent. The client reads it back through `GET requests` and `servicerequestupdates`, which show the
case's status and the answers on it; so the outbox item is done the moment it is recorded."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlmodel import Session

from jun_engine.channels.open311.intake import ENDPOINT
from jun_engine.channels.ports import Bucket, Limit, Limits, OutboxItem, PollLoop, Receipt, Wiring
from jun_engine.domain.errors import ChannelError
from jun_engine.domain.messages import Channel
from jun_engine.domain.statuses import OutboxKind

OPEN311_LIMITS: Limits = {bucket: (Limit(1_000, timedelta(seconds=1)),) for bucket in Bucket}
"""Nothing leaves the machine: a high ceiling, so the pacer never holds an Open311 item."""


class Open311Delivery:
    """Marks every Open311 item published: the case's record is what the client reads."""

    channel = Channel.OPEN311
    limits: Limits = OPEN311_LIMITS

    def accounts(self) -> frozenset[str]:
        """The one pseudo-account Open311 answers come from."""
        return frozenset({ENDPOINT})

    def split(self, kind: OutboxKind, text: str) -> list[str]:
        """One part: an update's description is the whole text."""
        return [text]

    def refusal(self, item: OutboxItem) -> tuple[str, str] | None:
        """Nothing is refused."""
        return None

    def send(self, item: OutboxItem) -> Receipt:
        """Published: `servicerequestupdates` serves the case's answers from the case desk."""
        return Receipt(f"open311:{item.id}")

    def confirm(self, item: OutboxItem, since: datetime) -> str | None:
        """An interrupted publish was published: it only ever marked the row."""
        return f"open311:{item.id}"

    def charge(
        self, session: Session, item: OutboxItem, error: ChannelError | None, at: datetime
    ) -> None:
        """Free."""

    def close(self) -> None:
        """Nothing to close."""


class Open311Runtime:
    """Open311 as the daemon runs it: its requests come in through the web server (`jun-engine
    web`), so the daemon only marks its answers published."""

    channel = Channel.OPEN311

    def pollers(self, wiring: Wiring) -> Sequence[PollLoop]:
        """None: clients post."""
        return []

    def begin(self, wiring: Wiring, now: datetime) -> None:
        """Nothing to start."""

    def housekeep(self, wiring: Wiring, now: datetime) -> None:
        """Nothing periodic."""

    def gate(self) -> None:
        """Nothing: its budgets are paced by the delivery's own limits."""
        return

    def delivery(self, wiring: Wiring) -> Open311Delivery:
        """Its `Delivery`."""
        return Open311Delivery()

    def close(self) -> None:
        """Nothing to close."""
