"""Where a resident is in a DM dialogue, kept in the `conversation` table so that a daemon
killed between two of their messages picks the dialogue up where it was.

One row per (channel, user): the kind of dialogue, its step, and the step's data as JSON.
An expired row is as good as none.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from jun_engine.domain.messages import Channel
from jun_engine.store.tables import ConversationRow

CONVERSATIONS: sa.Table = ConversationRow.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Conversation:
    """A dialogue in progress: `kind` (booking), `step` (choose), and what the step needs."""

    kind: str
    step: str
    data: dict[str, Any] = field(default_factory=dict)
    expires_at: datetime | None = None


_DIALOGUE = select(ConversationRow).where(
    ConversationRow.channel == sa.bindparam("channel"),
    ConversationRow.user_id == sa.bindparam("user_id"),
)
"""Built once: self-service looks for a dialogue with every message."""


def load(session: Session, channel: Channel, user_id: str, now: datetime) -> Conversation | None:
    """The user's dialogue in progress, or None (none, or expired)."""
    row = session.exec(_DIALOGUE, params={"channel": channel, "user_id": user_id}).first()
    if row is None or row.expires_at <= now:
        return None
    data = json.loads(row.data)
    return Conversation(row.kind, row.step, data if isinstance(data, dict) else {}, row.expires_at)


def save(
    session: Session,
    channel: Channel,
    user_id: str,
    conversation: Conversation,
    now: datetime,
    ttl: timedelta,
) -> None:
    """Store the user's dialogue (replacing any other), valid for `ttl` from now."""
    clear(session, channel, user_id)
    session.add(
        ConversationRow(
            channel=channel,
            user_id=user_id,
            kind=conversation.kind,
            step=conversation.step,
            data=json.dumps(conversation.data, sort_keys=True),
            updated_at=now,
            expires_at=now + ttl,
        )
    )
    session.flush()


def clear(session: Session, channel: Channel, user_id: str) -> None:
    """End the user's dialogue, if any."""
    session.execute(
        sa.delete(CONVERSATIONS).where(
            CONVERSATIONS.c.channel == channel, CONVERSATIONS.c.user_id == user_id
        )
    )
