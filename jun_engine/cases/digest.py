"""The daily digest: each department's account gets one DM a day, from `cases.digest_time`
(local), listing its open cases, overdue ones marked, in the town's default language (statuses
and counts included); a department with `email` addresses gets it by e-mail instead
(`cases.department_mail`), sparing the town's DMs. Running it twice on the same local day sends
nothing new."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from jun_engine.cases import accounts
from jun_engine.cases.department_mail import record_digest_mail
from jun_engine.cases.outgoing import direct_message
from jun_engine.cases.repository import open_cases
from jun_engine.cases.sla import missed_target
from jun_engine.cases.texts import localized, say, word
from jun_engine.config.schema import Config
from jun_engine.outbox.api import Priority
from jun_engine.scheduling.calendar import at_local_time, local_day
from jun_engine.scheduling.calendar import zone as zone_of
from jun_engine.store.tables import CaseRow

MAX_LINES = 40
"""Cases listed per digest (oldest first); the head line gives the full count."""


def send_daily_digests(session: Session, config: Config, now: datetime) -> int:
    """Queue today's digest for every department with open cases, once it is the day's
    `cases.digest_time`; how many were queued."""
    town_zone = zone_of(config)
    today = local_day(config, now)
    if now < at_local_time(config, today, config.cases.digest_time):
        return 0  # staff read it at the start of their day, not at midnight
    day = today.isoformat()
    queued = 0
    for department, dept in config.departments.items():
        cases = open_cases(session, department)
        if not cases:
            continue
        text = digest_text(cases, department, config, now, town_zone)
        if dept.email:
            queued += record_digest_mail(session, config, department, text, now)
            continue
        recipient = accounts.notification_recipient(config, department)
        if recipient is not None and _dm(session, config, department, day, recipient, text):
            queued += 1
    return queued


def _dm(
    session: Session, config: Config, department: str, day: str, recipient: str, text: str
) -> bool:
    """Queue the digest as a DM from the town account; False when today's is queued already."""
    queued = direct_message(
        session,
        None,
        key=f"digest:{department}:{day}",
        sender=accounts.town_id(config),
        recipient=recipient,
        text=text,
        priority=Priority.NOTICE,
    )
    return queued is not None


def digest_text(
    cases: Sequence[CaseRow],
    department: str,
    config: Config,
    now: datetime,
    zone: ZoneInfo,
) -> str:
    """The digest of `cases` (rows of one department) at `now`."""
    rows = list(cases)
    language = config.town.default_language
    dept = config.departments[department]
    overdue = [case for case in rows if missed_target(case, now) is not None]
    lines = [
        say(
            config,
            "digest_head",
            language,
            department=localized(dept.name, language, config),
            open=say(config, "open_cases", language, count=len(rows)),
            overdue=say(config, "overdue_cases", language, count=len(overdue)),
        )
    ]
    for case in rows[:MAX_LINES]:
        lines.append(_line(case, config, language, now, zone))
    if len(rows) > MAX_LINES:
        lines.append(say(config, "more_cases", language, count=len(rows) - MAX_LINES))
    return "\n".join(lines)


def _line(case: CaseRow, config: Config, language: str, now: datetime, zone: ZoneInfo) -> str:
    missed = missed_target(case, now)
    due = case.first_response_due if case.first_response_at is None else case.resolution_due
    dept = config.departments[case.department]
    category = dept.categories.get(case.category or "")
    return say(
        config,
        "digest_line",
        language,
        reference=case.reference,
        category=localized(category.name, language, config) if category else "-",
        status=word(config, "status", case.status.value, language),
        due=due.astimezone(zone).strftime("%d/%m %H:%M") if due else "-",
        late=say(config, "late_mark", language) if missed else "",
    )
