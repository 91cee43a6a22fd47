"""Incidents on the case desk: reports of one thing grouped, linked, announced once, then closed.

`link_incidents` is a desk job. Each run it closes the open incidents with no new report for a
whole `routing.incident_window`, groups the cases opened within the window
(`routing.incidents.find_incidents`), and creates or extends one open incident per group, setting
`case.incident_id`. When an incident first holds `routing.incident_min_reports` cases, the
department's account gets one DM ("surge") if it asked for DMs (`notify_by_dm`, as for its
cases; else it sees the incident on the web desk and in its digest), and the town account posts
once: tagging the outside body's @handle when one is responsible, else mentioning the
department's account. Both go
through the outbox under the keys `incident:<id>:alert` and `incident:<id>:tag` (or `:post`), so
running the job again sends nothing twice. A case opened while its department has an open
incident about the same thing (its outside body, or a hashtag of the post) joins it at once
(`join_open_incident`), and its public acknowledgement is the short one naming the incident. The
public post is built from configured names, a count and the incident number only: never from
anything a resident wrote.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from jun_engine.cases import accounts
from jun_engine.cases.outgoing import direct_message
from jun_engine.cases.repository import ENGINE, add_event
from jun_engine.cases.texts import localized
from jun_engine.config.schema import Config
from jun_engine.domain.routing import Intent, Layer, Routing, Urgency
from jun_engine.domain.statuses import OutboxKind
from jun_engine.outbox.api import Priority, enqueue
from jun_engine.routing.incidents import Incident, IncidentRules, Report, find_incidents
from jun_engine.routing.rules import RuleSet
from jun_engine.store.tables import CaseRow, InboundMessageRow, IncidentRow

LINKED = "incident"
"""The case-history line written when a case joins an incident."""
MAX_REFERENCES = 20
"""Case references listed in the department's alert (the count gives the rest)."""

TEXTS: Mapping[str, Mapping[str, str]] = {
    "alert": {
        "es": "Incidencia #{id}: {count} avisos de {what} en poco tiempo. Casos: {references}",
        "en": "Surge: {count} reports of {what}, incident #{id}. Cases: {references}",
        "th": "เหตุการณ์ #{id}: มีการแจ้งเรื่อง {what} {count} ครั้ง เรื่อง: {references}",
    },
    "tag": {
        "es": "Incidencia #{id}: {count} vecinos de {town} nos avisan de {what}. @{handle}, "
        "¿podéis revisarlo? Lo sigue {department}.",
        "en": "Incident #{id}: {count} residents of {town} report {what}. @{handle}, could you "
        "look into it? {department} is following it.",
        "th": "เหตุการณ์ #{id}: ผู้อยู่อาศัยใน {town} {count} คนแจ้งเรื่อง {what} @{handle} "
        "โปรดตรวจสอบ {department} กำลังติดตาม",
    },
    "post": {
        "es": "Incidencia #{id}: {count} vecinos de {town} nos avisan de {what}. Lo sigue "
        "{department} (@{handle}); os contaremos aquí.",
        "en": "Incident #{id}: {count} residents of {town} report {what}. {department} "
        "(@{handle}) is on it; updates here.",
        "th": "เหตุการณ์ #{id}: ผู้อยู่อาศัยใน {town} {count} คนแจ้งเรื่อง {what} {department} "
        "(@{handle}) กำลังดูแล จะแจ้งความคืบหน้าที่นี่",
    },
}


def link_incidents(session: Session, config: Config, now: datetime) -> int:
    """Close stale incidents, then group the window's cases into incidents; how many cases were
    newly linked. Running it again at the same `now` changes and sends nothing."""
    window = config.routing.incident_window
    _close_stale(session, now - window, now)
    recent = _recent_cases(session, now - window, now)
    if len(recent) < 2:
        return 0
    rules = IncidentRules.from_config(config, RuleSet.from_config(config))
    # Groups of any size extend an incident already open; only a full group opens a new one.
    linking = dataclasses.replace(rules, min_reports=2)
    linked = 0
    for found in find_incidents((r.report for r in recent.values()), now, linking):
        cases = [recent[key].case for key in found.report_keys]
        incident = _incident_for(session, found, cases, rules.min_reports, now)
        if incident is None:
            continue
        linked += _link(session, incident, cases, now)
        _announce(session, config, incident, found, rules.min_reports)
    return linked


def join_open_incident(
    session: Session, case: CaseRow, hashtags: Sequence[str], now: datetime
) -> IncidentRow | None:
    """Link a new case at once to its department's open incident about the same thing (the
    same outside body, or one of the post's hashtags), so a burst's later reports get a short
    answer naming the incident; None when there is none."""
    keys = [f"body:{case.external_body}"] if case.external_body else []
    keys += [tag for tag in hashtags if tag.startswith("#")]
    if not keys:
        return None
    incident = session.exec(
        select(IncidentRow)
        .where(
            IncidentRow.department == case.department,
            IncidentRow.key.in_(keys),  # type: ignore[attr-defined]
            IncidentRow.closed_at.is_(None),  # type: ignore[union-attr]
        )
        .order_by(IncidentRow.id)  # type: ignore[arg-type]
    ).first()
    if incident is not None:
        _link(session, incident, [case], now)
    return incident


def incident_key(found: Incident) -> str:
    """The open incident's name within its department: the outside body, else the first shared
    hashtag, else its first report (near-identical texts share nothing else)."""
    if found.external_body:
        return f"body:{found.external_body}"
    tags = [signal for signal in found.signals if signal.startswith("#")]
    return (tags[0] if tags else f"similar:{found.report_keys[0]}")[:200]


