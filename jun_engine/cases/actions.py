"""What staff do to a case, whether by DM to the town account or with `jun-engine cases`:
answer, resolve, reopen, note, reroute, merge. Each runs in the caller's transaction.
A closed case takes no answer until it is reopened (`cases reply --reopen`).

The answer path (X's 2026 reply restriction lets an app reply only to whoever mentioned it):
- a private case or a DM: a DM to the resident from the account they wrote to (or the town's);
  on a channel whose replies are private (LINE), a reply in the resident's chat from the town's
  account, signed by the department; that resident also hears when the case moves;
- a public mention that @mentioned the department's account: a reply from that account;
- any other public mention: a reply from the account the resident mentioned (the town's),
  crediting the department by name and @handle.
The rule is decided up front, so nothing depends on X refusing first; should X refuse anyway
(`reply_not_allowed` on the outbox row), `follow.fall_back_refused_answers` re-queues the answer
from the account the resident mentioned.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, func, select

from jun_engine.cases import accounts
from jun_engine.cases.errors import CaseRefusedError, UnknownDepartmentError
from jun_engine.cases.opening import notify_department, privacy_of, set_due_times
from jun_engine.cases.outgoing import answer_in_public, case_key
from jun_engine.cases.repository import add_event, move, opening_message
from jun_engine.cases.survey import request_rating
from jun_engine.cases.texts import localized, say
from jun_engine.channels.addressing import addressing, private_replies
from jun_engine.config.schema import Config
from jun_engine.domain.cases import can_move
from jun_engine.domain.messages import InboundMessage, MessageKind
from jun_engine.domain.statuses import CaseStatus, ExampleSource, Privacy
from jun_engine.outbox.answer import answer as answer_resident
from jun_engine.outbox.api import Priority
from jun_engine.store.tables import CaseEventRow, CaseRow, RoutingExampleRow


def answer(
    session: Session, case: CaseRow, text: str, *, actor: str, config: Config, now: datetime
) -> None:
    """Send staff's answer to the resident by the path the rules allow, and record it."""
    if not text.strip():
        raise CaseRefusedError(case.reference, "the answer is empty", key="empty_answer")
    _refuse_if_final(case)
    message = opening_message(session, case)
    if message is None:
        raise CaseRefusedError(
            case.reference, "its message is gone (erased); answer in person", key="erased"
        )
    number = _count(session, case, "answer") + 1
    path = _send_answer(session, case, message, text.strip(), config, what=f"answer:{number}")
    add_event(session, case, "answer", actor=actor, at=now, detail=path)
    record_first_response(session, case, actor=actor, at=now)
    if has_resolved_tag(text, config):
        resolve(session, case, actor=actor, config=config, now=now)


def record_first_response(session: Session, case: CaseRow, *, actor: str, at: datetime) -> None:
    """Stamp the first response and mark the case answered (if its status allows)."""
    if case.first_response_at is None:
        case.first_response_at = at
        session.add(case)
    if case.status is not CaseStatus.ANSWERED and can_move(case.status, CaseStatus.ANSWERED):
        move(session, case, CaseStatus.ANSWERED, kind="answered", actor=actor, at=at)


def resolve(
    session: Session,
    case: CaseRow,
    *,
    actor: str,
    config: Config,
    now: datetime,
    text: str = "",
) -> None:
    """Mark the case resolved (answering first when `text` is given) and ask for a rating."""
    if text.strip():
        answer(session, case, text, actor=actor, config=config, now=now)
        if case.status is CaseStatus.RESOLVED:
            return
    if case.status is CaseStatus.RESOLVED:
        return
    _refuse_unless(case, CaseStatus.RESOLVED)
    move(session, case, CaseStatus.RESOLVED, kind="resolved", actor=actor, at=now)
    if case.first_response_at is None:
        case.first_response_at = now
    message = opening_message(session, case)
    if message is not None and case.author_id and _private_path(case, message):
        _answer_privately(
            session,
            case,
            message,
            config,
            what="resolved",
            priority=Priority.NOTICE,
            text=say(config, "resolved_dm", case.language, reference=case.reference),
        )
    request_rating(session, case, config, now)


def reopen(session: Session, case: CaseRow, *, actor: str, now: datetime) -> None:
    """Reopen a closed (or resolved) case, so that staff can answer it again."""
    _refuse_unless(case, CaseStatus.REOPENED)
    move(session, case, CaseStatus.REOPENED, kind="reopened", actor=actor, at=now)


def note(session: Session, case: CaseRow, text: str, *, actor: str, now: datetime) -> None:
    """An internal note on the case (never sent anywhere)."""
    if not text.strip():
        raise CaseRefusedError(case.reference, "the note is empty", key="note_empty")
    add_event(session, case, "note", actor=actor, at=now, detail=text.strip())


