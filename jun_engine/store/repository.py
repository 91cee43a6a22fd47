"""What the intake asks of the store: keep messages exactly once, and move each poller's
checkpoint in the same transaction as the messages it covers.

Every function takes the caller's session and never commits: `session_scope` decides, so a
failure anywhere leaves neither the messages nor the checkpoint behind.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, func, select

from jun_engine.domain.messages import Channel, InboundMessage, MessageKind, Place
from jun_engine.domain.statuses import MessageStatus, PollStream
from jun_engine.store.tables import InboundMessageRow, PollCheckpointRow, now_utc

BATCH = 200
"""Messages per INSERT: far under SQLite's limit of bound parameters per statement."""

MESSAGES: sa.Table = InboundMessageRow.__table__  # type: ignore[attr-defined]
CHECKPOINTS: sa.Table = PollCheckpointRow.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """How far one poller has read one stream of one account."""

    account_id: str
    stream: PollStream
    cursor: str | None
    """The newest id covered; None keeps the cursor already stored (a poll that found nothing)."""
    polled_at: datetime
    """When the poll that read up to `cursor` ran; stored messages are received at this time."""
    last_error: str | None = None


def store_messages(
    session: Session, messages: Sequence[InboundMessage], checkpoint: Checkpoint
) -> int:
    """Store the messages not stored yet and advance the checkpoint; return how many were new.

    They are inserted in the order they were sent (X serves pages newest first), so that row ids
    follow each resident's own order wherever the processing stage breaks a tie.
    """
    stored = 0
    for chunk in _chunks(sorted(messages, key=sent_order)):
        rows = [_message_values(message, checkpoint.polled_at) for message in chunk]
        statement = (
            _insert(session, MESSAGES)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["channel", "kind", "platform_id"])
            .returning(MESSAGES.c.id)
        )
        stored += len(session.execute(statement).all())
    _save_checkpoint(session, checkpoint)
    return stored


def store_pushed(session: Session, message: InboundMessage, received_at: datetime) -> int | None:
    """Store one message a client pushed (no poller, no checkpoint: Open311's POSTs); its row id,
    None when (channel, kind, platform id) was stored before."""
    statement = (
        _insert(session, MESSAGES)
        .values([_message_values(message, received_at)])
        .on_conflict_do_nothing(index_elements=["channel", "kind", "platform_id"])
        .returning(MESSAGES.c.id)
    )
    stored: int | None = session.execute(statement).scalar_one_or_none()
    return stored


def record_poll_failure(session: Session, checkpoint: Checkpoint) -> None:
    """Note a failed poll (`checkpoint.last_error`) without moving the cursor."""
    _save_checkpoint(session, replace(checkpoint, cursor=None))


def get_checkpoint(session: Session, account_id: str, stream: PollStream) -> Checkpoint | None:
    """The stored checkpoint of one account's stream, or None if it was never polled."""
    row = session.get(PollCheckpointRow, (account_id, stream))
    if row is None:
        return None
    return Checkpoint(
        account_id=row.account_id,
        stream=row.stream,
        cursor=row.cursor,
        polled_at=row.last_poll_at or row.updated_at,
        last_error=row.last_error,
    )


def get_message(
    session: Session, channel: Channel, kind: MessageKind, platform_id: str
) -> InboundMessage | None:
    """A stored message by its identity, as the domain object it was stored from."""
    statement = select(InboundMessageRow).where(
        InboundMessageRow.channel == channel,
        InboundMessageRow.kind == kind,
        InboundMessageRow.platform_id == platform_id,
    )
    row = session.exec(statement).first()
    return None if row is None else message_from_row(row)


def count_messages(
    session: Session, *, status: MessageStatus | None = None, kind: MessageKind | None = None
) -> int:
    """How many messages are stored, optionally only those with a status or of a kind."""
    statement = select(func.count()).select_from(InboundMessageRow)
    if status is not None:
        statement = statement.where(InboundMessageRow.status == status)
    if kind is not None:
        statement = statement.where(InboundMessageRow.kind == kind)
    return session.exec(statement).one()


