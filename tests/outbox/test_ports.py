"""The sender drives any channel through the `Delivery` port: a channel that lives only in this
test (a list of what landed) gets its items sent once each, and an attempt that landed but went
unanswered is confirmed, never sent twice."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from jun_engine.channels.ports import Bucket, Delivery, Limit, Limits, OutboxItem, Receipt
from jun_engine.domain.errors import ChannelError, RequestTimedOut
from jun_engine.domain.messages import Channel
from jun_engine.domain.statuses import OutboxKind, OutboxStatus
from jun_engine.emulator.clock import Clock
from jun_engine.emulator.testing import TEST_START
from jun_engine.outbox.api import enqueue
from jun_engine.outbox.sender import OutboxSender
from jun_engine.store.session import session_scope
from jun_engine.store.tables import OutboxRow

DESK = "desk-1"


class ListDelivery:
    """A channel whose platform is a list; `lose_answers` attempts land but time out."""

    channel = Channel.LINE

    def __init__(self, lose_answers: int = 0) -> None:
        self.limits: Limits = {bucket: (Limit(100, timedelta(minutes=1)),) for bucket in Bucket}
        self.landed: list[tuple[str, OutboxItem]] = []
        self.charged: list[tuple[int, bool]] = []
        self._ids = (f"m{n}" for n in itertools.count(1))
        self._lose = lose_answers

    def accounts(self) -> frozenset[str]:
        return frozenset({DESK})

    def split(self, kind: OutboxKind, text: str) -> list[str]:
        return [text]

    def refusal(self, item: OutboxItem) -> tuple[str, str] | None:
        return None

    def send(self, item: OutboxItem) -> Receipt:
        platform_id = next(self._ids)
        self.landed.append((platform_id, item))
        if self._lose > 0:
            self._lose -= 1
            raise RequestTimedOut("no answer", request_sent=True)
        return Receipt(platform_id)

    def confirm(self, item: OutboxItem, since: datetime) -> str | None:
        return next((pid for pid, sent in self.landed if sent.key == item.key), None)

    def charge(
        self, session: Session, item: OutboxItem, error: ChannelError | None, at: datetime
    ) -> None:
        self.charged.append((item.id, error is None))

    def close(self) -> None:
        return None


def _sender(engine: Engine, delivery: Delivery, clock: Clock) -> OutboxSender:
    return OutboxSender(engine, {delivery.channel: delivery}, clock)


def _queue(engine: Engine, key: str) -> None:
    with session_scope(engine) as session:
        enqueue(
            session,
            key=key,
            channel=Channel.LINE,
            account_id=DESK,
            kind=OutboxKind.DM,
            target="U123",
            text="Recibido",
        )


def test_a_channel_of_the_tests_gets_each_item_once(engine: Engine) -> None:
    # Given two DMs queued on the test's channel
    delivery, clock = ListDelivery(), Clock.stepped(TEST_START)
    _queue(engine, "ack:1")
    _queue(engine, "ack:2")
    # When the sender drains twice
    sender = _sender(engine, delivery, clock)
    assert sender.drain_once() == 2
    assert sender.drain_once() == 0
    # Then each landed once, was charged once, and is sent with the platform's id
    assert [item.key for _, item in delivery.landed] == ["ack:1", "ack:2"]
    assert [ok for _, ok in delivery.charged] == [True, True]
    with Session(engine) as session:
        rows = sorted(session.exec(select(OutboxRow)).all(), key=lambda r: r.idempotency_key)
    assert [(r.channel, r.status, r.platform_id) for r in rows] == [
        (Channel.LINE, OutboxStatus.SENT, "m1"),
        (Channel.LINE, OutboxStatus.SENT, "m2"),
    ]


def test_an_unanswered_attempt_that_landed_is_confirmed_not_resent(engine: Engine) -> None:
    # Given a DM whose first attempt lands but its answer is lost
    delivery, clock = ListDelivery(lose_answers=1), Clock.stepped(TEST_START)
    _queue(engine, "ack:3")
    sender = _sender(engine, delivery, clock)
    assert sender.drain_once() == 0
    # When the sender comes back after the look delay
    clock.step(timedelta(seconds=600))
    assert sender.drain_once() == 1
    # Then the channel confirmed it: on the platform once, marked sent with that id
    assert [pid for pid, _ in delivery.landed] == ["m1"]
    with Session(engine) as session:
        row = session.exec(select(OutboxRow)).one()
    assert (row.status, row.platform_id) == (OutboxStatus.SENT, "m1")