def reroute(
    session: Session,
    case: CaseRow,
    department: str,
    category: str | None,
    *,
    actor: str,
    config: Config,
    now: datetime,
) -> None:
    """Move the case to another department, store the correction for the router, and notify."""
    dept = config.departments.get(department)
    if dept is None:
        raise UnknownDepartmentError("department", department, config.departments)
    if category is not None and category not in dept.categories:
        raise UnknownDepartmentError(
            f"category of {department}", category, dept.categories, department=department
        )
    _refuse_unless(case, CaseStatus.REROUTED)
    message = opening_message(session, case)
    previous = f"{case.department}/{case.category or '-'}"
    case.department, case.category = department, category
    case.external_body = dept.categories[category].external_body if category else None
    kind = message.kind if message is not None else MessageKind.DM
    if case.privacy is Privacy.PUBLIC:
        case.privacy = privacy_of(config, department, category, kind)
    set_due_times(case, config)
    move(
        session,
        case,
        CaseStatus.REROUTED,
        kind="rerouted",
        actor=actor,
        at=now,
        detail=f"{previous} -> {department}/{category or '-'}",
    )
    if message is not None:
        session.add(
            RoutingExampleRow(
                text=message.text,
                department=department,
                category=category,
                source=ExampleSource.CORRECTION,
                case_id=case.id,
                created_at=now,
            )
        )
        number = _count(session, case, "rerouted")
        notify_department(session, case, message, config, now, occasion=f"reroute:{number}")
        if case.author_id and private_replies(message.channel):
            _answer_privately(
                session,
                case,
                message,
                config,
                what=f"moved:{number}",
                priority=Priority.ACK,  # heard before any answer the new department gives
                text=say(
                    config,
                    "moved_dm",
                    case.language,
                    reference=case.reference,
                    department=localized(dept.name, case.language, config),
                ),
            )


def merge(
    session: Session, case: CaseRow, into: CaseRow, *, actor: str, config: Config, now: datetime
) -> None:
    """Close `case` as a duplicate of `into`; a resident who wrote by DM is told by DM."""
    if case.id == into.id:
        raise CaseRefusedError(
            case.reference, "a case cannot be merged into itself", key="merge_itself"
        )
    if into.status is CaseStatus.MERGED:
        raise CaseRefusedError(
            into.reference, "is itself merged; merge into the case it joined", key="into_merged"
        )
    _refuse_unless(case, CaseStatus.MERGED)
    case.merged_into_id = into.id
    move(
        session,
        case,
        CaseStatus.MERGED,
        kind="merged",
        actor=actor,
        at=now,
        detail=f"into {into.reference}",
    )
    add_event(session, into, "merged_in", actor=actor, at=now, detail=case.reference)
    message = opening_message(session, case)
    if message is not None and case.author_id and _private_path(case, message):
        _answer_privately(
            session,
            case,
            message,
            config,
            what="merged",
            priority=Priority.NOTICE,
            text=say(
                config, "merged_dm", case.language, reference=case.reference, into=into.reference
            ),
        )


def has_resolved_tag(text: str, config: Config) -> bool:
    """Whether the text carries one of `cases.resolved_hashtags` (any case)."""
    folded = text.casefold()
    return any(tag.casefold() in folded for tag in config.cases.resolved_hashtags)


def _send_answer(
    session: Session,
    case: CaseRow,
    message: InboundMessage,
    text: str,
    config: Config,
    *,
    what: str,
) -> str:
    dept = config.departments[case.department]
    name = localized(dept.name, case.language, config)
    if _private_path(case, message):
        assert case.author_id is not None
        # In a private chat where the town's one account speaks for everyone (LINE), the
        # answer is signed by the department, as a letter is.
        signed = private_replies(message.channel)
        dm = say(
            config,
            "signed_answer" if signed else "dm_answer",
            case.language,
            department=name,
            reference=case.reference,
            answer=text,
        )
        _answer_privately(session, case, message, config, what=what, text=dm, priority=Priority.ACK)
        return "private reply from town, signed" if signed else "dm"
    dept_id = accounts.department_id(config, case.department)
    if dept_id == message.account_id or message.mentions(dept_id):
        sender, public = dept_id, text
    else:
        handle = addressing(message.channel, config).mention(config.accounts[dept.account].handle)
        sender = message.account_id
        public = say(
            config,
            "credited_answer",
            case.language,
            department=name,
            handle=handle,
            reference=case.reference,
            answer=text,
        )
    answer_in_public(
        session,
        case,
        message,
        config,
        what=what,
        text=public,
        priority=Priority.ACK,
        sender=sender,
    )
    return "reply from department" if sender == dept_id else "reply from town, crediting"


def _answer_privately(
    session: Session,
    case: CaseRow,
    message: InboundMessage,
    config: Config,
    *,
    what: str,
    text: str,
    priority: int,
) -> None:
    """A DM to the resident: from the account they wrote to by DM, or the town's to a post."""
    answer_resident(
        session,
        config,
        message,
        text,
        key=case_key(case, what),
        privately=True,
        from_town=not message.is_private,
        priority=priority,
        case_id=case.id,
    )


def _private_path(case: CaseRow, message: InboundMessage) -> bool:
    return message.is_private or case.privacy is Privacy.PRIVATE


def _count(session: Session, case: CaseRow, kind: str) -> int:
    statement = select(func.count()).where(
        CaseEventRow.case_id == case.id, CaseEventRow.kind == kind
    )
    return int(session.exec(statement).one())


def _refuse_if_final(case: CaseRow) -> None:
    if case.status is CaseStatus.MERGED:
        raise CaseRefusedError(
            case.reference, "it was merged into another case; answer there", key="merged"
        )
    if case.status is CaseStatus.CLOSED:
        raise CaseRefusedError(
            case.reference,
            "it is closed; to answer it, reopen it: "
            f"`jun-engine cases reply --reopen {case.reference} TEXT`",
        )


def _refuse_unless(case: CaseRow, wanted: CaseStatus) -> None:
    if not can_move(case.status, wanted):
        raise CaseRefusedError(
            case.reference, f"it is {case.status.value} and cannot become {wanted.value}"
        )
