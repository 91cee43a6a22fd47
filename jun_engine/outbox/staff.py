"""What staff do with the outbox by hand: list items, and send failed or abandoned ones again.

Listings never carry a private item's text, only its length.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from jun_engine.domain.statuses import OutboxKind, OutboxStatus
from jun_engine.store.tables import OutboxRow

OUTBOX: sa.Table = OutboxRow.__table__  # type: ignore[attr-defined]
PREVIEW = 60
RETRYABLE = (OutboxStatus.FAILED, OutboxStatus.ABANDONED)


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """One item as staff see it: everything but a private text."""

    id: int
    key: str
    account_id: str
    target: str | None
    """The post replied to, or the DM recipient's user id; None for a new post."""
    kind: OutboxKind
    status: OutboxStatus
    part_no: int
    priority: int
    attempts: int
    length: int
    preview: str | None
    """The start of a public text; None for a private one."""
    created_at: datetime
    not_before: datetime | None
    sent_at: datetime | None
    platform_id: str | None
    failure: str | None
    last_error: str | None


def list_items(
    session: Session,
    statuses: Sequence[OutboxStatus] = (),
    key_prefix: str | None = None,
    limit: int = 50,
) -> list[OutboxEntry]:
    """The newest items first, optionally only some statuses or keys starting with a prefix."""
    statement = select(OutboxRow).order_by(OUTBOX.c.id.desc()).limit(limit)
    if statuses:
        statement = statement.where(OUTBOX.c.status.in_(list(statuses)))
    if key_prefix:
        statement = statement.where(
            OUTBOX.c.idempotency_key.startswith(key_prefix, autoescape=True)
        )
    return [_entry(row) for row in session.exec(statement)]


def retry_items(session: Session, ids: Sequence[int]) -> list[int]:
    """Put failed or abandoned items (and their later parts abandoned with them) back in the
    queue with a fresh count of attempts; returns the ids requeued, in order."""
    requeued: list[int] = []
    for item_id in ids:
        row = session.get(OutboxRow, item_id)
        if row is None or row.status not in RETRYABLE:
            continue
        chain = [item_id, *_later_parts(session, item_id)]
        session.execute(
            sa.update(OUTBOX)
            .where(OUTBOX.c.id.in_(chain))
            .values(
                status=OutboxStatus.PENDING,
                attempts=0,
                not_before=None,
                failure=None,
                last_error=None,
            )
        )
        requeued.extend(chain)
    return requeued


def _later_parts(session: Session, item_id: int) -> list[int]:
    found: list[int] = []
    parents = [item_id]
    while parents:
        statement = sa.select(OUTBOX.c.id).where(
            OUTBOX.c.thread_parent.in_(parents), OUTBOX.c.failure == "earlier_part_failed"
        )
        parents = [row[0] for row in session.execute(statement)]
        found.extend(parents)
    return found


def _entry(row: OutboxRow) -> OutboxEntry:
    assert row.id is not None
    return OutboxEntry(
        id=row.id,
        key=row.idempotency_key,
        account_id=row.account_id,
        target=row.target,
        kind=row.kind,
        status=row.status,
        part_no=row.part_no,
        priority=row.priority,
        attempts=row.attempts,
        length=len(row.text),
        preview=None if row.private else row.text[:PREVIEW],
        created_at=row.created_at,
        not_before=row.not_before,
        sent_at=row.sent_at,
        platform_id=row.platform_id,
        failure=row.failure,
        last_error=row.last_error,
    )
