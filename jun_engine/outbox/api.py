"""Enqueue a post, reply or DM in the caller's transaction, split into the channel's parts.

`enqueue` never commits: the caller's unit of work decides, so "processed the message" and
"queued its reply" are stored together or not at all. Enqueueing a key twice is a no-op.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import IntEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from jun_engine.channels.addressing import private_replies
from jun_engine.channels.splitting import split
from jun_engine.domain.choices import Choice, choices_json
from jun_engine.domain.messages import Channel
from jun_engine.domain.statuses import OutboxKind, OutboxStatus
from jun_engine.outbox.errors import InvalidOutboxItemError
from jun_engine.store.tables import OutboxRow, now_utc

OUTBOX: sa.Table = OutboxRow.__table__  # type: ignore[attr-defined]

PART_MARK = "#"
"""Joins a key and a part number; never in a caller's key, so no key can be another's part."""
KEY_MAX = 180
"""Room left in `idempotency_key` (200) for the `#N` suffix of later parts."""


class Priority(IntEnum):
    """How urgently an item goes out: higher first, then oldest first."""

    EMERGENCY = 100
    ACK = 50
    NOTICE = 10
    STRANGER = 5
    """Answers to accounts that are not verified residents: after everything residents get."""
    DEFAULT = 0


def part_key(key: str, part_no: int) -> str:
    """The idempotency key of one part: the caller's key for part 1, `key#N` for the others."""
    return key if part_no == 1 else f"{key}{PART_MARK}{part_no}"


def enqueue(
    session: Session,
    *,
    key: str,
    account_id: str,
    kind: OutboxKind,
    text: str,
    target: str | None = None,
    priority: int = 0,
    not_before: datetime | None = None,
    expires_at: datetime | None = None,
    private: bool = False,
    case_id: int | None = None,
    channel: Channel = Channel.X,
    choices: Sequence[Choice] = (),
) -> int | None:
    """Queue `text` from `account_id` (an account's id on `channel`); return the id of its first
    part, or None if `key` was already enqueued. A text too long for one item becomes parts as
    the channel cuts it (on X: a numbered thread, several DMs); part N goes out only after part
    N-1 was sent.

    `target` is the post replied to (REPLY) or the recipient's user id (DM). A DM is always
    private; a private POST is refused, and so is a private REPLY except on a channel whose
    replies only the resident sees (LINE): personal data is never posted publicly.
    `expires_at`: if it has not gone out by then, it never does (abandoned as `expired`).
    `choices`: buttons offered with the text (on its last part), where the channel draws them.
    """
    _check(
        key=key,
        account_id=account_id,
        kind=kind,
        text=text,
        target=target,
        private=private,
        channel=channel,
    )
    parts = split(channel, kind, text)
    created_at = now_utc()
    common: dict[str, Any] = {
        "channel": channel,
        "account_id": account_id,
        "priority": priority,
        "not_before": not_before,
        "expires_at": expires_at,
        "private": private or kind is OutboxKind.DM,
        "case_id": case_id,
        "status": OutboxStatus.PENDING,
        "created_at": created_at,
    }
    buttons = choices_json(choices)
    last = len(parts)
    first_id = _insert_part(
        session, key, 1, kind, target, parts[0], None, {**common, "choices": _on(1, last, buttons)}
    )
    if first_id is None:
        return None
    parent = first_id
    for part_no, part in enumerate(parts[1:], start=2):
        follow_kind, follow_target = _follow_up(channel, kind, target)
        extra = {**common, "choices": _on(part_no, last, buttons)}
        parent_id = _insert_part(
            session, key, part_no, follow_kind, follow_target, part, parent, extra
        )
        if parent_id is None:  # cannot happen: callers' keys have no '#', and part 1 was new
            raise InvalidOutboxItemError(key, f"part {part_no} already exists")
        parent = parent_id
    return first_id


