"""A department's e-mails, recorded in the case desk's own transaction as `department_mail`
rows: each new private case of a department with `email` addresses (in the transaction that
opens or reroutes it), and its daily digest instead of a DM from the town (in the digest job's).
`jun_engine.mail.departments` sends them, at most once.

Nothing personal goes in them, whatever the channel: the case's reference, department,
category and urgency, when it was opened and its SLA targets in the town's zone, and the web
desk's link to it (the desk decides who may read the case). Never the resident's words, handle,
name, place or photos. They are written in the town's default language.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from jun_engine.cases.texts import localized, say, word
from jun_engine.config.schema import Config
from jun_engine.domain.statuses import DepartmentMailKind, Privacy
from jun_engine.store.tables import CaseRow, DepartmentMailRow


def record_case_mail(
    session: Session, case: CaseRow, config: Config, now: datetime, occasion: str
) -> bool:
    """Record the e-mail telling the department of the private `case` (once per `occasion`:
    `new`, `reroute:<n>`); False when the case is public or the department has no e-mail."""
    dept = config.departments[case.department]
    if case.privacy is not Privacy.PRIVATE or not dept.email:
        return False
    language = config.town.default_language
    zone = ZoneInfo(config.town.timezone)
    department = localized(dept.name, language, config)
    category = dept.categories.get(case.category or "")
    body = say(
        config,
        "mail_case",
        language,
        reference=case.reference,
        department=department,
        category=localized(category.name, language, config) if category else "-",
        urgency=word(config, "urgency", case.urgency or "normal", language),
        opened=local_time(case.opened_at, zone),
        first_response=local_time(case.first_response_due, zone),
        resolution=local_time(case.resolution_due, zone),
        link=case_link(config, case.reference),
    )
    subject = say(
        config,
        "mail_case_subject",
        language,
        town=config.town.name,
        reference=case.reference,
        department=department,
    )
    row = DepartmentMailRow(
        key=f"case:{case.id}:{occasion}",
        department=case.department,
        kind=DepartmentMailKind.CASE,
        case_id=case.id,
        subject=subject,
        body=body,
        created_at=now,
    )
    return _record(session, row)


def record_digest_mail(
    session: Session, config: Config, department: str, text: str, now: datetime
) -> bool:
    """Record today's digest `text` for the department, to go by e-mail (once a local day);
    False when it was recorded already."""
    language = config.town.default_language
    day = now.astimezone(ZoneInfo(config.town.timezone)).date().isoformat()
    dept = config.departments[department]
    link = say(config, "mail_digest_link", language, link=f"{config.web.url or ''}/")
    subject = say(
        config,
        "mail_digest_subject",
        language,
        town=config.town.name,
        department=localized(dept.name, language, config),
        day=day,
    )
    row = DepartmentMailRow(
        key=f"digest:{department}:{day}",
        department=department,
        kind=DepartmentMailKind.DIGEST,
        subject=subject,
        body=f"{text}\n\n{link}",
        created_at=now,
    )
    return _record(session, row)


def case_link(config: Config, reference: str) -> str:
    """The case's page on the web desk (`web.url`; the checks require it for e-mail)."""
    return f"{config.web.url or ''}/cases/{reference}"


def local_time(moment: datetime | None, zone: ZoneInfo) -> str:
    """`02/03/2026 10:30 (Europe/Madrid)`, or `-`."""
    if moment is None:
        return "-"
    return f"{moment.astimezone(zone):%d/%m/%Y %H:%M} ({zone.key})"


def _record(session: Session, row: DepartmentMailRow) -> bool:
    taken = select(DepartmentMailRow.id).where(col(DepartmentMailRow.key) == row.key)
    if session.exec(taken).first() is not None:
        return False
    session.add(row)
    return True
