"""One webhook body, stored in one transaction: its messages, the reply tokens they came with, its
follows and unfollows, and the account's intake marker (the last event id, `status` shows it).

Idempotent: messages on (channel, kind, platform id), reply tokens on (account, platform id), the
welcome on its outbox key; a follow seen before (its token row exists) is not handled again. So
a redelivered body stores nothing new, and a body is never half stored.

Events older than `MAX_EVENT_AGE` are acknowledged and dropped: LINE redelivers for minutes or
hours, never days, so an old signed body is a replay (a captured request sent again), and storing
it could bring back messages erased since.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from jun_engine.channels.line.events import Follow, Ignored, LineEvent, Message, Unfollow
from jun_engine.channels.line.follow import on_follow, on_unfollow
from jun_engine.config.schema import Config, LineAccount
from jun_engine.domain.statuses import PollStream
from jun_engine.store.repository import Checkpoint, insert_statement, store_messages
from jun_engine.store.tables import LineReplyTokenRow

log = logging.getLogger(__name__)

MAX_EVENT_AGE = timedelta(days=1)
"""How old an event may be and still be stored (see the module's docstring)."""
TOKENS: sa.Table = LineReplyTokenRow.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Stored:
    """What storing one body did."""

    messages: int
    """New messages stored (the processor has work)."""
    stale: int
    """Events too old to store."""


def store_events(
    session: Session,
    config: Config,
    account: LineAccount,
    events: Sequence[LineEvent],
    now: datetime,
) -> Stored:
    """Store `events` received now for `account` in the caller's transaction."""
    fresh = [e for e in events if not isinstance(e, Ignored) and _at(e) >= now - MAX_EVENT_AGE]
    stale = sum(1 for e in events if not isinstance(e, Ignored)) - len(fresh)
    if stale:
        log.warning("LINE: %d event(s) older than %s dropped as replays", stale, MAX_EVENT_AGE)
    if not fresh:
        return Stored(0, stale)
    messages = [e.message for e in fresh if isinstance(e, Message)]
    marker = Checkpoint(account.bot_user_id, PollStream.DMS, fresh[-1].event_id, now)
    stored = store_messages(session, messages, marker)
    kept = _keep_tokens(session, account, [e for e in fresh if not isinstance(e, Unfollow)], now)
    for event in fresh:
        if isinstance(event, Unfollow):
            on_unfollow(session, event)
        elif isinstance(event, Follow) and (event.reply_token is None or event.event_id in kept):
            on_follow(session, config, account, event)
    return Stored(stored, stale)


def _keep_tokens(
    session: Session, account: LineAccount, events: Sequence[Message | Follow], now: datetime
) -> set[str]:
    """Keep the events' reply tokens (each received at its event's time: its life starts there)
    in one statement; the platform ids whose token is new. A follow seen before has its token
    kept already, so it is not welcomed twice (one without a token is: the welcome's outbox key
    still keeps it from being queued twice)."""
    rows = [_token_row(account, event, now) for event in events if event.reply_token is not None]
    if not rows:
        return set()
    statement = (
        insert_statement(session, TOKENS)
        .on_conflict_do_nothing(index_elements=["account_id", "platform_id"])
        .returning(TOKENS.c.platform_id)
    )
    return {str(row[0]) for row in session.execute(statement, rows).all()}


def _token_row(account: LineAccount, event: Message | Follow, now: datetime) -> dict[str, object]:
    if isinstance(event, Message):
        platform_id, user_id = event.message.platform_id, event.message.author_id
    else:
        platform_id, user_id = event.event_id, event.user_id
    return {
        "account_id": account.bot_user_id,
        "platform_id": platform_id,
        "user_id": user_id,
        "token": event.reply_token,
        "received_at": min(_at(event), now),
    }


def _at(event: Message | Follow | Unfollow) -> datetime:
    return event.message.created_at if isinstance(event, Message) else event.at