def add_to_pending(session: Session, key: str, text: str, choices: Sequence[Choice] = ()) -> bool:
    """Add `text` as a new paragraph, and `choices` as its buttons, to the item queued under
    `key` if it is still pending, has no buttons yet and stays one part: one message where two
    would cost a second request (on LINE: a reply holds both, where a second item would be a
    push out of the month's quota). False (nothing changed) otherwise: queue it on its own.

    Only for an item queued earlier in the caller's own transaction: one already committed may
    be claimed by a sender meanwhile, which would send the text it read, without this one."""
    later = sa.select(OUTBOX.c.id).where(OUTBOX.c.idempotency_key == part_key(key, 2)).exists()
    found = session.execute(
        sa.select(
            OUTBOX.c.id,
            OUTBOX.c.status,
            OUTBOX.c.choices,
            OUTBOX.c.text,
            OUTBOX.c.thread_parent,
            OUTBOX.c.channel,
            OUTBOX.c.kind,
            later.label("has_later_parts"),
        ).where(OUTBOX.c.idempotency_key == key)
    ).first()
    if found is None or found.status is not OutboxStatus.PENDING or found.choices:
        return False
    joined = f"{found.text}\n\n{text}"
    if found.thread_parent is not None or found.has_later_parts:
        return False
    if len(split(found.channel, found.kind, joined)) != 1:
        return False
    session.execute(
        sa.update(OUTBOX)
        .where(OUTBOX.c.id == found.id)
        .values(text=joined, choices=choices_json(choices))
    )
    return True


def _on(part_no: int, last: int, buttons: str) -> str:
    """Buttons go with the last part, under the whole text."""
    return buttons if part_no == last else ""


def _follow_up(
    channel: Channel, kind: OutboxKind, target: str | None
) -> tuple[OutboxKind, str | None]:
    """Parts 2.. of a thread reply to the previous part (filled in when it is sent); on a
    channel of private replies (LINE) they answer the same message, as part 1 does."""
    if kind is OutboxKind.DM or private_replies(channel):
        return kind, target
    return OutboxKind.REPLY, None


def _insert_part(
    session: Session,
    key: str,
    part_no: int,
    kind: OutboxKind,
    target: str | None,
    text: str,
    parent: int | None,
    common: dict[str, Any],
) -> int | None:
    values = {
        **common,
        "idempotency_key": part_key(key, part_no),
        "kind": kind,
        "target": target,
        "text": text,
        "thread_parent": parent,
        "part_no": part_no,
    }
    statement = _INSERT_PART[session.get_bind().dialect.name == "postgresql"]
    row = session.execute(statement, values).first()
    return None if row is None else int(row[0])


_INSERT_PART = tuple(
    dialect.insert(OUTBOX)
    .on_conflict_do_nothing(index_elements=["idempotency_key"])
    .returning(OUTBOX.c.id)
    for dialect in (sqlite, postgresql)
)
"""An item's part, unless its key is queued already: SQLite's, then PostgreSQL's (built once)."""


def _check(
    *,
    key: str,
    account_id: str,
    kind: OutboxKind,
    text: str,
    target: str | None,
    private: bool,
    channel: Channel,
) -> None:
    if not key.strip() or len(key) > KEY_MAX:
        raise InvalidOutboxItemError(key, f"the key must be 1 to {KEY_MAX} characters")
    if PART_MARK in key:
        raise InvalidOutboxItemError(key, f"{PART_MARK!r} is kept for the keys of later parts")
    if not account_id.strip():
        raise InvalidOutboxItemError(key, "no sending account")
    if not text.strip():
        raise InvalidOutboxItemError(key, "the text is empty")
    if kind is OutboxKind.POST and target is not None:
        raise InvalidOutboxItemError(key, "a new post has no target; enqueue a REPLY instead")
    if kind is not OutboxKind.POST and not target:
        raise InvalidOutboxItemError(key, f"a {kind.value} needs a target")
    if private and kind is OutboxKind.POST:
        raise InvalidOutboxItemError(key, "private text is only ever sent by DM, never posted")
    if private and kind is OutboxKind.REPLY and not private_replies(channel):
        raise InvalidOutboxItemError(
            key, f"a reply on {channel.value} is public: private text is never posted, DM it"
        )
