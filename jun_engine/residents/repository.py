"""Reading and writing the residents' register: rows to domain objects, lookups, history lines.

Every function takes the caller's session and never commits (see `store.session.session_scope`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from jun_engine.domain.messages import Channel
from jun_engine.domain.residents import Identity, Resident, ResidentEvent, ResidentEventKind
from jun_engine.domain.statuses import ResidentStatus
from jun_engine.residents.errors import AmbiguousResidentError, ResidentNotFoundError
from jun_engine.store.tables import (
    InboundMessageRow,
    ResidentEventRow,
    ResidentIdentityRow,
    ResidentRow,
    ResidentTopicRow,
)

_CHUNK = 500
"""User ids per `IN (...)` query."""
ENGINE = "engine"
RESIDENT = "resident"
"""Actors of history lines; staff are `staff:<login>`."""


def to_resident(
    row: ResidentRow, topics: Sequence[str], identities: Sequence[Identity] = ()
) -> Resident:
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
        identities=tuple(identities),
        enrolled_at=row.enrolled_at,
        verified_at=row.verified_at,
        revoked_at=row.revoked_at,
        erased_at=row.erased_at,
    )


def load_resident(session: Session, row: ResidentRow) -> Resident:
    """A stored resident with its topics and identities."""
    identities = [to_identity(found) for found in identity_rows(session, row.id or 0)]
    return to_resident(row, topics_of(session, row), identities)


def topics_of(session: Session, row: ResidentRow) -> list[str]:
    """The notice topics a resident opted in to, sorted."""
    statement = select(ResidentTopicRow.topic).where(ResidentTopicRow.resident_id == row.id)
    return sorted(session.exec(statement).all())


def to_identity(row: ResidentIdentityRow) -> Identity:
    """The domain view of a bound account."""
    return Identity(row.channel, row.user_id, row.handle)


# Built once: verification looks an account up for every message (bind `channel`, `user_id`).
_IDENTITY = select(ResidentIdentityRow).where(
    ResidentIdentityRow.channel == sa.bindparam("channel"),
    ResidentIdentityRow.user_id == sa.bindparam("user_id"),
)
_BOUND = (
    select(ResidentRow)
    .join(ResidentIdentityRow, col(ResidentIdentityRow.resident_id) == col(ResidentRow.id))
    .where(
        ResidentIdentityRow.channel == sa.bindparam("channel"),
        ResidentIdentityRow.user_id == sa.bindparam("user_id"),
    )
)


def identity_rows(session: Session, resident_id: int) -> list[ResidentIdentityRow]:
    """The accounts bound to a resident, in channel order."""
    statement = (
        select(ResidentIdentityRow)
        .where(ResidentIdentityRow.resident_id == resident_id)
        .order_by(col(ResidentIdentityRow.channel))
    )
    return list(session.exec(statement).all())


def identity_row(session: Session, account: Identity) -> ResidentIdentityRow | None:
    """The binding of this account (channel and user id; its handle is not compared), if any."""
    params = {"channel": account.channel, "user_id": account.user_id}
    return session.exec(_IDENTITY, params=params).first()


def attach(session: Session, resident_id: int, account: Identity, now: datetime) -> None:
    """Store `account` as the resident's on its channel (the caller has made room for it)."""
    session.add(
        ResidentIdentityRow(
            resident_id=resident_id,
            channel=account.channel,
            user_id=account.user_id,
            handle=account.handle,
            bound_at=now,
        )
    )
    session.flush()


def row_by_id(session: Session, resident_id: int) -> ResidentRow:
    """The resident with this id, or ResidentNotFoundError."""
    row = session.get(ResidentRow, resident_id)
    if row is None:
        raise ResidentNotFoundError(str(resident_id))
    return row


def bound_row(session: Session, account: Identity) -> ResidentRow | None:
    """The resident this account is bound to, whatever their status, if any."""
    params = {"channel": account.channel, "user_id": account.user_id}
    return session.exec(_BOUND, params=params).first()


def verified_row(session: Session, account: Identity) -> ResidentRow | None:
    """The verified resident bound to this account, if any."""
    row = bound_row(session, account)
    return row if row is not None and row.status is ResidentStatus.VERIFIED else None


def find_row(session: Session, reference: str) -> ResidentRow:
    """A resident by id (`12`), account (`x:1234567890`, `line:U4af4...`, or a bare number no
    id has) or handle (`@name`, any case: the handle on the register, else the account that
    last wrote under it). Raises ResidentNotFoundError or AmbiguousResidentError."""
    text = reference.strip()
    if text.startswith("@") and len(text) > 1:
        return _by_handle(session, reference, text[1:])
    account = _account_reference(text)
    if account is not None:
        return _one(session, reference, account.channel, account.user_id)
    if not text.isdigit():
        raise ResidentNotFoundError(reference)
    by_id = session.get(ResidentRow, int(text)) if len(text) <= 9 else None
    by_account = _bound_to_user_id(session, text)
    if by_id is not None and by_account is not None and by_id.id != by_account.id:
        raise AmbiguousResidentError(reference)
    found = by_id or by_account
    if found is None:
        raise ResidentNotFoundError(reference)
    return found


def _account_reference(text: str) -> Identity | None:
    """`<channel>:<user id>` as an account (an X user id is all digits), else None."""
    prefix, colon, user_id = text.partition(":")
    channel = next((c for c in Channel if c.value == prefix.lower()), None)
    if not colon or channel is None or not user_id:
        return None
    if channel is Channel.X and not user_id.isdigit():
        return None
    return Identity(channel, user_id)


