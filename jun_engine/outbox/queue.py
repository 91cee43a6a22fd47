"""The outbox table's transitions: find the next due item, claim it, and record how it ended.

    pending -> sending -> sent
                       -> pending      (nothing landed: rate limit, connection refused)
                       -> sending      (uncertain: looked for before any new attempt)
                       -> failed       (refused for good: reply not allowed, not found...)
                       -> abandoned    (too many attempts, duplicate of another post)

Every function takes the caller's session and never commits. A claim writes the attempt row in
the same transaction as the `sending` status, and the sender commits it BEFORE calling the channel.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from jun_engine.channels.ports import Bucket, OutboxItem
from jun_engine.domain.choices import choices_from_json
from jun_engine.domain.messages import Channel
from jun_engine.domain.statuses import OutboxKind, OutboxStatus
from jun_engine.store.tables import OutboxAttemptRow, OutboxRow

OUTBOX: sa.Table = OutboxRow.__table__  # type: ignore[attr-defined]
ATTEMPTS: sa.Table = OutboxAttemptRow.__table__  # type: ignore[attr-defined]


Senders = Mapping[Channel, Collection[str]]
"""The channel accounts a sender sends from, by channel."""


_ITEM_FIELDS = (
    "id",
    "idempotency_key",
    "channel",
    "account_id",
    "kind",
    "target",
    "text",
    "private",
    "attempts",
    "part_no",
    "expires_at",
    "choices",
    "priority",
)
"""The columns an `OutboxItem` is made of."""
_ITEM_COLUMNS = tuple(OUTBOX.c[name] for name in _ITEM_FIELDS)


def item_from_row(row: sa.RowMapping, target: str | None = None) -> OutboxItem:
    """The item a row's `_ITEM_COLUMNS` describe; `target` overrides the row's (a thread part's
    parent id)."""
    return OutboxItem(
        id=row["id"],
        key=row["idempotency_key"],
        channel=row["channel"],
        account_id=row["account_id"],
        kind=row["kind"],
        target=target if target is not None else row["target"],
        text=row["text"],
        private=row["private"],
        attempts=row["attempts"],
        part_no=row["part_no"],
        expires_at=row["expires_at"],
        choices=choices_from_json(row["choices"]),
        priority=row["priority"],
    )


_PARENT = OUTBOX.alias("parent")
_DUE = (
    sa.select(*_ITEM_COLUMNS, _PARENT.c.platform_id.label("parent_platform_id"))
    .outerjoin(_PARENT, OUTBOX.c.thread_parent == _PARENT.c.id)
    .where(
        OUTBOX.c.status == OutboxStatus.PENDING,
        sa.or_(OUTBOX.c.not_before.is_(None), OUTBOX.c.not_before <= sa.bindparam("now")),
        sa.or_(OUTBOX.c.thread_parent.is_(None), _PARENT.c.status == OutboxStatus.SENT),
    )
    .order_by(OUTBOX.c.priority.desc(), OUTBOX.c.created_at, OUTBOX.c.id)
    .limit(1)
)
"""The next pending item and its thread parent's platform id, built once (`next_due`)."""


def next_due(
    session: Session,
    now: datetime,
    senders: Senders,
    excluded: Collection[tuple[Channel, str, Bucket]] = (),
) -> OutboxItem | None:
    """The pending item to send next: highest priority, then oldest; its thread parent sent."""
    statement = _DUE.where(_sent_by(senders))
    for channel, account_id, bucket in excluded:
        statement = statement.where(
            sa.not_(
                sa.and_(
                    OUTBOX.c.channel == channel,
                    OUTBOX.c.account_id == account_id,
                    OUTBOX.c.kind.in_(bucket.kinds),
                )
            )
        )
    found = session.connection().execute(statement, {"now": now}).mappings().first()
    if found is None:
        return None
    if found["kind"] is OutboxKind.DM or found["target"] is not None:
        return item_from_row(found)  # a LINE part answers the message its first part answers
    return item_from_row(found, found["parent_platform_id"])


def claim(session: Session, item: OutboxItem, now: datetime) -> bool:
    """Mark `item` sending and record the attempt; False if someone else changed it first."""
    claimed = session.execute(_CLAIM, {"item_id": item.id, "new_target": item.target})
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return False
    attempt = {
        "outbox_id": item.id,
        "channel": item.channel,
        "account_id": item.account_id,
        "kind": item.kind,
        "started_at": now,
    }
    session.execute(_START_ATTEMPT, attempt)
    return True


def mark_sent(session: Session, item_id: int, platform_id: str, now: datetime) -> None:
    """It is on the platform as `platform_id`."""
    sent = {"item_id": item_id, "landed_as": platform_id, "landed_at": now}
    session.execute(_MARK_SENT, sent)
    finish_attempt(session, item_id, "sent", now)


