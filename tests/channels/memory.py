"""A channel that exists only in the tests: residents write to the town in memory, their messages
pushed into the store the way a webhook channel stores them, and what the engine sends lands in a
list (the `Delivery` port)."""

from __future__ import annotations

import itertools
import json
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from jun_engine.channels.ports import Bucket, Limit, Limits, OutboxItem, Receipt
from jun_engine.domain.errors import ChannelError
from jun_engine.domain.messages import Channel, InboundMessage, MessageKind
from jun_engine.domain.statuses import OutboxKind, PollStream
from jun_engine.emulator.clock import Clock
from jun_engine.store.repository import Checkpoint, store_messages
from jun_engine.store.session import session_scope

TOWN = "town-on-memory"
"""The town's one account on the channel."""


class MemoryChannel:
    """Both ends of the channel: `write` is a resident's message coming in, `sent` what went out."""

    channel = Channel.LINE

    def __init__(self, engine: Engine, clock: Clock, town: str = TOWN) -> None:
        self.engine, self.clock, self.town = engine, clock, town
        self.limits: Limits = {bucket: (Limit(100, timedelta(minutes=1)),) for bucket in Bucket}
        self.sent: list[tuple[str, OutboxItem]] = []
        self._numbers = itertools.count(1)
        self._authors: dict[str, str] = {}
        """Who wrote each message (a reply goes to its author)."""

    def write(self, author: str, text: str) -> InboundMessage:
        """`author` writes `text` privately to the town: stored once, as a webhook stores it."""
        return self._store(author, text, None, {"from": author, "text": text})

    def press(
        self, author: str, data: str, label: str = "", params: dict[str, str] | None = None
    ) -> InboundMessage:
        """`author` presses a button that sends `data` back (LINE's postback: its label as the
        text, a date picker's `params` in the raw event)."""
        postback: dict[str, object] = {"data": data, **({"params": params} if params else {})}
        return self._store(author, label, data, {"from": author, "postback": postback})

    def _store(
        self, author: str, text: str, action: str | None, raw: dict[str, object]
    ) -> InboundMessage:
        number = next(self._numbers)
        message = InboundMessage(
            channel=self.channel,
            kind=MessageKind.DM,
            platform_id=f"in-{number}",
            account_id=self.town,
            author_id=author,
            text=text,
            created_at=self.clock.now(),
            conversation_id=author,
            action=action,
            raw=json.dumps(raw),
        )
        self._authors[message.platform_id] = author
        marker = Checkpoint(self.town, PollStream.DMS, message.platform_id, self.clock.now())
        with session_scope(self.engine) as session:
            store_messages(session, [message], marker)
        return message

    def received(self, user: str) -> list[OutboxItem]:
        """What the engine sent `user` (a message to them, or a reply to theirs), in order."""
        return [
            item
            for _, item in self.sent
            if user in (item.target, self._authors.get(item.target or ""))
        ]

    def accounts(self) -> frozenset[str]:
        return frozenset({self.town})

    def split(self, kind: OutboxKind, text: str) -> list[str]:
        return [text]

    def refusal(self, item: OutboxItem) -> tuple[str, str] | None:
        return None

    def send(self, item: OutboxItem) -> Receipt:
        platform_id = f"out-{len(self.sent) + 1}"
        self.sent.append((platform_id, item))
        return Receipt(platform_id)

    def confirm(self, item: OutboxItem, since: datetime) -> str | None:
        return next((pid for pid, sent in self.sent if sent.key == item.key), None)

    def charge(
        self, session: Session, item: OutboxItem, error: ChannelError | None, at: datetime
    ) -> None:
        return None

    def close(self) -> None:
        return None
