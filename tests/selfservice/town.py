"""Test support: verified residents, their messages, and the processing chain's first steps.

`run_chain` processes stored messages with the production processing stage and the part of the
daemon's chain (`pipeline/chain.py`) self-service needs: its own handlers up to verification,
then self-service; what self-service leaves is marked processed (the daemon would route it to
a case).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from jun_engine.config.schema import Config
from jun_engine.domain.messages import Channel, InboundMessage, MessageKind
from jun_engine.domain.residents import Identity
from jun_engine.domain.statuses import MessageStatus, OutboxKind
from jun_engine.emulator.clock import Clock
from jun_engine.pipeline.chain import Chain, ImplicitMentions, SelfService, Verification
from jun_engine.pipeline.process import process_all, process_claimed
from jun_engine.pipeline.turn import Outcome, Turn
from jun_engine.pipeline.verify import Verifier
from jun_engine.residents.verification import bind
from jun_engine.store.session import session_scope
from jun_engine.store.tables import InboundMessageRow, OutboxRow, ResidentRow, SchoolMenuRow

_ids = itertools.count(1_000_000)


@dataclass(frozen=True, slots=True)
class Person:
    """A verified resident as a test uses them."""

    resident_id: int
    user_id: str


def add_resident(
    session: Session, *, language: str = "es", district: str | None = "Centro", name: str = "Lola"
) -> Person:
    """A resident verified and bound to a fresh X user id."""
    user_id = str(next(_ids) * 7919)
    row = ResidentRow(name=name, district=district, language=language)
    session.add(row)
    session.flush()
    bind(session, row, Identity(Channel.X, user_id), now=datetime(2026, 1, 1, tzinfo=UTC))
    assert row.id is not None
    return Person(row.id, user_id)


def add_message(
    session: Session,
    config: Config,
    person: Person,
    text: str,
    *,
    kind: MessageKind = MessageKind.DM,
    to: str = "town",
    at: datetime,
) -> InboundMessageRow:
    """A stored, NEW message from the resident to one of the town's accounts."""
    account = config.accounts[to].user_id
    row = InboundMessageRow(
        channel=Channel.X,
        kind=kind,
        platform_id=str(next(_ids)),
        account_id=account,
        author_id=person.user_id,
        text=text,
        created_at=at,
        received_at=at,
        mentioned_ids=account if kind is MessageKind.MENTION else "",
    )
    session.add(row)
    session.flush()
    return row


SELF_SERVICE = "self-service"
"""Who settled a message self-service answered (`pipeline.chain.SelfService`)."""


def self_service_chain() -> Chain:
    """The daemon's handlers up to verification, then self-service."""
    return Chain((ImplicitMentions(), Verification(Verifier()), SelfService()))


def run_chain(engine: Engine, config: Config, now: datetime) -> dict[int, bool]:
    """Process every NEW message: verification, then self-service; message id -> answered."""
    chain, answered = self_service_chain(), {}

    def stage(message: InboundMessage, turn: Turn) -> Outcome:
        outcome = chain(message, turn)
        answered[turn.message_id] = outcome.by == SELF_SERVICE
        return outcome

    process_all(engine, Clock.stepped(now), config, stage)
    return answered


def say_and_process(
    engine: Engine, config: Config, person: Person, text: str, now: datetime, **kwargs: object
) -> bool:
    """The resident sends `text`; the chain processes it; whether self-service answered."""
    with session_scope(engine) as session:
        message = add_message(session, config, person, text, at=now, **kwargs)  # type: ignore[arg-type]
        message_id = message.id
    return run_chain(engine, config, now)[message_id or 0]


def outbox(engine: Engine, *, target: str | None = None) -> list[OutboxRow]:
    """What is queued, oldest first, optionally only to one recipient or post."""
    with session_scope(engine) as session:
        statement = select(OutboxRow).order_by(col(OutboxRow.id))
        if target is not None:
            statement = statement.where(OutboxRow.target == target)
        return list(session.exec(statement).all())


def last_dm(engine: Engine, person: Person) -> str:
    """The text of the last DM queued to the resident."""
    dms = [row for row in outbox(engine, target=person.user_id) if row.kind is OutboxKind.DM]
    assert dms, "no DM was queued to the resident"
    return dms[-1].text


def add_menu(session: Session, day: date, dishes: list[str], allergens: str = "") -> None:
    """The school's menu for a day, as the scheduler imports it."""
    session.add(
        SchoolMenuRow(school="ceip_jun", day=day, dishes="\n".join(dishes), allergens=allergens)
    )
    session.flush()


def later(moment: datetime, **delta: float) -> datetime:
    """`moment` plus a timedelta."""
    return moment + timedelta(**delta)


def process_one(engine: Engine, config: Config, message_id: int, now: datetime) -> bool:
    """Process one stored message in its own transaction (as the daemon does); whether
    self-service answered it."""
    with session_scope(engine) as session:
        row = session.get(InboundMessageRow, message_id)
        assert row is not None
        assert row.status is MessageStatus.NEW
        outcome = process_claimed(session, row, config, now, self_service_chain())
        return outcome.by == SELF_SERVICE
