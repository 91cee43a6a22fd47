"""No emergency is swallowed by an open dialogue, and each resident's messages are handled in the
order they were sent, whatever order X's pages bring them in (issue 19, items 1 and 2).

Every test runs the daemon's own chain (`pipeline.chain.Chain`) and processing stage
(`pipeline.process`) over messages stored as the intake stores them (`store_messages`, pages
newest first, a sweep's progress saved between its pages).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from jun_engine.channels.x.intake.sweep import snowflake_at
from jun_engine.config.schema import Config
from jun_engine.domain.messages import Channel, InboundMessage, MessageKind
from jun_engine.domain.statuses import (
    AppointmentStatus,
    MessageStatus,
    OutboxKind,
    PollStream,
    ResidentStatus,
)
from jun_engine.emulator.clock import Clock
from jun_engine.emulator.testing import TEST_START, emulator_test_config
from jun_engine.pipeline.chain import Chain
from jun_engine.pipeline.process import process_all
from jun_engine.pipeline.turn import Outcome, Turn
from jun_engine.residents.enrolment import enrol
from jun_engine.routing.router import Router
from jun_engine.routing.setup import build_router
from jun_engine.selfservice.texts import say
from jun_engine.store.repository import CHECKPOINTS, Checkpoint, store_messages
from jun_engine.store.session import session_scope
from jun_engine.store.tables import (
    AppointmentRow,
    CaseRow,
    InboundMessageRow,
    OutboxRow,
    ResidentRow,
)
from tests.selfservice.town import Person, add_resident

BOOK = "Hola, quiero cita con el médico"
EMERGENCIES = (
    "Hay un incendio en la nave de la calle Real, sale mucho humo",
    "Mi pareja me ha pegado esta noche y tengo miedo de volver a casa, es violencia",
    "Quiero denunciar que me han robado la cartera en la plaza esta mañana",
    "There is a gas leak in the building next to the school, it smells of gas",
)
"""A fire, gender violence, a police report and an English emergency: each must be a case."""
ORDINARY = "La farola de la calle Mayor lleva tres días apagada y no se ve nada por la noche"


@pytest.fixture(scope="module")
def config() -> Config:
    return emulator_test_config()


@pytest.fixture(scope="module")
def router(config: Config) -> Router:
    return build_router(config, config_dir=Path(__file__).resolve().parents[2])


@dataclass
class Intake:
    """Stores residents' DMs as the intake would, and runs the daemon's chain over them."""

    engine: Engine
    config: Config
    chain: Chain
    clock: Clock
    ids: Iterator[int]

    @property
    def town(self) -> str:
        return self.config.town_account().user_id

    def dm(self, person: Person, text: str, at: datetime, to: str = "town") -> InboundMessage:
        """A DM from the resident, sent at `at`, with an X-like id that grows with time."""
        return InboundMessage(
            channel=Channel.X, kind=MessageKind.DM,
            platform_id=str(snowflake_at(at) + next(self.ids)),
            account_id=self.config.accounts[to].user_id, author_id=person.user_id,
            text=text, created_at=at,
        )  # fmt: skip

    def page(self, *messages: InboundMessage, midway: bool = False) -> None:
        """One page as X serves it (newest first); `midway`: older pages of the sweep follow."""
        newest_first = sorted(messages, key=lambda m: m.created_at, reverse=True)
        checkpoint = Checkpoint(self.town, PollStream.DMS, None, self.clock.now())
        with session_scope(self.engine) as session:
            store_messages(session, newest_first, checkpoint)
            session.execute(
                CHECKPOINTS.update()
                .where(CHECKPOINTS.c.account_id == self.town)
                .values(resume_token="next-page" if midway else None)
            )

    def process(self) -> int:
        return process_all(self.engine, self.clock, self.config, self.chain)


@pytest.fixture
def intake(engine: Engine, config: Config, router: Router) -> Intake:
    return Intake(
        engine, config, Chain.build(config, router), Clock.stepped(TEST_START), itertools.count(1)
    )


def resident(engine: Engine) -> Person:
    with session_scope(engine) as session:
        return add_resident(session)


def case_texts(engine: Engine) -> list[str]:
    """The texts of the messages that opened a case, in the order the cases were opened."""
    with Session(engine) as session:
        statement = (
            select(InboundMessageRow.text)
            .join(CaseRow, col(CaseRow.message_id) == col(InboundMessageRow.id))
            .order_by(col(CaseRow.id))
        )
        return list(session.exec(statement).all())


def dms_to(engine: Engine, person: Person) -> list[str]:
    with Session(engine) as session:
        statement = (
            select(OutboxRow.text)
            .where(OutboxRow.target == person.user_id, OutboxRow.kind == OutboxKind.DM)
            .order_by(col(OutboxRow.id))
        )
        return list(session.exec(statement).all())


def booked(engine: Engine) -> int:
    with Session(engine) as session:
        rows = session.exec(
            select(AppointmentRow).where(AppointmentRow.status == AppointmentStatus.BOOKED)
        ).all()
        return len(rows)


NOT_UNDERSTOOD_START = say("not_understood", "es", count=3)[:20]


# --- 1. an open booking dialogue never swallows an emergency ------------------------------------


@pytest.mark.parametrize("text", EMERGENCIES)
def test_an_emergency_during_a_booking_dialogue_becomes_a_case(intake: Intake, text: str) -> None:
    # Given a resident who asked for an appointment and was offered slots
    lola = resident(intake.engine)
    intake.page(intake.dm(lola, BOOK, TEST_START))
    intake.process()
    # When, before picking one, she DMs an emergency
    intake.page(intake.dm(lola, text, TEST_START + timedelta(minutes=5)))
    intake.process()
    # Then it is a case, and she is never told "I did not understand"
    assert case_texts(intake.engine) == [text]
    assert not any(dm.startswith(NOT_UNDERSTOOD_START) for dm in dms_to(intake.engine, lola))


def test_the_dialogue_survives_the_emergency_and_the_pick_still_books(intake: Intake) -> None:
    lola = resident(intake.engine)
    intake.page(intake.dm(lola, BOOK, TEST_START))
    intake.page(intake.dm(lola, EMERGENCIES[0], TEST_START + timedelta(minutes=1)))
    intake.page(intake.dm(lola, "la segunda", TEST_START + timedelta(minutes=2)))
    intake.process()
    assert case_texts(intake.engine) == [EMERGENCIES[0]]
    assert booked(intake.engine) == 1


def test_a_clearly_new_request_during_a_dialogue_becomes_a_case(intake: Intake) -> None:
    lola = resident(intake.engine)
    intake.page(intake.dm(lola, BOOK, TEST_START))
    intake.page(intake.dm(lola, ORDINARY, TEST_START + timedelta(minutes=1)))
    intake.process()
    assert case_texts(intake.engine) == [ORDINARY]
    assert not any(dm.startswith(NOT_UNDERSTOOD_START) for dm in dms_to(intake.engine, lola))


def test_a_number_inside_a_new_request_is_not_a_pick(intake: Intake) -> None:
    lola = resident(intake.engine)
    tip = "Hay 2 chavales rompiendo las farolas del parque de la calle Real ahora mismo"
    intake.page(intake.dm(lola, BOOK, TEST_START))
    intake.page(intake.dm(lola, tip, TEST_START + timedelta(minutes=1)))
    intake.process()
    assert booked(intake.engine) == 0
    assert case_texts(intake.engine) == [tip]


def test_a_dm_to_another_account_is_not_an_answer_to_the_dialogue(intake: Intake) -> None:
    # The dialogue is with the town account; "2" sent to the police account is not a pick there.
    lola = resident(intake.engine)
    intake.page(intake.dm(lola, BOOK, TEST_START))
    intake.process()
    account = intake.config.departments["police"].account  # its own account, with DMs
    intake.page(intake.dm(lola, "2", TEST_START + timedelta(minutes=1), to=account))
    intake.process()
    assert booked(intake.engine) == 0
    intake.page(intake.dm(lola, "2", TEST_START + timedelta(minutes=2)))
    intake.process()
    assert booked(intake.engine) == 1


def test_a_short_unclear_answer_still_gets_asked_again(intake: Intake) -> None:
    lola = resident(intake.engine)
    intake.page(intake.dm(lola, BOOK, TEST_START))
    intake.page(intake.dm(lola, "mmm ¿cuál?", TEST_START + timedelta(minutes=1)))
    intake.process()
    assert case_texts(intake.engine) == []
    assert dms_to(intake.engine, lola)[-1].startswith(NOT_UNDERSTOOD_START)


# --- 2. messages are handled in the order they were sent ----------------------------------------


def test_a_booking_and_its_pick_in_one_page_book_the_slot(intake: Intake) -> None:
    # "quiero cita" then "2" three seconds later arrive in one page, newest first.
    lola = resident(intake.engine)
    intake.page(
        intake.dm(lola, BOOK, TEST_START), intake.dm(lola, "2", TEST_START + timedelta(seconds=3))
    )
    intake.process()
    assert booked(intake.engine) == 1
    assert case_texts(intake.engine) == []


def test_messages_of_an_unfinished_sweep_wait_for_its_older_pages(intake: Intake) -> None:
    # The sweep's newest page ("2") is stored; its older page ("quiero cita") is not yet.
    lola = resident(intake.engine)
    intake.page(intake.dm(lola, "2", TEST_START + timedelta(seconds=3)), midway=True)
    assert intake.process() == 0
    intake.page(intake.dm(lola, BOOK, TEST_START))
    assert intake.process() == 2
    assert booked(intake.engine) == 1
    assert case_texts(intake.engine) == []


def test_wrong_codes_then_the_right_one_in_one_page_verify_and_open_no_case(
    intake: Intake,
) -> None:
    # Three wrong codes, then the right one, read in one page newest first.
    with session_scope(intake.engine) as session:
        issued = enrol(session, intake.config, name="Ana Ruiz", district="Centro",
                       now=TEST_START, actor="staff:test")  # fmt: skip
    ana = Person(issued.resident_id, "1600000000000000001")
    wrong = ("AB2C-DE3F", "GH4J-KL5M", "NP6Q-RS7T")  # code-shaped, not issued
    texts = [*wrong, issued.code]
    intake.page(
        *(intake.dm(ana, text, TEST_START + timedelta(seconds=n)) for n, text in enumerate(texts))
    )
    intake.process()
    with Session(intake.engine) as session:
        row = session.get(ResidentRow, issued.resident_id)
        assert row is not None
        assert row.status is ResidentStatus.VERIFIED
    assert case_texts(intake.engine) == []


# --- properties over interleavings ---------------------------------------------------------------

STEPS = st.sampled_from(("book", "pick", "emergency", "ordinary", "unclear", "code"))
TEXTS = {
    "book": BOOK,
    "pick": "2",
    "emergency": EMERGENCIES[0],
    "ordinary": ORDINARY,
    "unclear": "mmm",
}
EXAMPLE_IDS = itertools.count(1)
"""Message ids unique across hypothesis' examples, which share one database."""
NEWCOMER = 3
"""The fourth sender: enrolled at the town hall, not verified until they DM their code."""


