"""The scene the residents' tests share: when it happens, who acts, and enrolling someone."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session, col, select

from jun_engine.config.schema import Config
from jun_engine.domain.residents import Admission, AdmissionOutcome, IssuedCode
from jun_engine.pipeline.verify import Verifier
from jun_engine.residents.enrolment import enrol
from jun_engine.store.statuses import MessageStatus
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
    """What the processing stage does with one message: admit it and mark it, then commit."""
    admission = verifier(session, row, config, now)
    if row.status is MessageStatus.NEW:
        waiting = admission.outcome is AdmissionOutcome.WAITING
        row.status = MessageStatus.WAITING_VERIFICATION if waiting else MessageStatus.PROCESSED
    session.add(row)
    session.commit()
    return admission


def outbox(session: Session) -> list[OutboxRow]:
    """Everything queued to go out, in order."""
    return list(session.exec(select(OutboxRow).order_by(col(OutboxRow.id))).all())
