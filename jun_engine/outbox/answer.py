"""Answering a resident where they wrote: the one way every stage queues a reply to a message.

A message is answered publicly (a reply to the post) or privately (a direct message in the
conversation); a private message is only ever answered privately. The message's channel says how
(`channels.addressing`: on X a public reply names the post it answers, so the same helpful answer
is never posted twice), and the answer goes out on that channel. Every answer is queued in the
caller's transaction under the caller's idempotency key: a message processed twice is answered
once.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session

from jun_engine.channels.addressing import addressing
from jun_engine.channels.ports import Answer
from jun_engine.config.schema import Config
from jun_engine.domain.choices import Choice
from jun_engine.domain.messages import InboundMessage
from jun_engine.outbox.api import Priority, enqueue


def addressed(
    config: Config,
    message: InboundMessage,
    text: str,
    *,
    privately: bool = False,
    from_town: bool = False,
    distinct: bool = False,
) -> Answer:
    """`text` addressed to the author of `message` by its channel: privately when they wrote
    privately or `privately`, else as a public reply to their message (`distinct`: its text names
    something unique, a case reference, and needs no tag)."""
    private = privately or message.is_private
    return addressing(message.channel, config).answer(
        message, text, private=private, from_town=from_town, distinct=distinct
    )


def answer(
    session: Session,
    config: Config,
    message: InboundMessage,
    text: str,
    *,
    key: str,
    privately: bool = False,
    from_town: bool = False,
    distinct: bool = False,
    sender: str | None = None,
    priority: int = Priority.ACK,
    case_id: int | None = None,
    choices: Sequence[Choice] = (),
) -> int | None:
    """Queue `text` to the author of `message` where they wrote (see `addressed`), from the
    account the channel picks (or `sender`, an account of that channel); the outbox id, None if
    `key` was queued before. `choices`: buttons offered with it, where the channel draws them."""
    to = addressed(
        config, message, text, privately=privately, from_town=from_town, distinct=distinct
    )
    return enqueue(
        session,
        key=key,
        account_id=sender or to.account_id,
        kind=to.kind,
        text=to.text,
        target=to.target,
        priority=priority,
        private=to.private,
        case_id=case_id,
        channel=message.channel,
        choices=choices,
    )
