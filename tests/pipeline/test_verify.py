"""The verification stage inside the processing stage: messages kept while an account is not
verified are processed again, in order, once it verifies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from jun_engine.config import load_config
from jun_engine.domain.messages import Channel, InboundMessage, MessageKind
from jun_engine.domain.statuses import MessageStatus, OutboxKind, PollStream
from jun_engine.emulator.clock import Clock
from jun_engine.pipeline.process import process_all
from jun_engine.residents.enrolment import enrol
from jun_engine.store.repository import Checkpoint, store_messages
from jun_engine.store.session import session_scope
from jun_engine.store.tables import InboundMessageRow, OutboxRow
from tests.residents.conftest import ROOT
from tests.stages import verification_chain

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
RESIDENT = "1500000000000000001"


def dm(town: str, number: int, text: str) -> InboundMessage:
    return InboundMessage(
        channel=Channel.X,
        kind=MessageKind.DM,
        platform_id=str(number),
        account_id=town,
        author_id=RESIDENT,
        text=text,
        created_at=START,
        author_handle="vecina",
    )


def test_waiting_messages_are_processed_once_the_account_verifies(engine: Engine) -> None:
    config = load_config(ROOT / "accounts.yaml").config
    town = config.town_account().user_id
    clock = Clock.stepped(START)
    with session_scope(engine) as session:
        code = enrol(session, config, name="Ana", district="Centro", now=START, actor="staff:t")
    # Given a resident who writes twice before verifying, then sends her code
    early = [dm(town, 1, "La fuente de la plaza gotea"), dm(town, 2, "¿Y el parque?")]
    checkpoint = Checkpoint(town, PollStream.DMS, "2", START)
    with session_scope(engine) as session:
        store_messages(session, early, checkpoint)
    assert process_all(engine, clock, config, verification_chain()) == 2
    clock.step(timedelta(hours=2))
    with session_scope(engine) as session:
        store_messages(session, [dm(town, 3, code.code)], checkpoint)
    # When the processor runs
    process_all(engine, clock, config, verification_chain())
    # Then every message is processed: the two early ones as hers, after the code
    with Session(engine) as session:
        statuses = session.exec(
            select(InboundMessageRow.platform_id, InboundMessageRow.status).order_by(
                col(InboundMessageRow.id)
            )
        ).all()
        kinds = session.exec(select(OutboxRow.kind).order_by(col(OutboxRow.id))).all()
    assert list(statuses) == [(str(n), MessageStatus.PROCESSED) for n in (1, 2, 3)]
    # And she got one 'how to verify' DM and one confirmation DM, nothing more
    assert list(kinds) == [OutboxKind.DM, OutboxKind.DM]
