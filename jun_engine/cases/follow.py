"""Following staff on X: replies a department's account posted in residents' threads (seen on
its own timeline) are recorded on their cases, and answers X refused to let a department post
are sent again from the account the resident mentioned.

A post belongs to a case when it replies to the case's message or to something the engine posted
for the case, else when it is in the conversation of the case's message. Each post is recorded
once (`case_event.ref`); posts the engine itself made are skipped. A configured resolved hashtag
(`#resuelto`) in the post resolves the case.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from jun_engine.cases import accounts
from jun_engine.cases.actions import has_resolved_tag, record_first_response, resolve
from jun_engine.cases.repository import add_event, has_event, message_of
from jun_engine.channels.results import Post
from jun_engine.config.schema import Config
from jun_engine.domain.cases import can_move
from jun_engine.domain.messages import MessageKind
from jun_engine.domain.statuses import CaseStatus, OutboxKind, OutboxStatus
from jun_engine.outbox.api import enqueue
from jun_engine.store.tables import CaseRow, InboundMessageRow, OutboxRow

STAFF_REPLY = "staff_reply"


def follow_department_posts(
    session: Session, posts: Sequence[Post], config: Config, now: datetime
) -> int:
    """Record the staff replies among a department timeline's posts; how many were new."""
    department_ids = {accounts.department_id(config, name) for name in config.departments}
    recorded = 0
    for post in sorted(posts, key=lambda p: int(p.id) if p.id.isdigit() else 0):
        if post.author_id not in department_ids or _posted_by_engine(session, post):
            continue
        case = _case_for(session, post)
        if case is None or case.id is None or has_event(session, case.id, STAFF_REPLY, post.id):
            continue
        _record(session, case, post, config, now)
        recorded += 1
    return recorded


def fall_back_refused_answers(session: Session, config: Config, now: datetime) -> int:
    """Re-queue, from the account the resident mentioned, every case reply X refused with
    `reply_not_allowed`; how many were queued."""
    statement = select(OutboxRow).where(
        OutboxRow.failure == "reply_not_allowed",
        col(OutboxRow.status).in_([OutboxStatus.FAILED, OutboxStatus.ABANDONED]),
        col(OutboxRow.case_id).is_not(None),
        OutboxRow.part_no == 1,
    )
    queued = 0
    for row in session.exec(statement).all():
        case = session.get(CaseRow, row.case_id)
        message = message_of(session, case) if case is not None else None
        if case is None or message is None or row.account_id == message.account_id:
            continue
        key = f"{row.idempotency_key}:fallback"
        if (
            enqueue(
                session,
                key=key[:180],
                account_id=message.account_id,
                kind=OutboxKind.REPLY,
                text=row.text,
                target=message.platform_id,
                priority=row.priority,
                case_id=case.id,
            )
            is not None
        ):
            add_event(
                session,
                case,
                "answer_fallback",
                actor="engine",
                at=now,
                detail=f"X refused the reply from {accounts.account_name(config, row.account_id)}",
            )
            queued += 1
    return queued


def _record(session: Session, case: CaseRow, post: Post, config: Config, now: datetime) -> None:
    add_event(
        session, case, STAFF_REPLY, actor=post.author_id, at=now, detail=post.text, ref=post.id
    )
    record_first_response(session, case, actor=post.author_id, at=post.created_at)
    resolved = any(
        tag.casefold() in {h.casefold() for h in post.hashtags}
        for tag in config.cases.resolved_hashtags
    )
    if (resolved or has_resolved_tag(post.text, config)) and can_move(
        case.status, CaseStatus.RESOLVED
    ):
        resolve(session, case, actor=post.author_id, config=config, now=now)


def _posted_by_engine(session: Session, post: Post) -> bool:
    """Whether the engine wrote `post`: its id is an outbox item's, or (the sender has not
    recorded the id yet: the post landed a moment ago, or its answer was lost) an outbox item of
    the same account holds its very text. Staff typing by hand never repeat an acknowledgement
    with its case reference."""
    by_id = select(OutboxRow.id).where(OutboxRow.platform_id == post.id).limit(1)
    if session.exec(by_id).first() is not None:
        return True
    by_text = (
        select(OutboxRow.id)
        .where(OutboxRow.account_id == post.author_id, OutboxRow.text == post.text)
        .limit(1)
    )
    return session.exec(by_text).first() is not None


def _case_for(session: Session, post: Post) -> CaseRow | None:
    if post.in_reply_to_id:
        case = _case_of_post(session, post.in_reply_to_id)
        if case is not None:
            return case
    if post.conversation_id:
        return _case_of_conversation(session, post.conversation_id)
    return None


def _case_of_post(session: Session, post_id: str) -> CaseRow | None:
    by_message = (
        select(CaseRow)
        .join(InboundMessageRow, col(CaseRow.message_id) == col(InboundMessageRow.id))
        .where(
            InboundMessageRow.kind == MessageKind.MENTION,
            InboundMessageRow.platform_id == post_id,
        )
    )
    case = session.exec(by_message).first()
    if case is not None:
        return case
    by_outbox = select(OutboxRow.case_id).where(
        OutboxRow.platform_id == post_id, col(OutboxRow.case_id).is_not(None)
    )
    case_id = session.exec(by_outbox).first()
    return None if case_id is None else session.get(CaseRow, case_id)


def _case_of_conversation(session: Session, conversation_id: str) -> CaseRow | None:
    statement = (
        select(CaseRow)
        .join(InboundMessageRow, col(CaseRow.message_id) == col(InboundMessageRow.id))
        .where(
            InboundMessageRow.kind == MessageKind.MENTION,
            (InboundMessageRow.conversation_id == conversation_id)
            | (InboundMessageRow.platform_id == conversation_id),
        )
        .order_by(col(CaseRow.opened_at).desc())
    )
    return session.exec(statement).first()
