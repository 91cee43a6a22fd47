"""Answers to strangers: bounded per sender and overall, queued below residents, and short-lived.

A stranger is an account that is not a verified resident. What the engine tells one (how to
verify, a wrong code, a lockout, how to reach the police) costs the town account a DM or a post,
and anyone can make many accounts: `verification.stranger_answers` caps the answers to one
account in `sender_window` (and one lockout notice) and to all of them in any hour and any 24
hours. Past a cap the
engine says nothing (noted at debug level, never with the account). Each answer is recorded in
`stranger_answer` with the engine's clock, in the caller's transaction, beside its outbox row.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Session

from jun_engine.config.schema import StrangerAnswers
from jun_engine.domain.residents import Identity
from jun_engine.domain.statuses import OutboxKind
from jun_engine.outbox.api import Priority, enqueue
from jun_engine.store.tables import StrangerAnswerRow

log = logging.getLogger(__name__)

ANSWERS: sa.Table = StrangerAnswerRow.__table__  # type: ignore[attr-defined]
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


class AnswerKind(StrEnum):
    """What a stranger is told."""

    HOW_TO_VERIFY = "how_to_verify"
    CODE_REJECTED = "code_rejected"
    LOCKED_OUT = "locked_out"
    POLICE_CONTACT = "police_contact"


def withheld_because(
    session: Session, bounds: StrangerAnswers, account: Identity, kind: AnswerKind, now: datetime
) -> str | None:
    """Why an answer to `account` may not be queued now (a bound it would pass), or None.

    The lockout notice has its own allowance of one per sender window beside `per_sender`: it
    is the answer a real resident who mistyped most needs, and it comes once per lockout.
    """
    since = now - bounds.sender_window
    if kind is AnswerKind.LOCKED_OUT:
        if _count(session, since, account, AnswerKind.LOCKED_OUT) >= 1:
            return "per_sender"
    elif (
        _count(session, since, account) - _count(session, since, account, AnswerKind.LOCKED_OUT)
        >= bounds.per_sender
    ):
        return "per_sender"
    if _count(session, now - HOUR, None) >= bounds.per_hour:
        return "per_hour"
    if _count(session, now - DAY, None) >= bounds.per_day:
        return "per_day"
    return None


def answer(
    session: Session,
    bounds: StrangerAnswers,
    *,
    kind: AnswerKind,
    key: str,
    account_id: str,
    outbox_kind: OutboxKind,
    text: str,
    target: str,
    account: Identity,
    now: datetime,
    message_id: int | None = None,
) -> bool:
    """Queue one answer to a stranger (`account`) unless a bound says no; whether it was queued.

    It goes out below every resident's answer (`Priority.STRANGER`) and expires after
    `expire_after`. A key queued before is not counted twice (processing again is a no-op).
    """
    reason = withheld_because(session, bounds, account, kind, now)
    if reason is not None:
        log.debug("answer to a stranger withheld (%s, %s, message %s)", kind, reason, message_id)
        return False
    queued = enqueue(
        session,
        key=key,
        account_id=account_id,
        kind=outbox_kind,
        text=text,
        target=target,
        priority=Priority.STRANGER,
        expires_at=now + bounds.expire_after,
        private=outbox_kind is OutboxKind.DM,
        channel=account.channel,
    )
    if queued is None:
        return False
    session.add(
        StrangerAnswerRow(
            channel=account.channel, user_id=account.user_id, at=now, kind=kind, outbox_key=key
        )
    )
    session.flush()
    return True


def _count(
    session: Session, since: datetime, account: Identity | None, kind: AnswerKind | None = None
) -> int:
    statement = sa.select(sa.func.count()).where(ANSWERS.c.at > since)
    if account is not None:
        statement = statement.where(
            ANSWERS.c.channel == account.channel, ANSWERS.c.user_id == account.user_id
        )
    if kind is not None:
        statement = statement.where(ANSWERS.c.kind == kind.value)
    return int(session.execute(statement).scalar_one())
