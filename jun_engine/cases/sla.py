"""SLA watch: overdue cases escalate, once per missed target, by a DM from the town account to
the department's lead (else `cases.escalation_account`, the mayor say).

A case misses its first-response target when nobody from the town answered by
`first_response_due`, and its resolution target when it is still open at `resolution_due`. Both
due times were computed in the department's opening hours when the case opened or was rerouted
(`business_time`). The daemon runs `escalate_overdue` every few minutes on its clock.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from jun_engine.cases import accounts
from jun_engine.cases.outgoing import case_key, direct_message
from jun_engine.cases.repository import add_event, has_event, open_cases
from jun_engine.cases.texts import localized, say, word
from jun_engine.config.schema import Config
from jun_engine.outbox.api import Priority
from jun_engine.store.tables import CaseRow

ESCALATED = "escalated"


def missed_target(case: CaseRow, now: datetime) -> tuple[str, datetime] | None:
    """The target an open case has missed at `now` (first response before resolution), if any."""
    first_due = case.first_response_due
    if case.first_response_at is None and first_due is not None and first_due <= now:
        return "first_response", first_due
    if case.resolution_due is not None and case.resolution_due <= now:
        return "resolution", case.resolution_due
    return None


def escalate_overdue(session: Session, config: Config, now: datetime) -> int:
    """Escalate every open case that missed a target not escalated yet; how many escalated."""
    escalated = 0
    for case in open_cases(session):
        missed = missed_target(case, now)
        if missed is None or case.id is None:
            continue
        target, due = missed
        if has_event(session, case.id, ESCALATED, target):
            continue
        _escalate(session, case, target, due, config, now)
        escalated += 1
    return escalated


def _escalate(
    session: Session, case: CaseRow, target: str, due: datetime, config: Config, now: datetime
) -> None:
    recipient = accounts.escalation_recipient(config, case.department)
    if recipient is not None:
        direct_message(
            session,
            case,
            key=case_key(case, f"escalate:{target}"),
            sender=accounts.town_id(config),
            recipient=recipient,
            priority=Priority.ACK,
            text=_text(case, target, due, config),
        )
    told = accounts.account_name(config, recipient) if recipient else "nobody (no lead)"
    if case.escalated_at is None:
        case.escalated_at = now
        session.add(case)
    add_event(
        session,
        case,
        ESCALATED,
        actor="engine",
        at=now,
        ref=target,
        detail=f"{target} due {due.isoformat()}; told {told}",
    )


def _text(case: CaseRow, target: str, due: datetime, config: Config) -> str:
    language = config.town.default_language
    dept = config.departments[case.department]
    category = dept.categories.get(case.category or "")
    local = due.astimezone(ZoneInfo(config.town.timezone))
    return say(
        config,
        "escalation",
        language,
        reference=case.reference,
        department=localized(dept.name, language, config),
        category=localized(category.name, language, config) if category else "-",
        target=word(config, "target", target, language),
        due=local.strftime("%Y-%m-%d %H:%M"),
    )