def message_counts_by_status(session: Session) -> dict[MessageStatus, int]:
    """How many messages are in each status; every status is present, zero if none."""
    statement = select(MESSAGES.c.status, func.count()).group_by(MESSAGES.c.status)
    found = {MessageStatus(status): count for status, count in session.execute(statement).all()}
    return {status: found.get(status, 0) for status in MessageStatus}


def insert_statement(session: Session, table: sa.Table) -> Any:
    """INSERT with ON CONFLICT support in the session's dialect, for rows a channel stores in the
    same transaction as its messages (LINE's reply tokens)."""
    return _insert(session, table)


def _insert(session: Session, table: sa.Table) -> Any:
    """INSERT with ON CONFLICT support, in the dialect of the session's database."""
    dialect = session.get_bind().dialect.name
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


def _save_checkpoint(session: Session, checkpoint: Checkpoint) -> None:
    statement = _insert(session, CHECKPOINTS).values(
        account_id=checkpoint.account_id,
        stream=checkpoint.stream,
        cursor=checkpoint.cursor,
        updated_at=now_utc(),
        last_poll_at=checkpoint.polled_at,
        last_error=checkpoint.last_error,
    )
    excluded = statement.excluded
    statement = statement.on_conflict_do_update(
        index_elements=["account_id", "stream"],
        set_={
            "cursor": func.coalesce(excluded.cursor, CHECKPOINTS.c.cursor),
            "updated_at": excluded.updated_at,
            "last_poll_at": excluded.last_poll_at,
            "last_error": excluded.last_error,
        },
    )
    session.execute(statement)


def _message_values(message: InboundMessage, received_at: datetime) -> dict[str, object]:
    return {
        "channel": message.channel,
        "kind": message.kind,
        "platform_id": message.platform_id,
        "account_id": message.account_id,
        "author_id": message.author_id,
        "author_handle": message.author_handle,
        "text": message.text,
        "created_at": message.created_at,
        "received_at": received_at,
        "conversation_id": message.conversation_id,
        "in_reply_to_id": message.in_reply_to_id,
        "quoted_id": message.quoted_id,
        "mentioned_ids": " ".join(message.mentioned_ids),
        "hashtags": " ".join(message.hashtags),
        "latitude": message.place.latitude if message.place else None,
        "longitude": message.place.longitude if message.place else None,
        "place_label": message.place.label if message.place else None,
        "attachments": " ".join(message.attachments),
        "action": message.action,
        "raw": message.raw,
        "status": MessageStatus.NEW,
    }


def message_from_row(row: InboundMessageRow) -> InboundMessage:
    """The domain message a stored row holds (what the router and the stages read)."""
    return InboundMessage(
        channel=row.channel,
        kind=row.kind,
        platform_id=row.platform_id,
        account_id=row.account_id,
        author_id=row.author_id,
        text=row.text,
        created_at=row.created_at,
        author_handle=row.author_handle,
        conversation_id=row.conversation_id,
        in_reply_to_id=row.in_reply_to_id,
        mentioned_ids=tuple(row.mentioned_ids.split()),
        quoted_id=row.quoted_id,
        hashtags=tuple(row.hashtags.split()),
        place=_place(row),
        attachments=tuple(row.attachments.split()),
        action=row.action,
        raw=row.raw,
    )


def _place(row: InboundMessageRow) -> Place | None:
    if row.latitude is None or row.longitude is None:
        return None
    return Place(row.latitude, row.longitude, row.place_label)


def rewrite_message(session: Session, message_id: int, *, text: str, raw: str) -> None:
    """Replace a stored message's text and raw payload (codes masked), in the caller's
    transaction."""
    row = session.get(InboundMessageRow, message_id)
    if row is None:
        return
    row.text, row.raw = text, raw
    session.add(row)


def sent_order(message: InboundMessage) -> tuple[datetime, int, str]:
    """The order messages were sent in: their time, then their platform id (X's snowflakes grow
    with time; a shorter numeric id is an older one)."""
    return (message.created_at, len(message.platform_id), message.platform_id)


def _chunks(messages: Sequence[InboundMessage]) -> Iterator[Sequence[InboundMessage]]:
    for start in range(0, len(messages), BATCH):
        yield messages[start : start + BATCH]
