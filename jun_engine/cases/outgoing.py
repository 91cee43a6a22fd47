"""The case desk's two ways out, both through the outbox in the caller's transaction: a public
answer to the resident's post (always past the privacy gate; `outbox.answer`) and a direct
message.

Idempotency keys are `case:<REFERENCE>:<what>`, so re-running a stage never sends twice.
"""

from __future__ import annotations

from sqlmodel import Session

from jun_engine.cases.privacy import guard_public
from jun_engine.cases.repository import private_texts
from jun_engine.config.schema import Config
from jun_engine.domain.messages import InboundMessage
from jun_engine.domain.statuses import OutboxKind
from jun_engine.outbox.answer import addressed, answer
from jun_engine.outbox.api import enqueue
from jun_engine.store.tables import CaseRow


def case_key(case: CaseRow, what: str) -> str:
    """The outbox key of something said about a case."""
    return f"case:{case.reference}:{what}"


def answer_in_public(
    session: Session,
    case: CaseRow,
    message: InboundMessage,
    config: Config,
    *,
    what: str,
    text: str,
    priority: int,
    sender: str | None = None,
    distinct: bool = False,
) -> int | None:
    """Answer the resident's public `message` with a public reply (from `sender`, default the
    account they wrote to; `distinct`: the text names the case, no tag needed), once the privacy
    gate has checked it against every private text of the case. None if it was already queued."""
    guard_public(
        addressed(config, message, text, distinct=distinct).text,
        private_texts(session, case),
        config,
        case.reference,
    )
    return answer(
        session,
        config,
        message,
        text,
        key=case_key(case, what),
        sender=sender,
        distinct=distinct,
        priority=priority,
        case_id=case.id,
    )


def direct_message(
    session: Session,
    case: CaseRow | None,
    *,
    key: str,
    sender: str,
    recipient: str,
    text: str,
    priority: int,
) -> int | None:
    """Queue a DM (private by nature). None if `key` was already queued."""
    return enqueue(
        session,
        key=key,
        account_id=sender,
        kind=OutboxKind.DM,
        text=text,
        target=recipient,
        priority=priority,
        private=True,
        case_id=None if case is None else case.id,
    )