def _bound_to_user_id(session: Session, user_id: str) -> ResidentRow | None:
    statement = (
        select(ResidentRow)
        .join(ResidentIdentityRow, col(ResidentIdentityRow.resident_id) == col(ResidentRow.id))
        .where(ResidentIdentityRow.user_id == user_id)
        .order_by(col(ResidentIdentityRow.channel))
    )
    return session.exec(statement).first()


def handle_of(session: Session, account: Identity) -> str | None:
    """The handle last seen for an account (without the @): on the register if it is bound,
    else the one its channel gave with the newest message it wrote; None when never said."""
    bound = identity_row(session, account)
    if bound is not None and bound.handle:
        return bound.handle
    statement = (
        select(InboundMessageRow.author_handle)
        .where(
            InboundMessageRow.channel == account.channel,
            InboundMessageRow.author_id == account.user_id,
            col(InboundMessageRow.author_handle).is_not(None),
        )
        .order_by(col(InboundMessageRow.created_at).desc(), col(InboundMessageRow.id).desc())
        .limit(1)
    )
    return session.exec(statement).first()


def handles_of(session: Session, accounts: Iterable[Identity]) -> dict[Identity, str]:
    """`handle_of` for many accounts, a few queries per 500 per channel (only those with a
    known handle); the keys are the accounts asked about."""
    found: dict[Identity, str] = {}
    by_channel: dict[Channel, list[str]] = {}
    for account in dict.fromkeys(accounts):
        by_channel.setdefault(account.channel, []).append(account.user_id)
    for channel, user_ids in by_channel.items():
        for start in range(0, len(user_ids), _CHUNK):
            chunk = user_ids[start : start + _CHUNK]
            handles = _handles_on(session, channel, chunk)
            found.update((Identity(channel, user), handle) for user, handle in handles.items())
    return found


def _handles_on(session: Session, channel: Channel, user_ids: list[str]) -> dict[str, str]:
    registered = select(ResidentIdentityRow.user_id, ResidentIdentityRow.handle).where(
        ResidentIdentityRow.channel == channel,
        col(ResidentIdentityRow.user_id).in_(user_ids),
        col(ResidentIdentityRow.handle).is_not(None),
    )
    found = {user: handle for user, handle in session.exec(registered) if handle}
    rest = [user for user in user_ids if user not in found]
    if not rest:
        return found
    seen = (
        select(InboundMessageRow.author_id, InboundMessageRow.author_handle)
        .where(
            InboundMessageRow.channel == channel,
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
        .join(ResidentIdentityRow, col(ResidentIdentityRow.resident_id) == col(ResidentRow.id))
        .where(func.lower(ResidentIdentityRow.handle) == wanted)
        .order_by(col(ResidentRow.id).desc())
    )
    row = session.exec(statement).first()
    if row is not None:
        return row
    # Not on the register under that handle (not given at verification, or it changed): the
    # account that most recently wrote under it, if a resident is bound to it.
    authors = (
        select(InboundMessageRow.channel, InboundMessageRow.author_id)
        .where(func.lower(InboundMessageRow.author_handle) == wanted)
        .order_by(col(InboundMessageRow.created_at).desc(), col(InboundMessageRow.id).desc())
        .limit(1)
    )
    author = session.exec(authors).first()
    if author is not None:
        bound = bound_row(session, Identity(Channel(author[0]), author[1]))
        if bound is not None:
            return bound
    raise ResidentNotFoundError(reference)


def _one(session: Session, reference: str, channel: Channel, user_id: str) -> ResidentRow:
    row = bound_row(session, Identity(channel, user_id))
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
    identities: dict[int, list[Identity]] = {}
    for found in session.exec(
        select(ResidentIdentityRow).order_by(col(ResidentIdentityRow.channel))
    ).all():
        identities.setdefault(found.resident_id, []).append(to_identity(found))
    return [
        to_resident(row, topics.get(row.id or 0, []), identities.get(row.id or 0, []))
        for row in rows
    ]


def add_event(
    session: Session,
    resident_id: int,
    kind: ResidentEventKind,
    at: datetime,
    actor: str,
    *,
    account: Identity | None = None,
    detail: str | None = None,
) -> None:
    """Write one line of a resident's history (about `account`, if given)."""
    session.add(
        ResidentEventRow(
            resident_id=resident_id,
            at=at,
            kind=kind.value,
            actor=actor,
            channel=account.channel if account else None,
            user_id=account.user_id if account else None,
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
            identity=Identity(row.channel, row.user_id) if row.channel and row.user_id else None,
            detail=row.detail,
        )
        for row in session.exec(statement).all()
    ]


def accounts_of(session: Session, row: ResidentRow) -> set[Identity]:
    """Every account the resident was ever bound to, the current ones included."""
    statement = select(ResidentEventRow.channel, ResidentEventRow.user_id).where(
        ResidentEventRow.resident_id == row.id, col(ResidentEventRow.user_id).is_not(None)
    )
    found = {
        Identity(Channel(channel), user_id)
        for channel, user_id in session.exec(statement).all()
        if channel and user_id
    }
    found.update(Identity(i.channel, i.user_id) for i in identity_rows(session, row.id or 0))
    return found
