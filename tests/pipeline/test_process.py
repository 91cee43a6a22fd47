"""The processing stage: in order, once each, implicit mentions set aside, the verdict kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from jun_engine.config.schema import Config
from jun_engine.domain.messages import Channel, InboundMessage, MessageKind
from jun_engine.domain.residents import Admission, AdmissionOutcome
from jun_engine.emulator.clock import Clock
from jun_engine.emulator.testing import TEST_START, emulator_test_config
from jun_engine.pipeline.process import process_all, process_next, verification_only
from jun_engine.store.repository import Checkpoint, store_messages
from jun_engine.store.session import session_scope
from jun_engine.store.statuses import MessageStatus, PollStream
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

    def admit(_s: Session, row: InboundMessageRow, _c: Config, _n: object) -> Admission:
        seen.append(row.platform_id)
        return Admission(AdmissionOutcome.ADMITTED, resident_id=1)

    store(engine, message(2), message(1), message(3))
    config, clock = emulator_test_config(), Clock.stepped(TEST_START)
    assert process_all(engine, clock, verification_only(config, admit)) == 3
    assert process_next(engine, clock, verification_only(config, admit)) is None
    assert seen == ["1001", "1002", "1003"]  # the order they were sent in, not stored in
    assert set(statuses(engine).values()) == {MessageStatus.PROCESSED}


def test_implicit_mentions_are_ignored_and_waiting_ones_wait(engine: Engine) -> None:
    def admit(_s: Session, row: InboundMessageRow, _c: Config, _n: object) -> Admission:
        return Admission(AdmissionOutcome.WAITING)

    store(engine, message(1, explicit=False), message(2))
    process_all(engine, Clock.stepped(TEST_START), verification_only(emulator_test_config(), admit))
    assert statuses(engine) == {
        "1001": MessageStatus.IGNORED,
        "1002": MessageStatus.WAITING_VERIFICATION,
    }


def test_a_stage_that_fails_leaves_the_message_new_to_process_again(engine: Engine) -> None:
    calls: list[int] = []

    def admit(_s: Session, row: InboundMessageRow, _c: Config, _n: object) -> Admission:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the verify stage broke")
        return Admission(AdmissionOutcome.ADMITTED_OPEN, open_intent="emergency")

    store(engine, message(1))
    config, clock = emulator_test_config(), Clock.stepped(TEST_START)
    with pytest.raises(RuntimeError, match="broke"):
        process_next(engine, clock, verification_only(config, admit))
    assert statuses(engine) == {"1001": MessageStatus.NEW}  # rolled back with the failure
    process_next(engine, clock, verification_only(config, admit))
    assert statuses(engine) == {"1001": MessageStatus.PROCESSED}
