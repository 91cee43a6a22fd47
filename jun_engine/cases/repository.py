"""Reading and writing cases in the caller's transaction: references, history, moves, lookups.

Nothing here commits. `move` is the only writer of a case's status: it checks the status
machine, stamps the matching timestamp and writes the history line in one go.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from jun_engine.cases.errors import CaseNotFoundError
from jun_engine.domain.cases import (
    OPEN_STATUSES,
    CaseEvent,
    CaseSummary,
    check_move,
    format_reference,
    sequence_scope,
)
from jun_engine.domain.messages import InboundMessage, MessageKind
from jun_engine.domain.statuses import CaseStatus
from jun_engine.store.repository import insert_statement, message_from_row
from jun_engine.store.tables import CaseEventRow, CaseRow, CaseSequenceRow, InboundMessageRow

SEQUENCES: sa.Table = CaseSequenceRow.__table__  # type: ignore[attr-defined]
CASES: sa.Table = CaseRow.__table__  # type: ignore[attr-defined]
EVENTS: sa.Table = CaseEventRow.__table__  # type: ignore[attr-defined]
_ADD_EVENT = sa.insert(EVENTS)
ENGINE = "engine"
"""The actor of what the engine does on its own."""

_STAMPS = {
    CaseStatus.ACKNOWLEDGED: "acknowledged_at",
    CaseStatus.RESOLVED: "resolved_at",
    CaseStatus.CLOSED: "closed_at",
    CaseStatus.MERGED: "closed_at",
}


def next_reference(session: Session, prefix: str, year: int) -> str:
    """The next free reference of `prefix` and `year`: the counter row is created at 1 or
    incremented, in one statement of the caller's transaction (row-locked on PostgreSQL, one
    writer on SQLite)."""
    scope = sequence_scope(prefix, year)
    bump = (
        insert_statement(session, SEQUENCES)
        .values(scope=scope, last=1)
        .on_conflict_do_update(
            index_elements=[SEQUENCES.c.scope], set_={"last": SEQUENCES.c.last + 1}
        )
        .returning(SEQUENCES.c.last)
    )
    number = int(session.execute(bump).scalar_one())
    return format_reference(prefix, year, number)


def add_event(
    session: Session,
    case: CaseRow,
    kind: str,
    *,
    actor: str,
    at: datetime,
    detail: str | None = None,
    ref: str | None = None,
    from_status: CaseStatus | None = None,
    to_status: CaseStatus | None = None,
) -> None:
    """Append one line to the case's history (written at once: nothing reads it back as an
    object, and the unit of work's bookkeeping cost more than the row)."""
    assert case.id is not None
    values = {
        "case_id": case.id,
        "at": at,
        "kind": kind,
        "actor": actor[:64],
        "detail": detail,
        "ref": ref,
        "from_status": from_status,
        "to_status": to_status,
    }
    session.connection().execute(_ADD_EVENT, values)


def move(
    session: Session,
    case: CaseRow,
    status: CaseStatus,
    *,
    kind: str,
    actor: str,
    at: datetime,
    detail: str | None = None,
    ref: str | None = None,
) -> None:
    """Change the case's status along the machine, stamp its time and record why."""
    check_move(case.status, status)
    previous = case.status
    case.status = status
    stamp = _STAMPS.get(status)
    if stamp is not None and getattr(case, stamp) is None:
        setattr(case, stamp, at)
    session.add(case)
    add_event(
        session,
        case,
        kind,
        actor=actor,
        at=at,
        detail=detail,
        ref=ref,
        from_status=previous,
        to_status=status,
    )


def by_reference(session: Session, reference: str) -> CaseRow:
    """The case with this reference, or CaseNotFoundError."""
    row = session.exec(select(CaseRow).where(CaseRow.reference == reference.upper())).first()
    if row is None:
        raise CaseNotFoundError(reference)
    return row


def message_of(session: Session, case: CaseRow) -> InboundMessageRow | None:
    """The message that opened the case."""
    return None if case.message_id is None else session.get(InboundMessageRow, case.message_id)


def opening_message(session: Session, case: CaseRow) -> InboundMessage | None:
    """The message that opened the case, as the domain message the stages read."""
    row = message_of(session, case)
    return None if row is None else message_from_row(row)


def case_of_message(session: Session, message_id: int) -> CaseRow | None:
    """The case a message opened, if any."""
    return session.exec(_CASE_OF_MESSAGE, params={"message_id": message_id}).first()


_CASE_OF_MESSAGE = select(CaseRow).where(CaseRow.message_id == sa.bindparam("message_id"))
"""Built once: case opening asks it for every message."""