@dataclass(frozen=True, repr=False)
class Town:
    """The database, configuration and router the examples share (short in hypothesis' report)."""

    engine: Engine
    config: Config
    router: Router


@pytest.fixture
def town(engine: Engine, config: Config, router: Router) -> Town:
    return Town(engine, config, router)


@dataclass(frozen=True)
class Sent:
    who: int
    step: str
    message: InboundMessage


def _newcomer(engine: Engine, config: Config, user_id: str) -> tuple[Person, str]:
    with session_scope(engine) as session:
        issued = enrol(session, config, name="Nuevo Vecino", district="Centro", now=TEST_START,
                       actor="staff:test")  # fmt: skip
    return Person(issued.resident_id, user_id), issued.code


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(st.tuples(st.integers(0, NEWCOMER), STEPS), min_size=1, max_size=14),
    page_size=st.integers(1, 5),
)
def test_interleavings_never_swallow_an_emergency_and_keep_each_residents_order(
    town: Town, steps: list[tuple[int, str]], page_size: int
) -> None:
    engine, config, router = town.engine, town.config, town.router
    # Given three verified residents and a newcomer with a code, all new to this example
    people = [resident(engine) for _ in range(NEWCOMER)]
    newcomer, code = _newcomer(engine, config, str(10**18 + people[0].resident_id))
    people.append(newcomer)
    chain, seen = Chain.build(config, router), []

    def recording(message: InboundMessage, turn: Turn) -> Outcome:
        seen.append(message.platform_id)
        return chain(message, turn)

    intake = Intake(engine, config, chain, Clock.stepped(TEST_START), EXAMPLE_IDS)
    sent = [
        Sent(who, step, intake.dm(people[who], code if step == "code" else TEXTS[step],
                                  TEST_START + timedelta(seconds=n)))
        for n, (who, step) in enumerate(steps)
    ]  # fmt: skip
    # When one sweep reads them, its pages newest first, the processing running between pages
    pages = [sent[i : i + page_size] for i in range(0, len(sent), page_size)][::-1]
    for number, page in enumerate(pages):
        intake.page(*(s.message for s in page), midway=number < len(pages) - 1)
        process_all(engine, intake.clock, config, recording)
    # Then every verified resident's messages were handled once each, in the order sent
    rows = _rows(engine, [s.message.platform_id for s in sent])
    for who in range(NEWCOMER):
        mine = [s.message.platform_id for s in sent if s.who == who]
        assert [pid for pid in seen if pid in mine] == mine
        assert all(rows[pid].status is MessageStatus.PROCESSED for pid in mine)
    # And every emergency, from anyone, verified or not, in a dialogue or not, is a case
    emergencies = {rows[s.message.platform_id].id for s in sent if s.step == "emergency"}
    assert emergencies <= _case_message_ids(engine)


def _rows(engine: Engine, platform_ids: list[str]) -> dict[str, InboundMessageRow]:
    with Session(engine) as session:
        statement = select(InboundMessageRow).where(
            col(InboundMessageRow.platform_id).in_(platform_ids)
        )
        return {row.platform_id: row for row in session.exec(statement).all()}


def _case_message_ids(engine: Engine) -> set[int | None]:
    with Session(engine) as session:
        return {row.message_id for row in session.exec(select(CaseRow)).all()}
