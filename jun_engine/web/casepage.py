"""The case page's content: the resident by name and handle, the message (or why it is hidden),
SLA clocks in business time, the routing decision and its confidence, the history and what was
sent. Reading a private text here records the view."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from jun_engine.attachments.repository import photos_of, place_of
from jun_engine.cases.business_time import Calendar, open_time_between
from jun_engine.cases.errors import CaseNotFoundError
from jun_engine.cases.names import actor_name, author_of
from jun_engine.cases.repository import by_reference, history, message_of
from jun_engine.config.schema import Config
from jun_engine.domain.attachments import CasePlace
from jun_engine.domain.cases import OPEN_STATUSES, CaseEvent, can_move
from jun_engine.domain.statuses import CaseStatus
from jun_engine.store.tables import CaseRow, OutboxRow, ResidentRow
from jun_engine.web.access import Access, is_private, record_private_view

CONFIDENCE = re.compile(r"^(\w+) (\d(?:\.\d+)?):")
"""The routing decision as the opening records it: `model 0.83: why...`."""
_TEXT_EVENTS = frozenset({"note"})
"""History lines whose detail is staff-written text (private with the case)."""


class HiddenCaseError(LookupError):
    """No case of that reference exists for this person (unknown, or not theirs to see)."""


@dataclass(frozen=True, slots=True)
class SlaClock:
    """One SLA target of the case."""

    target: str
    due: datetime | None
    done: datetime | None
    left: timedelta | None
    overdue: bool


@dataclass(frozen=True, slots=True)
class Sent:
    """One thing sent to the resident for this case."""

    at: datetime
    kind: str
    status: str
    text: str | None


@dataclass(frozen=True, slots=True)
class CaseView:
    """Everything the case page shows."""

    case: CaseRow
    private: bool
    readable: bool
    acts: bool
    name: str | None
    handle: str
    district: str | None
    kind: str | None
    text: str | None
    routing: str | None
    routing_layer: str | None
    confidence: float | None
    clocks: list[SlaClock]
    events: list[CaseEvent]
    sent: list[Sent]
    merged_into: str | None
    can_resolve: bool
    can_reopen: bool
    can_reroute: bool
    can_merge: bool
    photo_ids: list[int]
    """The case's kept photos (served at /cases/<reference>/photos/<id>), when readable."""
    place: CasePlace | None
    """Where the resident put the pin, when readable."""


def visible_case(session: Session, access: Access, reference: str) -> CaseRow:
    """The case of `reference` if `access` sees it; HiddenCaseError otherwise (same error for
    an unknown reference and another department's case)."""
    try:
        case = by_reference(session, reference)
    except CaseNotFoundError:
        raise HiddenCaseError(reference) from None
    if not access.sees(case.department):
        raise HiddenCaseError(reference)
    return case


def case_view(
    session: Session, access: Access, reference: str, config: Config, now: datetime
) -> CaseView:
    """The case page of `reference` for `access`; records the view when it shows private text."""
    case = visible_case(session, access, reference)
    assert case.id is not None
    message = message_of(session, case)
    kind = message.kind.value if message is not None else None
    private = is_private(case.privacy, kind)
    readable = access.reads_text(case.department, private)
    if private and readable:
        record_private_view(session, access, case, now)
    resident = session.get(ResidentRow, case.resident_id) if case.resident_id else None
    handle = author_of(session, message, config, access_language(config)) if message else "-"
    events = [_shown_event(session, config, e, readable) for e in history(session, case.id)]
    routed = next((e.detail for e in events if e.kind == "routed" and e.detail), None)
    match = CONFIDENCE.match(routed or "")
    merged = session.get(CaseRow, case.merged_into_id) if case.merged_into_id else None
    status = case.status
    acts = access.acts_on(case.department)
    return CaseView(
        case=case,
        private=private,
        readable=readable,
        acts=acts,
        name=resident.name if resident is not None else None,
        handle=handle,
        district=resident.district if resident is not None else None,
        kind=kind,
        text=(message.text if message is not None and readable else None),
        routing=routed if readable or not private else None,
        routing_layer=match.group(1) if match else None,
        confidence=float(match.group(2)) if match else None,
        clocks=_clocks(case, config, now),
        events=events,
        sent=_sent(session, case, readable),
        merged_into=merged.reference if merged is not None else None,
        can_resolve=acts
        and status is not CaseStatus.RESOLVED
        and can_move(status, CaseStatus.RESOLVED),
        can_reopen=acts and can_move(status, CaseStatus.REOPENED),
        can_reroute=acts and can_move(status, CaseStatus.REROUTED),
        can_merge=acts and can_move(status, CaseStatus.MERGED),
        photo_ids=[p.id for p in photos_of(session, case.id) if p.id] if readable else [],
        place=place_of(session, case.id) if readable else None,
    )


def access_language(config: Config) -> str:
    """The language sentences about the resident are written in (the town's default)."""
    return config.town.default_language


def _shown_event(session: Session, config: Config, event: CaseEvent, readable: bool) -> CaseEvent:
    detail = event.detail
    if event.kind in _TEXT_EVENTS and not readable:
        detail = None
    if event.kind == "routed" and not readable:
        detail = None
    return CaseEvent(
        event.at,
        event.kind,
        actor_name(session, config, event.actor),
        event.from_status,
        event.to_status,
        detail,
    )


def _clocks(case: CaseRow, config: Config, now: datetime) -> list[SlaClock]:
    calendar = (
        Calendar.of(config, case.department) if case.department in config.departments else None
    )
    still_open = case.status in OPEN_STATUSES
    clocks = []
    for target, due, done in (
        ("first_response", case.first_response_due, case.first_response_at),
        ("resolution", case.resolution_due, case.resolved_at),
    ):
        waiting = done is None and still_open and due is not None
        overdue = waiting and due is not None and due <= now
        left = None
        if waiting and not overdue and due is not None and calendar is not None:
            left = open_time_between(now, due, calendar)
        clocks.append(SlaClock(target, due, done, left, overdue))
    return clocks


def _sent(session: Session, case: CaseRow, readable: bool) -> list[Sent]:
    rows = session.exec(
        select(OutboxRow)
        .where(OutboxRow.case_id == case.id, OutboxRow.part_no == 1)
        .order_by(col(OutboxRow.created_at), col(OutboxRow.id))
    )
    return [
        Sent(
            r.created_at,
            r.kind.value,
            r.status.value,
            r.text if readable or not r.private else None,
        )
        for r in rows
    ]
