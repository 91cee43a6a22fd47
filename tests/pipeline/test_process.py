"""The processing stage: in order, once each, implicit mentions set aside, the verdict kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from jun_engine.domain.messages import Channel, InboundMessage, MessageKind
from jun_engine.domain.statuses import MessageStatus, PollStream
from jun_engine.emulator.clock import Clock
from jun_engine.emulator.testing import TEST_START, emulator_test_config
from jun_engine.pipeline.chain import Chain, ImplicitMentions
from jun_engine.pipeline.process import process_all, process_next
from jun_engine.pipeline.turn import Outcome, Turn
from jun_engine.store.repository import Checkpoint, store_messages
from jun_engine.store.session import session_scope
from jun_engine.store.tables import InboundMessageRow

TOWN = "1130425167"


def message(
    n: int, *, explicit: bool = True, kind: MessageKind = MessageKind.MENTION
) -> InboundMessage:
    return InboundMessage(
        channel=Channel.X, kind=MessageKind.MENTION, platform_id=str(1000 + n), account_id=TOWN,
        author_id="77", text=f"mensaje {n}", created_at=TEST_START + timedelta(seconds=n),
        mentioned_ids=(TOWN,) if explicit else (),
    )  # fmt: skip


def store(engine: Engine, *messages: InboundMessage) -> None:
    with session_scope(engine) as session:
        store_messages(session, messages, Checkpoint(TOWN, PollStream.MENTIONS, None, TEST_START))


def statuses(engine: Engine) -> dict[str, MessageStatus]:
    with Session(engine) as session:
        rows = session.exec(select(InboundMessageRow)).all()
        return {row.platform_id: row.status for row in rows}


def test_messages_are_processed_in_order_once_each(engine: Engine) -> None:
    seen: list[str] = []

    def stage(message: InboundMessage, _turn: Turn) -> Outcome:
        seen.append(message.platform_id)
        return Outcome(MessageStatus.PROCESSED, "test")

    store(engine, message(2), message(1), message(3))
    config, clock = emulator_test_config(), Clock.stepped(TEST_START)
    assert process_all(engine, clock, config, stage) == 3
    assert process_next(engine, clock, config, stage) is None
    assert seen == ["1001", "1002", "1003"]  # the order they were sent in, not stored in
    assert set(statuses(engine).values()) == {MessageStatus.PROCESSED}


def test_implicit_mentions_are_ignored_and_waiting_ones_wait(engine: Engine) -> None:
    class Waiting:
        def check(self, _message: InboundMessage, _turn: Turn) -> bool:
            return True

        def handle(self, _message: InboundMessage, _turn: Turn) -> Outcome:
            return Outcome(MessageStatus.WAITING_VERIFICATION, "test")

    store(engine, message(1, explicit=False), message(2))
    chain = Chain((ImplicitMentions(), Waiting()))
    process_all(engine, Clock.stepped(TEST_START), emulator_test_config(), chain)
    assert statuses(engine) == {
        "1001": MessageStatus.IGNORED,
        "1002": MessageStatus.WAITING_VERIFICATION,
    }


def test_a_stage_that_fails_leaves_the_message_new_to_process_again(engine: Engine) -> None:
    calls: list[int] = []

    def stage(_message: InboundMessage, _turn: Turn) -> Outcome:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the verify stage broke")
        return Outcome(MessageStatus.PROCESSED, "test")

    store(engine, message(1))
    config, clock = emulator_test_config(), Clock.stepped(TEST_START)
    with pytest.raises(RuntimeError, match="broke"):
        process_next(engine, clock, config, stage)
    assert statuses(engine) == {"1001": MessageStatus.NEW}  # rolled back with the failure
    process_next(engine, clock, config, stage)
    assert statuses(engine) == {"1001": MessageStatus.PROCESSED}