def private_texts(session: Session, case: CaseRow) -> list[str]:
    """What of this case must never appear in public: its message when it was a DM or the case
    is private, and every staff note."""
    texts: list[str] = []
    message = message_of(session, case)
    if message is not None and (message.kind is MessageKind.DM or case.privacy == "private"):
        texts.append(message.text)
    notes = select(CaseEventRow.detail).where(
        CaseEventRow.case_id == case.id, CaseEventRow.kind == "note"
    )
    texts.extend(text for text in session.exec(notes) if text)
    return texts


def has_event(session: Session, case_id: int, kind: str, ref: str | None = None) -> bool:
    """Whether the case's history has an event of `kind` (with `ref`, when given)."""
    statement = select(CaseEventRow.id).where(
        CaseEventRow.case_id == case_id, CaseEventRow.kind == kind
    )
    if ref is not None:
        statement = statement.where(CaseEventRow.ref == ref)
    return session.exec(statement.limit(1)).first() is not None


def history(session: Session, case_id: int) -> list[CaseEvent]:
    """The case's history, oldest first."""
    statement = (
        select(CaseEventRow)
        .where(CaseEventRow.case_id == case_id)
        .order_by(CaseEventRow.at, CaseEventRow.id)  # type: ignore[arg-type]
    )
    return [
        CaseEvent(e.at, e.kind, e.actor, e.from_status, e.to_status, e.detail)
        for e in session.exec(statement)
    ]


@dataclass(frozen=True, slots=True)
class CaseFilter:
    """What `cases list` narrows to; every field optional."""

    department: str | None = None
    status: CaseStatus | None = None
    open_only: bool = False
    overdue_at: datetime | None = None
    """Only cases past a due time at this moment."""
    resident_id: int | None = None
    author_id: str | None = None
    limit: int = 200


def list_cases(session: Session, wanted: CaseFilter) -> list[CaseSummary]:
    """Cases matching `wanted`, newest first."""
    statement = select(CaseRow)
    if wanted.department:
        statement = statement.where(CaseRow.department == wanted.department)
    if wanted.status is not None:
        statement = statement.where(CaseRow.status == wanted.status)
    if wanted.open_only or wanted.overdue_at is not None:
        statement = statement.where(CaseRow.status.in_(sorted(OPEN_STATUSES)))  # type: ignore[attr-defined]
    if wanted.resident_id is not None:
        statement = statement.where(CaseRow.resident_id == wanted.resident_id)
    if wanted.author_id is not None:
        statement = statement.where(CaseRow.author_id == wanted.author_id)
    statement = statement.order_by(CaseRow.opened_at.desc(), CaseRow.id.desc())  # type: ignore[attr-defined, union-attr]
    summaries = [summary(session, row) for row in session.exec(statement)]
    if wanted.overdue_at is not None:
        moment = wanted.overdue_at
        summaries = [s for s in summaries if s.overdue_at(moment) is not None]
    return summaries[: wanted.limit]


def summary(session: Session, row: CaseRow) -> CaseSummary:
    """The staff view of one case."""
    assert row.id is not None
    message = message_of(session, row)
    merged = session.get(CaseRow, row.merged_into_id) if row.merged_into_id else None
    return CaseSummary(
        id=row.id,
        reference=row.reference,
        department=row.department,
        category=row.category,
        intent=row.intent,
        urgency=row.urgency,
        channel=row.channel.value,
        kind=message.kind.value if message is not None else None,
        privacy=row.privacy.value,
        status=row.status,
        language=row.language,
        resident_id=row.resident_id,
        author_id=row.author_id,
        opened_at=row.opened_at,
        acknowledged_at=row.acknowledged_at,
        first_response_at=row.first_response_at,
        resolved_at=row.resolved_at,
        closed_at=row.closed_at,
        first_response_due=row.first_response_due,
        resolution_due=row.resolution_due,
        satisfaction=row.satisfaction,
        external_body=row.external_body,
        merged_into=merged.reference if merged else None,
        escalated_at=row.escalated_at,
    )


def open_cases(session: Session, department: str | None = None) -> Sequence[CaseRow]:
    """Every case still waiting on the town (of one department, when given), oldest first."""
    statement = select(CaseRow).where(CaseRow.status.in_(sorted(OPEN_STATUSES)))  # type: ignore[attr-defined]
    if department is not None:
        statement = statement.where(CaseRow.department == department)
    return session.exec(statement.order_by(CaseRow.opened_at, CaseRow.id)).all()  # type: ignore[arg-type]