def _close_stale(session: Session, since: datetime, now: datetime) -> None:
    for incident in session.exec(select(IncidentRow).where(IncidentRow.closed_at.is_(None))):  # type: ignore[union-attr]
        last = session.exec(
            select(sa.func.max(CaseRow.opened_at)).where(CaseRow.incident_id == incident.id)
        ).one()
        if last is None or last < since:
            incident.closed_at = now
            session.add(incident)
    session.flush()


def _recent_cases(session: Session, since: datetime, now: datetime) -> dict[str, Recent]:
    """The cases opened in [since, now] with their message, by case id."""
    statement = (
        select(CaseRow, InboundMessageRow)
        .join(InboundMessageRow, CaseRow.message_id == InboundMessageRow.id)  # type: ignore[arg-type]
        .where(CaseRow.opened_at >= since, CaseRow.opened_at <= now)
        .order_by(CaseRow.opened_at, CaseRow.id)  # type: ignore[arg-type]
    )
    return {
        str(case.id): Recent(_report(case, message), case)
        for case, message in session.exec(statement)
    }


def _report(case: CaseRow, message: InboundMessageRow) -> Report:
    return Report(
        key=str(case.id),
        at=case.opened_at,
        text=message.text,
        routing=_routing(case),
        hashtags=tuple(message.hashtags.split()),
    )


@dataclasses.dataclass(frozen=True, slots=True)
class Recent:
    """A case opened within the window, and how incident grouping sees it."""

    report: Report
    case: CaseRow


def _routing(case: CaseRow) -> Routing:
    intents = {i.value for i in Intent}
    intent = Intent(case.intent) if case.intent in intents else Intent.COMPLAINT
    urgency = Urgency.EMERGENCY if case.urgency == Urgency.EMERGENCY else Urgency.NORMAL
    return Routing(case.department, case.category, intent, urgency, 1.0, Layer.KEYWORD)


def _incident_for(
    session: Session,
    found: Incident,
    cases: Sequence[CaseRow],
    min_reports: int,
    now: datetime,
) -> IncidentRow | None:
    """The open incident this group extends, or a new one if the group is big enough."""
    held = sorted({c.incident_id for c in cases if c.incident_id is not None})
    for incident_id in held:
        row = session.get(IncidentRow, incident_id)
        if row is not None and row.closed_at is None:
            return row
    key = incident_key(found)
    open_row = session.exec(
        select(IncidentRow).where(
            IncidentRow.department == found.department,
            IncidentRow.key == key,
            IncidentRow.closed_at.is_(None),  # type: ignore[union-attr]
        )
    ).first()
    if open_row is not None:
        return open_row
    if len(cases) < min_reports:
        return None
    row = IncidentRow(
        department=found.department,
        key=key,
        external_body=found.external_body or _category_body(cases),
        opened_at=found.first_at,
    )
    session.add(row)
    session.flush()
    return row


def _link(session: Session, incident: IncidentRow, cases: Sequence[CaseRow], now: datetime) -> int:
    linked = 0
    for case in cases:
        if case.incident_id is not None:
            continue
        case.incident_id = incident.id
        session.add(case)
        add_event(session, case, LINKED, actor=ENGINE, at=now, detail=f"incident #{incident.id}")
        linked += 1
    session.flush()
    return linked


def _announce(
    session: Session, config: Config, incident: IncidentRow, found: Incident, min_reports: int
) -> None:
    cases = list(
        session.exec(
            select(CaseRow).where(CaseRow.incident_id == incident.id).order_by(CaseRow.opened_at)  # type: ignore[arg-type]
        )
    )
    if len(cases) < min_reports:
        return
    assert incident.id is not None
    language = config.town.default_language
    what = _what(config, incident, cases, language)
    department = config.departments[incident.department]
    recipient = accounts.notification_recipient(config, incident.department)
    if department.notify_by_dm and recipient is not None:
        direct_message(
            session,
            None,
            key=f"incident:{incident.id}:alert",
            sender=accounts.town_id(config),
            recipient=recipient,
            priority=Priority.NOTICE,
            text=_say("alert", language, id=incident.id, count=len(cases), what=what,
                      references=_references(cases)),
        )  # fmt: skip
    body = config.external_bodies.get(incident.external_body or "")
    values = {
        "id": incident.id,
        "count": len(cases),
        "what": what,
        "town": config.town.name,
        "department": localized(department.name, language, config),
        "handle": body.handle if body else config.accounts[department.account].handle,
    }
    enqueue(
        session,
        key=f"incident:{incident.id}:{'tag' if body else 'post'}",
        account_id=accounts.town_id(config),
        kind=OutboxKind.POST,
        priority=Priority.ACK,
        text=_say("tag" if body else "post", language, **values),
    )


def _what(config: Config, incident: IncidentRow, cases: Sequence[CaseRow], language: str) -> str:
    """What the incident is about, in configured words only: the most reported category, else
    the outside body, else the department."""
    department = config.departments[incident.department]
    counted = Counter(c.category for c in cases if c.category in department.categories)
    if counted:
        category = department.categories[counted.most_common(1)[0][0] or ""]
        return localized(category.name, language, config)
    body = config.external_bodies.get(incident.external_body or "")
    return body.name if body is not None else localized(department.name, language, config)


def _category_body(cases: Sequence[CaseRow]) -> str | None:
    bodies = Counter(c.external_body for c in cases if c.external_body)
    return bodies.most_common(1)[0][0] if bodies else None


def _references(cases: Sequence[CaseRow]) -> str:
    shown = ", ".join(c.reference for c in cases[:MAX_REFERENCES])
    more = len(cases) - MAX_REFERENCES
    return f"{shown} … +{more}" if more > 0 else shown


def _say(key: str, language: str, **values: object) -> str:
    table = TEXTS[key]
    return (table.get(language) or table["es"]).format(**values)