# Built once: each is run for every item sent.
_CLAIM = (
    sa.update(OUTBOX)
    .where(OUTBOX.c.id == sa.bindparam("item_id"), OUTBOX.c.status == OutboxStatus.PENDING)
    .values(
        status=OutboxStatus.SENDING,
        attempts=OUTBOX.c.attempts + 1,
        target=sa.bindparam("new_target", type_=OUTBOX.c.target.type),
    )
)
_START_ATTEMPT = sa.insert(ATTEMPTS)
_MARK_SENT = (
    sa.update(OUTBOX)
    .where(OUTBOX.c.id == sa.bindparam("item_id"))
    .values(
        status=OutboxStatus.SENT,
        platform_id=sa.bindparam("landed_as", type_=OUTBOX.c.platform_id.type),
        sent_at=sa.bindparam("landed_at", type_=OUTBOX.c.sent_at.type),
        not_before=None,
        last_error=None,
        failure=None,
    )
)
_FINISH_ATTEMPT = (
    sa.update(ATTEMPTS)
    .where(ATTEMPTS.c.outbox_id == sa.bindparam("item_id"), ATTEMPTS.c.finished_at.is_(None))
    .values(
        finished_at=sa.bindparam("ended_at", type_=ATTEMPTS.c.finished_at.type),
        outcome=sa.bindparam("ended_with", type_=ATTEMPTS.c.outcome.type),
    )
)


def release(
    session: Session, item_id: int, not_before: datetime | None, error: str, *, refund: bool
) -> None:
    """Nothing landed: back to pending, due at `not_before`; `refund` un-counts the attempt."""
    values: dict[str, object] = {
        "status": OutboxStatus.PENDING,
        "not_before": not_before,
        "last_error": error,
    }
    if refund:
        values["attempts"] = OUTBOX.c.attempts - 1
    _set(session, item_id, **values)


def defer(session: Session, item_id: int, not_before: datetime, reason: str) -> None:
    """A pending item waits until `not_before` (a channel's quota gate held it), unclaimed."""
    _set(session, item_id, not_before=not_before, last_error=reason)


def hold_uncertain(session: Session, item_id: int, look_at: datetime, error: str) -> None:
    """It may have landed: stays `sending`, to be looked for from `look_at` on."""
    _set(session, item_id, status=OutboxStatus.SENDING, not_before=look_at, last_error=error)


def give_up(session: Session, item_id: int, status: OutboxStatus, failure: str, error: str) -> int:
    """End it as failed or abandoned with a reason code; its later parts are abandoned too.
    Returns how many later parts were abandoned."""
    _set(session, item_id, status=status, failure=failure, last_error=error, not_before=None)
    return _abandon_later_parts(session, item_id)


def uncertain_due(session: Session, now: datetime, senders: Senders) -> list[OutboxItem]:
    """Items left `sending` (a crash mid-call, a timeout) whose look is due, oldest first."""
    statement = (
        sa.select(*_ITEM_COLUMNS)
        .where(
            OUTBOX.c.status == OutboxStatus.SENDING,
            _sent_by(senders),
            sa.or_(OUTBOX.c.not_before.is_(None), OUTBOX.c.not_before <= now),
        )
        .order_by(OUTBOX.c.priority.desc(), OUTBOX.c.created_at, OUTBOX.c.id)
    )
    return [item_from_row(row) for row in session.execute(statement).mappings()]


def sending_count(session: Session, senders: Senders) -> int:
    """How many items of these channel accounts are `sending` (in flight, or uncertain)."""
    statement = sa.select(sa.func.count()).where(
        OUTBOX.c.status == OutboxStatus.SENDING, _sent_by(senders)
    )
    return int(session.execute(statement).scalar_one())


def waiting_count(session: Session, senders: Senders) -> int:
    """How many items of these channel accounts are pending or being sent."""
    statement = sa.select(sa.func.count()).where(
        OUTBOX.c.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING]),
        _sent_by(senders),
    )
    return int(session.execute(statement).scalar_one())


def first_attempt_at(session: Session, item_id: int) -> datetime | None:
    """When the item's first attempt started: where a look for it begins."""
    statement = sa.select(sa.func.min(ATTEMPTS.c.started_at)).where(ATTEMPTS.c.outbox_id == item_id)
    found: datetime | None = session.execute(statement).scalar()
    return found


def finish_attempt(session: Session, item_id: int, outcome: str, now: datetime) -> None:
    """Close the item's open attempts with `outcome`."""
    session.execute(_FINISH_ATTEMPT, {"item_id": item_id, "ended_at": now, "ended_with": outcome})


def _sent_by(senders: Senders) -> sa.ColumnElement[bool]:
    """Items sent from one of these channel accounts."""
    return sa.or_(
        sa.false(),
        *(
            sa.and_(OUTBOX.c.channel == channel, OUTBOX.c.account_id.in_(list(accounts)))
            for channel, accounts in senders.items()
        ),
    )


def _set(session: Session, item_id: int, **values: object) -> None:
    session.execute(sa.update(OUTBOX).where(OUTBOX.c.id == item_id).values(**values))


def _abandon_later_parts(session: Session, item_id: int) -> int:
    abandoned = 0
    parents = [item_id]
    while parents:
        children = (
            sa.select(OUTBOX.c.id)
            .where(OUTBOX.c.thread_parent.in_(parents))
            .where(OUTBOX.c.status.in_([OutboxStatus.PENDING, OutboxStatus.FAILED]))
        )
        parents = [row[0] for row in session.execute(children)]
        if parents:
            session.execute(
                sa.update(OUTBOX)
                .where(OUTBOX.c.id.in_(parents))
                .values(
                    status=OutboxStatus.ABANDONED,
                    failure="earlier_part_failed",
                    last_error="an earlier part of this thread or DM was not sent",
                )
            )
            abandoned += len(parents)
    return abandoned
