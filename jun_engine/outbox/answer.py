"""Answering a resident where they wrote: the one way every stage queues a reply to a message.

A message is answered publicly (a reply to the post) or privately (a DM in the conversation);
a DM is only ever answered privately. One convention for every public reply: it names the post
it answers (`tagged_reply`), so two residents given the same helpful answer, or one resident
given it twice, never post the same text twice (X refuses duplicate content). Every answer is
queued in the caller's transaction under the caller's idempotency key: a message processed
twice is answered once.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from jun_engine.domain.messages import InboundMessage
from jun_engine.domain.statuses import OutboxKind
from jun_engine.outbox.api import Priority, enqueue, tagged_reply


@dataclass(frozen=True, slots=True)
class Addressed:
    """An answer as the outbox takes it: its kind, its target (the post replied to, or the
    resident's user id), and its text."""

    kind: OutboxKind
    target: str
    text: str

    @property
    def private(self) -> bool:
        return self.kind is OutboxKind.DM


def addressed(message: InboundMessage, text: str, *, privately: bool = False) -> Addressed:
    """`text` addressed to the author of `message`: by DM when they wrote one or `privately`,
    else as a tagged public reply to their post."""
    if privately or message.is_private:
        return Addressed(OutboxKind.DM, message.author_id, text)
    return Addressed(OutboxKind.REPLY, message.platform_id, tagged_reply(text, message.platform_id))


def answer(
    session: Session,
    message: InboundMessage,
    text: str,
    *,
    key: str,
    privately: bool = False,
    sender: str | None = None,
    priority: int = Priority.ACK,
    case_id: int | None = None,
) -> int | None:
    """Queue `text` to the author of `message` where they wrote (see `addressed`), from `sender`
    (default: the account the message reached); the outbox id, None if `key` was queued before."""
    to = addressed(message, text, privately=privately)
    return enqueue(
        session,
        key=key,
        account_id=sender or message.account_id,
        kind=to.kind,
        text=to.text,
        target=to.target,
        priority=priority,
        private=to.private,
        case_id=case_id,
        channel=message.channel,
    )
