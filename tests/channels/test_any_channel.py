"""The engine's core serves any channel: one that exists only in these tests (`memory.py`, an
in-memory channel whose intake pushes messages into the store and whose delivery keeps what it
sent) carries a resident from a first message through verification, a case, its acknowledgement,
a staff reply and the satisfaction survey, with the production chain, desk and outbox sender.

It stands as `Channel.LINE` (`Channel` is a closed enum stored as an SQL enum) with its own
delivery, so the core uses LINE's registered addressing: every answer is a private reply to the
resident's message, in their 1:1 chat, from the account they wrote to.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from jun_engine.cases import actions
from jun_engine.config.schema import Config
from jun_engine.domain.messages import Channel
from jun_engine.domain.residents import Identity
from jun_engine.domain.statuses import CaseStatus, MessageStatus, OutboxKind, OutboxStatus
from jun_engine.emulator.clock import Clock
from jun_engine.emulator.testing import emulator_test_config
from jun_engine.outbox.sender import OutboxSender
from jun_engine.pipeline.chain import Chain
from jun_engine.pipeline.process import process_all
from jun_engine.residents.enrolment import enrol
from jun_engine.residents.repository import verified_row
from jun_engine.routing.router import Router
from jun_engine.routing.setup import build_router
from jun_engine.store.session import session_scope
from jun_engine.store.tables import CaseRow, InboundMessageRow, OutboxRow
from tests.cases.conftest import MONDAY
from tests.channels.memory import TOWN, MemoryChannel

LOLA = "U4af4980629"
"""The resident's user id on the memory channel."""
REQUEST = "La farola de la calle Mayor 12 lleva tres días apagada, está todo a oscuras"
STAFF_ANSWER = "Mañana por la mañana pasa la brigada de alumbrado a cambiarla"


@pytest.fixture(scope="module")
def config() -> Config:
    return emulator_test_config()


@pytest.fixture(scope="module")
def router(config: Config) -> Router:
    return build_router(config, config_dir=Path(__file__).resolve().parents[2])


class Town:
    """The production engine around the memory channel, turned by hand on a stepped clock."""

    def __init__(self, engine: Engine, config: Config, router: Router) -> None:
        self.engine, self.config = engine, config
        self.clock = Clock.stepped(MONDAY)
        self.channel = MemoryChannel(engine, self.clock)
        self.chain = Chain.build(config, router)
        self.sender = OutboxSender(engine, {Channel.LINE: self.channel}, self.clock)

    def turn(self) -> int:
        """Process what came in and send what is due; how many items were sent."""
        self.clock.step(timedelta(minutes=1))
        process_all(self.engine, self.clock, self.config, self.chain)
        return self.sender.drain_once()

    def case(self, session: Session) -> CaseRow:
        return session.exec(select(CaseRow)).one()


def test_a_channel_of_the_tests_serves_a_resident_end_to_end(
    engine: Engine, config: Config, router: Router
) -> None:
    town = Town(engine, config, router)
    # Given a resident enrolled at the town hall desk, with a one-time code
    with session_scope(engine) as session:
        issued = enrol(
            session, config, name="Lola García", district="Centro", now=MONDAY, actor="desk"
        )

    # When she sends the code privately on the memory channel
    town.channel.write(LOLA, issued.code)
    town.turn()
    # Then her identity on that channel is verified, and she is told so there
    with Session(engine) as session:
        resident = verified_row(session, Identity(Channel.LINE, LOLA))
        assert resident is not None
        assert resident.id == issued.resident_id
    (confirmation,) = town.channel.received(LOLA)
    assert (confirmation.channel, confirmation.account_id) == (Channel.LINE, TOWN)

    # When she writes a request
    town.channel.write(LOLA, REQUEST)
    town.turn()
    # Then it is one case, acknowledged once, on her channel, from the account she wrote to
    with Session(engine) as session:
        case = town.case(session)
        assert (case.channel, case.status) == (Channel.LINE, CaseStatus.ACKNOWLEDGED)
        assert case.resident_id == issued.resident_id
    about = [item for item in town.channel.received(LOLA) if case.reference in item.text]
    acks = [item for item in about if item.key == f"case:{case.reference}:ack"]
    assert len(acks) == 1
    assert (acks[0].kind, acks[0].account_id, acks[0].private) == (OutboxKind.REPLY, TOWN, True)
    # And, a streetlight needing a photo and a pin, she is asked for them with buttons under it
    (ask,) = [item for item in about if item.choices]
    assert ask.key == acks[0].key
    assert [choice.ask for choice in ask.choices] == ["location", "camera", "photo"]

    # When staff answer from the web desk, then resolve the case
    with session_scope(engine) as session:
        actions.answer(
            session,
            town.case(session),
            STAFF_ANSWER,
            actor="web:ana",
            config=config,
            now=town.clock.now(),
        )
    town.turn()
    with session_scope(engine) as session:
        actions.resolve(
            session, town.case(session), actor="web:ana", config=config, now=town.clock.now()
        )
    town.turn()
    # Then the answer and the survey reached her on the memory channel
    texts = [item.text for item in town.channel.received(LOLA)]
    assert any(STAFF_ANSWER in text for text in texts)
    assert any("1 (mal) al 5" in text and case.reference in text for text in texts)

    # When she rates the case there
    town.channel.write(LOLA, "5")
    town.turn()
    # Then the rating is on the case, which closes, and she is thanked
    with Session(engine) as session:
        case = town.case(session)
        assert (case.satisfaction, case.status) == (5, CaseStatus.CLOSED)

    # And nothing was processed or sent twice, nothing is left for her, nothing went public
    assert town.turn() == 0
    with Session(engine) as session:
        statuses = [m.status for m in session.exec(select(InboundMessageRow)).all()]
        rows = session.exec(select(OutboxRow)).all()
    assert MessageStatus.NEW not in statuses
    keys = [item.key for _, item in town.channel.sent]
    # confirmed, ack (with the ask for a photo and a pin), answer, resolved, survey, thanks
    assert len(keys) == len(set(keys)) == 6
    assert all(item.kind is OutboxKind.REPLY and item.private for _, item in town.channel.sent)
    assert all(item.account_id == TOWN for _, item in town.channel.sent)
    on_line = [row for row in rows if row.channel is Channel.LINE]
    assert Counter(row.status for row in on_line) == Counter({OutboxStatus.SENT: 6})
    # And the department reads the private case on the desk and in its digest: no DM on X
    assert [row for row in rows if row.channel is Channel.X] == []
