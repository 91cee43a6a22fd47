"""Test support: verified residents, their messages, and the processing chain's first steps.

`run_chain` is the part of the daemon's chain (`pipeline/chain.py`) self-service needs:
verification, then self-service, in one transaction per message; what self-service leaves is
marked processed (the daemon would route it to a case).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from jun_engine import selfservice
from jun_engine.config.schema import Config
from jun_engine.domain.messages import Channel, MessageKind
from jun_engine.domain.residents import Identity
from jun_engine.pipeline.verify import Verifier
from jun_engine.residents.verification import bind
from jun_engine.store.session import session_scope
from jun_engine.store.statuses import MessageStatus, OutboxKind
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


def run_chain(engine: Engine, config: Config, now: datetime) -> dict[int, bool]:
    """Process every NEW message: verification, then self-service; message id -> answered."""
    verifier = Verifier()
    answered: dict[int, bool] = {}
    while True:
        with session_scope(engine) as session:
            statement = (
                select(InboundMessageRow)
                .where(InboundMessageRow.status == MessageStatus.NEW)
                .order_by(col(InboundMessageRow.id))
            )
            row = session.exec(statement).first()
            if row is None:
                return answered
            admission = verifier(session, row, config, now)
            done = admission.proceeds and selfservice.handle(session, row, admission, config, now)
            answered[row.id or 0] = done
            if row.status is MessageStatus.NEW:
                row.status = MessageStatus.PROCESSED
            row.processed_at = now
            session.add(row)


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
        admission = Verifier()(session, row, config, now)
        done = admission.proceeds and selfservice.handle(session, row, admission, config, now)
        row.status, row.processed_at = MessageStatus.PROCESSED, now
        session.add(row)
        return done
