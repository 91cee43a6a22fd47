"""The placeholder for LINE's `Delivery` until the real one is plugged into `LineRuntime`: it
refuses every item (the outbox marks it failed with the reason) and sends nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from jun_engine.channels.ports import Bucket, Limit, Limits, OutboxItem, Receipt
from jun_engine.domain.errors import ChannelError
from jun_engine.domain.messages import Channel
from jun_engine.domain.statuses import OutboxKind

REFUSAL = ("line_delivery_missing", "this engine cannot send on LINE yet")


class Undelivered:
    """A `Delivery` that sends nothing: every item is refused."""

    channel = Channel.LINE

    def __init__(self, accounts: frozenset[str]) -> None:
        self._accounts = accounts
        self.limits: Limits = {b: (Limit(2000, timedelta(seconds=1)),) for b in Bucket}

    def accounts(self) -> frozenset[str]:
        """The bot user ids of the town's LINE accounts."""
        return self._accounts

    def split(self, kind: OutboxKind, text: str) -> list[str]:
        """One part."""
        return [text]

    def refusal(self, item: OutboxItem) -> tuple[str, str] | None:
        """Always: nothing can be sent."""
        return REFUSAL

    def send(self, item: OutboxItem) -> Receipt:
        """Never called (every item is refused first)."""
        raise NotImplementedError(REFUSAL[1])

    def confirm(self, item: OutboxItem, since: datetime) -> str | None:
        """Nothing was ever sent."""
        return None

    def charge(
        self, session: Session, item: OutboxItem, error: ChannelError | None, at: datetime
    ) -> None:
        """Nothing is spent."""

    def close(self) -> None:
        """Nothing to close."""
