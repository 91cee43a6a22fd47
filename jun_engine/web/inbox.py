"""The inbox: the open cases a staff member sees, most urgent first, with their SLA clocks in
business time, narrowed by status, channel, district, category, overdue and a search, a page at
a time (keyset pagination: a page is as fast at the thousandth case as at the first)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from jun_engine.cases.business_time import Calendar, open_time_between
from jun_engine.config.schema import Config
from jun_engine.domain.cases import OPEN_STATUSES
from jun_engine.domain.messages import MessageKind
from jun_engine.domain.routing import Urgency
from jun_engine.domain.statuses import CaseStatus, Privacy, StaffRole
from jun_engine.store.column_types import UtcDateTime
from jun_engine.store.tables import CaseRow, InboundMessageRow, ResidentRow
from jun_engine.web.access import Access, is_private

PAGE = 100
SNIPPET = 140


@dataclass(frozen=True, slots=True)
class InboxFilter:
    """What the inbox narrows to; every field optional."""

    status: str = ""
    channel: str = ""
    district: str = ""
    category: str = ""
    department: str = ""
    overdue: bool = False
    query: str = ""


@dataclass(frozen=True, slots=True)
class InboxRow:
    """One open case as the inbox lists it (no private text, no numeric ids)."""

    reference: str
    department: str
    category: str | None
    status: CaseStatus
    channel: str
    private: bool
    emergency: bool
    opened_at: datetime
    handle: str | None
    name: str | None
    district: str | None
    snippet: str | None
    """The start of the message; None when private (read it on the case page, audited)."""
    clock: str
    """`first_response` or `resolution`: which target the clock counts down to."""
    due: datetime | None
    left: timedelta | None
    """Business time left until `due`; None when overdue or no target."""
    overdue: bool


@dataclass(frozen=True, slots=True)
class InboxPage:
    """One page of the inbox, and where the next one starts (None on the last page)."""

    rows: list[InboxRow]
    next_after: str | None


FAR = datetime(9999, 12, 31, tzinfo=UTC)
"""Sorts a case without a due time after every due one."""


def inbox(
    session: Session,
    access: Access,
    wanted: InboxFilter,
    config: Config,
    now: datetime,
    *,
    after: str = "",
    size: int = PAGE,
) -> InboxPage:
    """`size` open cases `access` sees that match `wanted`: emergencies first, then the nearest
    due time (overdue ones before all others), then the oldest; from the keyset `after` (the
    `next_after` of the page before) when given.

    The order and the page are found in the `case` table alone (its covering index
    `ix_case_inbox`; a filter on the message or the resident looks each up by key); only the
    page's rows then fetch their message and resident."""
    due = _due()
    rank = sa.case((col(CaseRow.urgency) == Urgency.EMERGENCY.value, 0), else_=1)
    due_key = sa.func.coalesce(due, sa.literal(FAR, UtcDateTime()))
    keys = (rank, due_key, col(CaseRow.opened_at), col(CaseRow.id))
    page = sa.select(
        col(CaseRow.id).label("id"),
        rank.label("rank"),
        due_key.label("due_key"),
        col(CaseRow.opened_at).label("opened_key"),
    ).select_from(CaseRow)
    for condition in _conditions(access, wanted, due, now):
        page = page.where(condition)
    cursor = _cursor(after)
    if cursor is not None:
        page = page.where(sa.tuple_(*keys) > sa.tuple_(*_cursor_values(cursor)))
    top = page.order_by(*keys).limit(size + 1).subquery("top")
    statement = (
        sa.select(
            top.c.rank,
            top.c.due_key,
            top.c.opened_key,
            top.c.id,
            col(CaseRow.reference),
            col(CaseRow.department),
            col(CaseRow.category),
            col(CaseRow.status),
            col(CaseRow.channel),
            col(CaseRow.privacy),
            col(CaseRow.urgency),
            col(CaseRow.opened_at),
            col(CaseRow.first_response_at),
            due.label("due"),
            col(InboundMessageRow.kind),
            col(InboundMessageRow.author_handle),
            col(InboundMessageRow.text),
            col(ResidentRow.name),
            col(ResidentRow.district),
        )
        .select_from(top)
        .join(CaseRow, col(CaseRow.id) == top.c.id)
        .outerjoin(InboundMessageRow, col(InboundMessageRow.id) == col(CaseRow.message_id))
        .outerjoin(ResidentRow, col(ResidentRow.id) == col(CaseRow.resident_id))
        .order_by(top.c.rank, top.c.due_key, top.c.opened_key, top.c.id)
    )
    found = list(session.execute(statement))
    calendars: dict[str, Calendar] = {}
    rows = [_row(r, config, calendars, now) for r in found[:size]]
    more = len(found) > size
    return InboxPage(rows, _cursor_of(found[size - 1]) if more else None)


def _due() -> sa.ColumnElement[datetime]:
    """The due time the case's clock counts down to: first response, then resolution."""
    return sa.case(
        (col(CaseRow.first_response_at).is_(None), col(CaseRow.first_response_due)),
        else_=col(CaseRow.resolution_due),
    )


def _cursor_of(r: sa.Row[tuple[object, ...]]) -> str:
    """The keyset of a row, as the `after` of the next page: rank, due, opened (µs), id."""
    m = r._mapping
    due_key, opened = m["due_key"], m["opened_key"]
    assert isinstance(due_key, datetime)
    assert isinstance(opened, datetime)
    return f"{m['rank']}.{_micros(due_key)}.{_micros(opened)}.{m['id']}"


