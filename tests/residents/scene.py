"""The scene the residents' tests share: when it happens, who acts, and enrolling someone."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session, col, select

from jun_engine.config.schema import Config
from jun_engine.domain.residents import Admission, IssuedCode
from jun_engine.pipeline.chain import Chain, Verification
from jun_engine.pipeline.process import process_claimed
from jun_engine.pipeline.verify import Verifier
from jun_engine.residents.enrolment import enrol
from jun_engine.store.tables import InboundMessageRow, OutboxRow

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
"""A Monday morning in Jun (10:00 local)."""
STAFF = "staff:test"
MARIA = "1500000000000000001"
"""María's X account (a user id; her handle changes in some tests)."""
INTRUDER = "1500000000000000666"
NEW_ACCOUNT = "1500000000000000002"


def enrolled(
    session: Session, config: Config, name: str = "María Núñez", *, at: datetime = START
) -> IssuedCode:
    """Enrol a resident in Centro and return the code staff hand over."""
    return enrol(session, config, name=name, district="Centro", now=at, actor=STAFF)


def process(
    session: Session, verifier: Verifier, config: Config, row: InboundMessageRow, now: datetime
) -> Admission:
    """The processing stage with verification alone: admit the message and mark it, then commit."""
    admission = admit(session, verifier, config, row, now)
    session.commit()
    return admission


def admit(
    session: Session, verifier: Verifier, config: Config, row: InboundMessageRow, now: datetime
) -> Admission:
    """The processing stage with verification alone, in `session`'s transaction (no commit)."""
    outcome = process_claimed(session, row, config, now, Chain((Verification(verifier),)))
    assert outcome.admission is not None
    return outcome.admission


def outbox(session: Session) -> list[OutboxRow]:
    """Everything queued to go out, in order."""
    return list(session.exec(select(OutboxRow).order_by(col(OutboxRow.id))).all())
