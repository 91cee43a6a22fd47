"""The case desk's two ways out, both through the outbox in the caller's transaction: a public
reply (always past the privacy gate) and a direct message.

Idempotency keys are `case:<REFERENCE>:<what>`, so re-running a stage never sends twice.
"""

from __future__ import annotations

from sqlmodel import Session

from jun_engine.cases.privacy import guard_public
from jun_engine.cases.repository import private_texts
from jun_engine.config.schema import Config
from jun_engine.outbox.api import enqueue
from jun_engine.store.statuses import OutboxKind
from jun_engine.store.tables import CaseRow


def case_key(case: CaseRow, what: str) -> str:
    """The outbox key of something said about a case."""
    return f"case:{case.reference}:{what}"


def reply_in_public(
    session: Session,
    case: CaseRow,
    config: Config,
    *,
    what: str,
    sender: str,
    in_reply_to: str,
    text: str,
    priority: int,
) -> int | None:
    """Queue a public reply from `sender` to the post `in_reply_to`, once the privacy gate has
    checked it against every private text of the case. None if it was already queued."""
    guard_public(text, private_texts(session, case), config, case.reference)
    return enqueue(
        session,
        key=case_key(case, what),
        account_id=sender,
        kind=OutboxKind.REPLY,
        text=text,
        target=in_reply_to,
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