def _micros(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(microseconds=1)


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _cursor(after: str) -> tuple[int, datetime, datetime, int] | None:
    """The keyset `after` names; None for the first page (or a cursor that is not one)."""
    parts = after.split(".")
    if len(parts) != 4 or not all(p.lstrip("-").isdigit() and len(p) < 20 for p in parts):
        return None
    rank, due, opened, case_id = (int(p) for p in parts)
    try:
        return (
            rank,
            EPOCH + timedelta(microseconds=due),
            EPOCH + timedelta(microseconds=opened),
            case_id,
        )
    except OverflowError:
        return None


def _cursor_values(cursor: tuple[int, datetime, datetime, int]) -> list[sa.ColumnElement[Any]]:
    rank, due, opened, case_id = cursor
    return [
        sa.literal(rank),
        sa.literal(due, UtcDateTime()),
        sa.literal(opened, UtcDateTime()),
        sa.literal(case_id),
    ]


def _conditions(
    access: Access, wanted: InboxFilter, due: sa.ColumnElement[datetime], now: datetime
) -> list[sa.ColumnElement[bool]]:
    statuses = sorted(OPEN_STATUSES)
    if wanted.status and wanted.status in {s.value for s in OPEN_STATUSES}:
        statuses = [CaseStatus(wanted.status)]
    conditions: list[sa.ColumnElement[bool]] = [col(CaseRow.status).in_(statuses)]
    clause = access.case_clause()
    if clause is not None:
        conditions.append(clause)
    if wanted.department:
        conditions.append(col(CaseRow.department) == wanted.department)
    if wanted.channel:
        conditions.append(col(CaseRow.channel) == wanted.channel)
    if wanted.category:
        conditions.append(col(CaseRow.category) == wanted.category)
    if wanted.district:
        conditions.append(_of_resident(col(ResidentRow.district)) == wanted.district)
    if wanted.overdue:
        conditions.append(due <= now)
    if wanted.query.strip():
        conditions.append(_search(access, wanted.query.strip()))
    return conditions


def _search(access: Access, query: str) -> sa.ColumnElement[bool]:
    """A reference, a handle, a name, or words of the message; a private text is searched only
    for those who may read it (the mayor's office cannot find a private case by its words).

    The message and the resident are looked up by key for each case the other filters leave
    (a join would let PostgreSQL hash the whole message table for one department's search)."""
    folded = query.casefold()
    matches_text = sa.func.lower(col(InboundMessageRow.text)).contains(folded, autoescape=True)
    if access.staff.role is StaffRole.MAYOR:
        kind = col(InboundMessageRow.kind)
        public = sa.and_(
            col(CaseRow.privacy) == Privacy.PUBLIC.value,
            sa.or_(kind.is_(None), kind != MessageKind.DM.value),
        )
        own = col(CaseRow.department) == (access.staff.department or "")
        matches_text = sa.and_(matches_text, sa.or_(public, own))
    handle = sa.func.lower(col(InboundMessageRow.author_handle)).contains(
        folded.lstrip("@"), autoescape=True
    )
    message = sa.func.coalesce(_of_message(sa.or_(handle, matches_text)), sa.false())
    return sa.or_(
        col(CaseRow.reference).contains(query.upper(), autoescape=True),
        sa.func.lower(_of_resident(col(ResidentRow.name))).contains(folded, autoescape=True),
        message,
    )


def _of_message(column: Any) -> Any:
    """`column` (a condition on the case's message), looked up by key for each case. Not an
    EXISTS: under an OR, PostgreSQL would hash the whole message table for it."""
    return (
        sa.select(column)
        .where(col(InboundMessageRow.id) == col(CaseRow.message_id))
        .scalar_subquery()
    )


def _of_resident(column: Any) -> Any:
    """`column` of the case's resident, looked up by its key for each case the filter meets."""
    return (
        sa.select(column).where(col(ResidentRow.id) == col(CaseRow.resident_id)).scalar_subquery()
    )


def _row(
    r: sa.Row[tuple[object, ...]], config: Config, calendars: dict[str, Calendar], now: datetime
) -> InboxRow:
    m = r._mapping
    private = is_private(m["privacy"], m["kind"])
    due: datetime | None = m["due"]
    department = str(m["department"])
    left = None
    if due is not None and due > now and department in config.departments:
        calendar = calendars.get(department) or Calendar.of(config, department)
        calendars[department] = calendar
        left = open_time_between(now, due, calendar)
    text = m["text"]
    return InboxRow(
        reference=str(m["reference"]),
        department=department,
        category=m["category"],
        status=m["status"],
        channel=str(m["channel"]),
        private=private,
        emergency=m["urgency"] == Urgency.EMERGENCY.value,
        opened_at=m["opened_at"],
        handle=m["author_handle"],
        name=m["name"],
        district=m["district"],
        snippet=None if private or text is None else _snippet(text),
        clock="first_response" if m["first_response_at"] is None else "resolution",
        due=due,
        left=left,
        overdue=due is not None and due <= now,
    )


def _snippet(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= SNIPPET else flat[: SNIPPET - 1] + "…"


def districts_of(session: Session) -> list[str]:
    """The districts residents live in (for the filter)."""
    statement = sa.select(col(ResidentRow.district)).where(col(ResidentRow.district).is_not(None))
    return sorted({str(d) for (d,) in session.execute(statement.distinct())})
