"""Opening a case from an admitted, routed message: the case, its acknowledgement to the resident
and its notification to the department, all in the caller's transaction.

Acknowledgement (in the resident's language, where they wrote: `outbox.answer`):
- a public mention in a public category: a reply from the account the resident mentioned, with
  the reference and the department's handle (X lets an account answer whoever mentioned it);
- a public mention in a private category: a public "we have sent you a DM" and the real
  acknowledgement by DM from the town account;
- a DM: a DM back from the account that received it.
Each goes out on the channel the resident wrote on, addressed as that channel does
(`channels.addressing`: on X, a tagged reply, a DM, a status link and @handles).
Notification, without spending the town's DMs: a public case's acknowledgement mentions the
department's account (the resident sees who is on it, the department sees the mention); every
case is in the department's daily digest (`cases.digest`) and on the web desk; a private case
of a department with `email` addresses is e-mailed to it, with no personal data
(`cases.department_mail`, recorded in this transaction). Only a department
with `notify_by_dm: true` also gets a DM from the town account, in the town's default language,
with the reference, the category, the urgency and, for a public mention only, the author's
@handle, a summary of the post and its link (paced with every other DM by the outbox).
"""

from __future__ import annotations

import unicodedata
from datetime import datetime

from sqlmodel import Session

from jun_engine.cases import accounts
from jun_engine.cases.business_time import Calendar, add_business_time
from jun_engine.cases.department_mail import record_case_mail
from jun_engine.cases.incidents import join_open_incident
from jun_engine.cases.names import author_of
from jun_engine.cases.outgoing import answer_in_public, case_key, direct_message
from jun_engine.cases.repository import ENGINE, add_event, case_of_message, move, next_reference
from jun_engine.cases.texts import localized, say, word
from jun_engine.channels.addressing import addressing
from jun_engine.channels.ports import Addressing
from jun_engine.config.schema import Config
from jun_engine.domain.messages import InboundMessage, MessageKind
from jun_engine.domain.residents import Admission
from jun_engine.domain.routing import Routing
from jun_engine.domain.statuses import CaseStatus, Privacy
from jun_engine.outbox.answer import answer
from jun_engine.outbox.api import Priority
from jun_engine.pipeline.turn import Turn
from jun_engine.residents.texts import guess_language
from jun_engine.store.tables import CaseRow, IncidentRow, ResidentRow

SUMMARY_CHARS = 200
"""How much of a public post a department's notification quotes."""


def open_case(message: InboundMessage, turn: Turn) -> int:
    """Open the case for the admitted, routed `message` (or return the one it already opened);
    its id."""
    assert turn.admission is not None
    assert turn.routing is not None
    session, config, now = turn.session, turn.config, turn.now
    existing = case_of_message(session, turn.message_id)
    if existing is not None and existing.id is not None:
        return existing.id
    case = _new_case(session, message, turn.message_id, turn.admission, turn.routing, config, now)
    # Its two moves reach the case's row in one UPDATE when the transaction next flushes, not
    # one before each query in between (its history lines are written as they come).
    with session.no_autoflush:
        add_event(session, case, "opened", actor=ENGINE, at=now, to_status=CaseStatus.OPEN)
        why = _why(turn.routing)
        move(session, case, CaseStatus.ROUTED, kind="routed", actor=ENGINE, at=now, detail=why)
        acknowledge(session, case, message, config, now)
        notify_department(session, case, message, config, now)
    assert case.id is not None
    return case.id


def privacy_of(config: Config, department: str, category: str | None, kind: MessageKind) -> Privacy:
    """Private when the resident wrote by DM, or the category (else department) is private."""
    dept = config.departments[department]
    chosen = dept.categories[category].privacy if category in dept.categories else None
    private = kind is MessageKind.DM or (chosen or dept.privacy) == "private"
    return Privacy.PRIVATE if private else Privacy.PUBLIC


def set_due_times(case: CaseRow, config: Config) -> None:
    """The case's SLA due times, in its department's opening hours, from its opening."""
    dept = config.departments[case.department]
    calendar = Calendar.of(config, case.department)
    case.first_response_due = add_business_time(case.opened_at, dept.sla.first_response, calendar)
    case.resolution_due = add_business_time(case.opened_at, dept.sla.resolution, calendar)


def _new_case(
    session: Session,
    message: InboundMessage,
    message_id: int,
    admission: Admission,
    routing: Routing,
    config: Config,
    now: datetime,
) -> CaseRow:
    department = routing.department
    if department not in config.departments:
        department = config.triage_department()
    dept = config.departments[department]
    category = routing.category if routing.category in dept.categories else None
    external = dept.categories[category].external_body if category else None
    year = now.astimezone(Calendar.of(config, department).zone).year
    case = CaseRow(
        reference=next_reference(session, config.cases.reference_prefix, year),
        resident_id=admission.resident_id,
        message_id=message_id,
        department=department,
        category=category,
        intent=routing.intent.value,
        urgency=routing.urgency.value,
        channel=message.channel,
        privacy=privacy_of(config, department, category, message.kind),
        status=CaseStatus.OPEN,
        language=_language(session, message, admission, config),
        opened_at=now,
        author_id=message.author_id,
        external_body=external,
    )
    set_due_times(case, config)
    session.add(case)
    session.flush()
    return case


