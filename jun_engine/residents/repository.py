"""Reading and writing the residents' register: rows to domain objects, lookups, history lines.

Every function takes the caller's session and never commits (see `store.session.session_scope`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from jun_engine.domain.residents import Resident, ResidentEvent, ResidentEventKind
from jun_engine.residents.errors import AmbiguousResidentError, ResidentNotFoundError
from jun_engine.store.statuses import ResidentStatus
from jun_engine.store.tables import (
    InboundMessageRow,
    ResidentEventRow,
    ResidentRow,
    ResidentTopicRow,
)

_CHUNK = 500
"""User ids per `IN (...)` query."""
ENGINE = "engine"
RESIDENT = "resident"
"""Actors of history lines; staff are `staff:<login>`."""


def to_resident(row: ResidentRow, topics: Sequence[str]) -> Resident:
    """The domain view of a stored resident."""
    if row.id is None:  # pragma: no cover - rows come from the database
        raise ValueError("resident row has no id yet: flush it first")
    return Resident(
        id=row.id,
        status=row.status,
        name=row.name,
        district=row.district,
        birth_year=row.birth_year,
        language=row.language,
        topics=tuple(topics),
        x_user_id=row.x_user_id,
        x_handle=row.x_handle,
        enrolled_at=row.enrolled_at,
        verified_at=row.verified_at,
        revoked_at=row.revoked_at,
        erased_at=row.erased_at,
    )


def load_resident(session: Session, row: ResidentRow) -> Resident:
    """A stored resident with its topics."""
    return to_resident(row, topics_of(session, row))


def topics_of(session: Session, row: ResidentRow) -> list[str]:
    """The notice topics a resident opted in to, sorted."""
    statement = select(ResidentTopicRow.topic).where(ResidentTopicRow.resident_id == row.id)
    return sorted(session.exec(statement).all())


def row_by_id(session: Session, resident_id: int) -> ResidentRow:
    """The resident with this id, or ResidentNotFoundError."""
    row = session.get(ResidentRow, resident_id)
    if row is None:
        raise ResidentNotFoundError(str(resident_id))
    return row


def verified_row(session: Session, x_user_id: str) -> ResidentRow | None:
    """The verified resident bound to this X account, if any."""
    statement = select(ResidentRow).where(
        ResidentRow.x_user_id == x_user_id, ResidentRow.status == ResidentStatus.VERIFIED
    )
    return session.exec(statement).first()


def find_row(session: Session, reference: str) -> ResidentRow:
    """A resident by id (`12`), X user id (`x:1234567890`, or a bare number no id has) or
    handle (`@name`, any case: the handle on the register, else the account that last wrote
    under it). Raises ResidentNotFoundError or AmbiguousResidentError."""
    text = reference.strip()
    if text.startswith("@") and len(text) > 1:
        return _by_handle(session, reference, text[1:])
    if text.lower().startswith("x:") and text[2:].isdigit():
        return _one(session, reference, col(ResidentRow.x_user_id) == text[2:])
    if not text.isdigit():
        raise ResidentNotFoundError(reference)
    by_id = session.get(ResidentRow, int(text)) if len(text) <= 9 else None
    statement = select(ResidentRow).where(ResidentRow.x_user_id == text)
    by_account = session.exec(statement).first()
    if by_id is not None and by_account is not None and by_id.id != by_account.id:
        raise AmbiguousResidentError(reference)
    found = by_id or by_account
    if found is None:
        raise ResidentNotFoundError(reference)
    return found


def handle_of(session: Session, x_user_id: str) -> str | None:
    """The handle last seen for an X account (without the @): its resident's on the register,
    else the one X gave with the newest message it wrote; None when X never said."""
    resident = session.exec(select(ResidentRow).where(ResidentRow.x_user_id == x_user_id)).first()
    if resident is not None and resident.x_handle:
        return resident.x_handle
    statement = (
        select(InboundMessageRow.author_handle)
        .where(
            InboundMessageRow.author_id == x_user_id,
            col(InboundMessageRow.author_handle).is_not(None),
        )
        .order_by(col(InboundMessageRow.created_at).desc(), col(InboundMessageRow.id).desc())
        .limit(1)
    )
    return session.exec(statement).first()


def handles_of(session: Session, x_user_ids: Iterable[str]) -> dict[str, str]:
    """`handle_of` for many accounts, a few queries per 500 (only those with a known handle)."""
    wanted = list(dict.fromkeys(x_user_ids))
    found: dict[str, str] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        registered = select(ResidentRow.x_user_id, ResidentRow.x_handle).where(
            col(ResidentRow.x_user_id).in_(chunk), col(ResidentRow.x_handle).is_not(None)
        )
        found.update((user, handle) for user, handle in session.exec(registered) if user and handle)
        rest = [user for user in chunk if user not in found]
        if not rest:
            continue
        seen = (
            select(InboundMessageRow.author_id, InboundMessageRow.author_handle)
            .where(
                col(InboundMessageRow.author_id).in_(rest),
                col(InboundMessageRow.author_handle).is_not(None),
            )
            .order_by(col(InboundMessageRow.created_at), col(InboundMessageRow.id))
        )
        for user, handle in session.exec(seen):
            if handle:
                found[user] = handle  # oldest first: the newest wins
    return found


def _by_handle(session: Session, reference: str, handle: str) -> ResidentRow:
    wanted = handle.lower()
    statement = (
        select(ResidentRow)
        .where(func.lower(ResidentRow.x_handle) == wanted)
        .order_by(col(ResidentRow.id).desc())
    )
    row = session.exec(statement).first()
    if row is not None:
        return row
    # Not on the register under that handle (X did not say it at verification, or it changed):
    # the account that most recently wrote under it, if a resident is bound to it.
    authors = (
        select(InboundMessageRow.author_id)
        .where(func.lower(InboundMessageRow.author_handle) == wanted)
        .order_by(col(InboundMessageRow.created_at).desc(), col(InboundMessageRow.id).desc())
        .limit(1)
    )
    author = session.exec(authors).first()
    if author is not None:
        bound = session.exec(select(ResidentRow).where(ResidentRow.x_user_id == author)).first()
        if bound is not None:
            return bound
    raise ResidentNotFoundError(reference)


def _one(session: Session, reference: str, condition: sa.ColumnElement[bool]) -> ResidentRow:
    statement = select(ResidentRow).where(condition).order_by(col(ResidentRow.id).desc())
    row = session.exec(statement).first()
    if row is None:
        raise ResidentNotFoundError(reference)
    return row


def list_residents(
    session: Session, *, status: ResidentStatus | None = None, district: str | None = None
) -> list[Resident]:
    """Residents in id order, optionally only those with a status or in a district."""
    statement = select(ResidentRow).order_by(col(ResidentRow.id))
    if status is not None:
        statement = statement.where(ResidentRow.status == status)
    if district is not None:
        statement = statement.where(ResidentRow.district == district)
    rows = session.exec(statement).all()
    topics: dict[int, list[str]] = {}
    for resident_id, topic in session.exec(
        select(ResidentTopicRow.resident_id, ResidentTopicRow.topic).order_by(
            col(ResidentTopicRow.topic)
        )
    ).all():
        topics.setdefault(resident_id, []).append(topic)
    return [to_resident(row, topics.get(row.id or 0, [])) for row in rows]


def add_event(
    session: Session,
    resident_id: int,
    kind: ResidentEventKind,
    at: datetime,
    actor: str,
    *,
    x_user_id: str | None = None,
    detail: str | None = None,
) -> None:
    """Write one line of a resident's history."""
    session.add(
        ResidentEventRow(
            resident_id=resident_id,
            at=at,
            kind=kind.value,
            actor=actor,
            x_user_id=x_user_id,
            detail=detail,
        )
    )


def history(session: Session, resident_id: int) -> list[ResidentEvent]:
    """A resident's history, oldest first."""
    statement = (
        select(ResidentEventRow)
        .where(ResidentEventRow.resident_id == resident_id)
        .order_by(col(ResidentEventRow.at), col(ResidentEventRow.id))
    )
    return [
        ResidentEvent(
            at=row.at,
            kind=ResidentEventKind(row.kind),
            actor=row.actor,
            x_user_id=row.x_user_id,
            detail=row.detail,
        )
        for row in session.exec(statement).all()
    ]


def accounts_of(session: Session, row: ResidentRow) -> set[str]:
    """Every X user id the resident was ever bound to, the current one included."""
    statement = select(ResidentEventRow.x_user_id).where(
        ResidentEventRow.resident_id == row.id, col(ResidentEventRow.x_user_id).is_not(None)
    )
    found = {account for account in session.exec(statement).all() if account}
    if row.x_user_id:
        found.add(row.x_user_id)
    return found