def acknowledge(
    session: Session, case: CaseRow, message: InboundMessage, config: Config, now: datetime
) -> None:
    """Queue the resident's one acknowledgement and mark the case acknowledged (or forwarded)."""
    priority = Priority.EMERGENCY if case.urgency == "emergency" else Priority.ACK
    if message.is_private:
        answer(
            session,
            config,
            message,
            _ack_dm(case, config),
            key=case_key(case, "ack"),
            priority=priority,
            case_id=case.id,
        )
    elif case.privacy is Privacy.PRIVATE:
        public = say(config, "ack_moved_to_dm", case.language, reference=case.reference)
        answer_in_public(
            session,
            case,
            message,
            config,
            what="ack",
            text=public,
            priority=priority,
            distinct=True,
        )
        answer(
            session,
            config,
            message,
            _ack_dm(case, config),
            key=case_key(case, "ack-dm"),
            privately=True,
            from_town=True,
            priority=priority,
            case_id=case.id,
        )
    else:
        channel = addressing(message.channel, config)
        incident = join_open_incident(session, case, message.hashtags, now)
        text = (
            _ack_public(case, config, channel)
            if incident is None
            else _ack_incident(case, config, channel, incident)
        )
        answer_in_public(
            session, case, message, config, what="ack", text=text, priority=priority, distinct=True
        )
    status = CaseStatus.FORWARDED if case.external_body else CaseStatus.ACKNOWLEDGED
    move(
        session, case, status, kind="acknowledged", actor=ENGINE, at=now, detail=case.external_body
    )
    case.acknowledged_at = now


def notify_department(
    session: Session,
    case: CaseRow,
    message: InboundMessage,
    config: Config,
    now: datetime,
    *,
    occasion: str = "new",
) -> None:
    """Record how the department hears of this case: its e-mail if it has addresses and the
    case is private (`cases.department_mail`); its DM (once per `occasion`) only if it asked
    for one (`notify_by_dm`)."""
    emailed = record_case_mail(session, case, config, now, occasion)
    if not config.departments[case.department].notify_by_dm:
        detail = _how_told(case, occasion, emailed=emailed)
        add_event(session, case, "notified", actor=ENGINE, at=now, detail=detail)
        return
    recipient = accounts.notification_recipient(config, case.department)
    if recipient is None:
        add_event(
            session,
            case,
            "not_notified",
            actor=ENGINE,
            at=now,
            detail="the department has no account to notify other than the town's",
        )
        return
    language = config.town.default_language
    values = {
        "reference": case.reference,
        "category": _category_name(config, case, language),
        "urgency": word(config, "urgency", case.urgency or "normal", language),
    }
    if case.privacy is Privacy.PRIVATE:
        text = say(config, "notify_private", language, **values)
    else:
        text = say(
            config,
            "notify_public",
            language,
            **values,
            author=author_of(session, message, config, language),
            summary=summary_of(message.text),
            link=addressing(message.channel, config).permalink(message),
        )
    # a notice to staff: after residents' answers, within the DMs they leave (an emergency first)
    priority = Priority.EMERGENCY if case.urgency == "emergency" else Priority.NOTICE
    direct_message(
        session,
        case,
        key=case_key(case, f"notify:{occasion}"),
        sender=accounts.town_id(config),
        recipient=recipient,
        text=text,
        priority=priority,
    )
    add_event(session, case, "notified", actor=ENGINE, at=now, detail=case.department)


def _how_told(case: CaseRow, occasion: str, *, emailed: bool) -> str:
    """How a department that takes no DMs hears of `case`."""
    where = "e-mail, digest and web desk" if emailed else "digest and web desk"
    if case.privacy is Privacy.PUBLIC and occasion == "new":
        where = "mentioned in the acknowledgement; " + where
    return f"{case.department}: {where}"


def summary_of(text: str) -> str:
    """A one-line excerpt of a public post for staff: control characters out, spaces folded."""
    visible = "".join(" " if unicodedata.category(c)[0] == "C" else c for c in text)
    folded = " ".join(visible.split())
    return folded if len(folded) <= SUMMARY_CHARS else folded[: SUMMARY_CHARS - 1] + "…"


def _ack_public(case: CaseRow, config: Config, channel: Addressing) -> str:
    dept = config.departments[case.department]
    values = {
        "reference": case.reference,
        "department": localized(dept.name, case.language, config),
        "handle": channel.mention(config.accounts[dept.account].handle),
    }
    if case.external_body:
        body = config.external_bodies[case.external_body]
        return say(
            config,
            "ack_forwarded",
            case.language,
            **values,
            body=body.name,
            body_handle=channel.mention(body.handle),
        )
    return say(config, "ack_public", case.language, **values)


def _ack_incident(case: CaseRow, config: Config, channel: Addressing, incident: IncidentRow) -> str:
    """The short answer to a report of an incident the desk already knows about."""
    dept = config.departments[case.department]
    return say(
        config,
        "ack_incident",
        case.language,
        incident=incident.id,
        reference=case.reference,
        department=localized(dept.name, case.language, config),
        handle=channel.mention(config.accounts[dept.account].handle),
    )


def _ack_dm(case: CaseRow, config: Config) -> str:
    dept = config.departments[case.department]
    return say(
        config,
        "ack_dm",
        case.language,
        reference=case.reference,
        department=localized(dept.name, case.language, config),
    )


def _category_name(config: Config, case: CaseRow, language: str) -> str:
    dept = config.departments[case.department]
    if case.category in dept.categories:
        return localized(dept.categories[case.category].name, language, config)
    return localized(dept.name, language, config)


def _language(
    session: Session, message: InboundMessage, admission: Admission, config: Config
) -> str:
    if admission.resident_id is not None:
        resident = session.get(ResidentRow, admission.resident_id)
        if resident is not None and resident.language:
            return resident.language
    return guess_language(message.text, config)


def _why(routing: Routing) -> str:
    return f"{routing.layer.value} {routing.confidence:.2f}: " + "; ".join(
        str(reason) for reason in routing.reasons[:3]
    )
