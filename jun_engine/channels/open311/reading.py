"""What Open311 clients read: the town's public cases as service requests (whatever channel
they came in on), one request, a token's request, and mySociety's status updates.

Only public cases of listed services are served: a private case or category is unknown here
(404). Nothing names a resident: no handle, name or contact; @handles in a post are masked, and
what a POST said about its author stays in the stored payload.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, col, func, select
from sqlmodel.sql.expression import SelectOfScalar

from jun_engine.cases.texts import localized, word
from jun_engine.channels.open311 import params, services
from jun_engine.channels.open311.params import Params
from jun_engine.channels.open311.problems import bad_request, not_found
from jun_engine.channels.open311.wire import Document
from jun_engine.config.schema import Config
from jun_engine.domain.messages import Channel
from jun_engine.domain.statuses import CaseStatus, Privacy
from jun_engine.store.tables import CaseEventRow, CaseRow, InboundMessageRow, OutboxRow

WINDOW = timedelta(days=90)
LIMIT = 1000
CLOSED = frozenset(
    {CaseStatus.RESOLVED, CaseStatus.CLOSED, CaseStatus.MERGED, CaseStatus.FORWARDED}
)
EXTENDED = {
    CaseStatus.OPEN: "open",
    CaseStatus.ROUTED: "open",
    CaseStatus.ACKNOWLEDGED: "open",
    CaseStatus.IN_PROGRESS: "in_progress",
    CaseStatus.ANSWERED: "in_progress",
    CaseStatus.WAITING_RESIDENT: "investigating",
    CaseStatus.RESOLVED: "fixed",
    CaseStatus.CLOSED: "closed",
    CaseStatus.REOPENED: "reopen",
    CaseStatus.REROUTED: "internal_referral",
    CaseStatus.MERGED: "duplicate",
    CaseStatus.FORWARDED: "not_councils_responsibility",
}
"""A case's status in mySociety's extended statuses."""
NOT_UPDATES = ("opened", "routed", "answered")
"""Status changes that are not updates of their own: the request's opening, and the move to
`answered` (the staff answer it comes with is the update, with the answer's text)."""
ANSWER = "answer"
HANDLE = re.compile(r"@\w{1,50}")


def public_case(session: Session, config: Config, reference: str) -> CaseRow:
    """The public case `reference` of a listed service; any other is a 404."""
    row = session.exec(select(CaseRow).where(col(CaseRow.reference) == reference)).first()
    if row is None or not _shown(config, row):
        raise not_found(f"no service request {reference!r}")
    return row


def token_request(session: Session, config: Config, token: str) -> Document:
    """GET tokens/{token}: the request a POST's token became."""
    message = session.exec(
        select(InboundMessageRow).where(
            InboundMessageRow.channel == Channel.OPEN311, InboundMessageRow.platform_id == token
        )
    ).first()
    row = (
        None
        if message is None
        else session.exec(select(CaseRow).where(CaseRow.message_id == message.id)).first()
    )
    if row is None or not _shown(config, row):
        raise not_found(f"no token {token!r}")
    return {"service_request_id": row.reference, "token": token}


def requests(session: Session, config: Config, sent: Params, now: datetime) -> list[Document]:
    """GET requests: by ids (overriding every other filter), else by service, dates, status;
    at most 90 days and 1,000 requests, newest first."""
    wanted = select(CaseRow).where(col(CaseRow.privacy) == Privacy.PUBLIC, _listed(config))
    ids = params.one(sent, "service_request_id")
    _check_filters(sent)
    if ids is not None:
        references = [r.strip() for r in ids.split(",") if r.strip()][:LIMIT]
        wanted = wanted.where(col(CaseRow.reference).in_(references))
    else:
        wanted = _filtered(wanted, config, sent, now)
    rows = session.exec(wanted.order_by(col(CaseRow.opened_at).desc()).limit(LIMIT)).all()
    return documents(session, config, rows)


def one_request(session: Session, config: Config, reference: str) -> list[Document]:
    """GET requests/{id}: a list of one."""
    return documents(session, config, [public_case(session, config, reference)])


def updates(session: Session, config: Config, sent: Params, now: datetime) -> list[Document]:
    """GET servicerequestupdates: each status change of a served request in the window (the
    last 90 days by default), oldest first, at most 1,000."""
    start, end = _window(sent, now)
    rows = session.exec(
        select(CaseEventRow, CaseRow)
        .join(CaseRow, col(CaseRow.id) == col(CaseEventRow.case_id))
        .where(
            col(CaseRow.privacy) == Privacy.PUBLIC,
            _listed(config),
            sa.or_(col(CaseEventRow.to_status).is_not(None), col(CaseEventRow.kind) == ANSWER),
            col(CaseEventRow.kind).not_in(NOT_UPDATES),
            col(CaseEventRow.at) >= start,
            col(CaseEventRow.at) <= end,
        )
        .order_by(col(CaseEventRow.at), col(CaseEventRow.id))
        .limit(LIMIT)
    ).all()
    said = _public_answers(session, [case for _event, case in rows])
    zone, language = ZoneInfo(config.town.timezone), config.town.default_language
    documents: list[Document] = []
    for event, case in rows:
        status = event.to_status or CaseStatus.IN_PROGRESS
        documents.append(
            {
                "update_id": str(event.id),
                "service_request_id": case.reference,
                "status": EXTENDED.get(status, "open"),
                "updated_datetime": event.at.astimezone(zone),
                "description": said.get(event.id or 0)
                or word(config, "status", status.value, language),
                "media_url": None,
            }
        )
    return documents


def _public_answers(session: Session, cases: Sequence[CaseRow]) -> dict[int, str]:
    """The text of each staff answer that went out in public (passed by the privacy gate), by
    its `answer` event; an answer sent by DM is not served."""
    ids = {case.id: case for case in cases}
    answers = session.exec(
        select(CaseEventRow)
        .where(col(CaseEventRow.case_id).in_(list(ids)), col(CaseEventRow.kind) == ANSWER)
        .order_by(col(CaseEventRow.id))
    ).all()
    texts = {
        row.idempotency_key: row.text
        for row in session.exec(
            select(OutboxRow).where(
                col(OutboxRow.case_id).in_(list(ids)),
                col(OutboxRow.private).is_(False),
                col(OutboxRow.part_no) == 1,
            )
        ).all()
    }
    said: dict[int, str] = {}
    counted: dict[int, int] = {}
    for event in answers:
        counted[event.case_id] = counted.get(event.case_id, 0) + 1
        key = f"case:{ids[event.case_id].reference}:answer:{counted[event.case_id]}"
        if key in texts and event.id is not None:
            said[event.id] = HANDLE.sub("@…", texts[key])
    return said


def documents(session: Session, config: Config, rows: Sequence[CaseRow]) -> list[Document]:
    """Each case as a GeoReport v2 request, in the spec's field order."""
    ids = [row.id for row in rows]
    updated = dict(
        session.exec(
            select(col(CaseEventRow.case_id), func.max(col(CaseEventRow.at)))
            .where(col(CaseEventRow.case_id).in_(ids))
            .group_by(col(CaseEventRow.case_id))
        ).all()
    )
    messages = {
        m.id: m
        for m in session.exec(
            select(InboundMessageRow).where(
                col(InboundMessageRow.id).in_([r.message_id for r in rows])
            )
        ).all()
    }
    return [
        _document(config, row, messages.get(row.message_id), updated.get(row.id or 0))
        for row in rows
    ]


def _document(
    config: Config, row: CaseRow, message: InboundMessageRow | None, updated: datetime | None
) -> Document:
    zone, language = ZoneInfo(config.town.timezone), config.town.default_language
    code = services.code_of(config, row.department, row.category)
    assert code is not None
    found = services.Service(code, row.department, row.category)
    posted = _posted(message)
    return {
        "service_request_id": row.reference,
        "status": "closed" if row.status in CLOSED else "open",
        "status_notes": word(config, "status", row.status.value, language),
        "service_name": services.name_of(config, found, language),
        "service_code": code,
        "description": _description(message),
        "agency_responsible": localized(config.departments[row.department].name, language, config),
        "service_notice": None,
        "requested_datetime": row.opened_at.astimezone(zone),
        "updated_datetime": (updated or row.opened_at).astimezone(zone),
        "expected_datetime": row.resolution_due.astimezone(zone) if row.resolution_due else None,
        "address": _string(posted.get("address_string")),
        "address_id": _string(posted.get("address_id")),
        "zipcode": None,
        "lat": _number(posted.get("lat")),
        "long": _number(posted.get("long")),
        "media_url": _string(posted.get("media_url")),
    }


def _posted(message: InboundMessageRow | None) -> dict[str, object]:
    """What an Open311 POST said about the place (nothing for other channels)."""
    if message is None or message.channel is not Channel.OPEN311 or not message.raw:
        return {}
    loaded = json.loads(message.raw)
    return loaded if isinstance(loaded, dict) else {}


def _description(message: InboundMessageRow | None) -> str | None:
    if message is None:
        return None
    return HANDLE.sub("@…", message.text)


def _string(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, str) and value else None


def _shown(config: Config, row: CaseRow) -> bool:
    return (
        row.privacy is Privacy.PUBLIC
        and services.code_of(config, row.department, row.category) is not None
    )


def _listed(config: Config) -> sa.ColumnElement[bool]:
    """Cases of a listed service (a public category, or a public department without any)."""
    either = [
        sa.and_(
            col(CaseRow.department) == each.department,
            col(CaseRow.category).is_(None)
            if each.category is None
            else col(CaseRow.category) == each.category,
        )
        for each in services.catalogue(config)
    ]
    return sa.or_(sa.false(), *either)


def _filtered(
    wanted: SelectOfScalar[CaseRow], config: Config, sent: Params, now: datetime
) -> SelectOfScalar[CaseRow]:
    code = params.one(sent, "service_code")
    if code is not None:
        found = services.service(config, code)
        wanted = wanted.where(_listed_one(found))
    start, end = _window(sent, now)
    wanted = wanted.where(col(CaseRow.opened_at) >= start, col(CaseRow.opened_at) <= end)
    statuses = _statuses(sent)
    if statuses == {"open"}:
        wanted = wanted.where(col(CaseRow.status).not_in(CLOSED))
    elif statuses == {"closed"}:
        wanted = wanted.where(col(CaseRow.status).in_(CLOSED))
    return wanted


def _check_filters(sent: Params) -> None:
    """The dates and statuses are well formed even where ids override them: a bad datetime is a
    400 wherever it is."""
    for name in ("start_date", "end_date"):
        params.moment(sent, name)
    _statuses(sent)


def _listed_one(found: services.Service) -> sa.ColumnElement[bool]:
    category = (
        col(CaseRow.category).is_(None)
        if found.category is None
        else col(CaseRow.category) == found.category
    )
    return sa.and_(col(CaseRow.department) == found.department, category)


def _statuses(sent: Params) -> set[str]:
    given = {s.strip().lower() for v in sent.get("status", []) for s in v.split(",") if s.strip()}
    if given - {"open", "closed"}:
        raise bad_request("status must be open or closed (or both, comma separated)")
    return given


def _window(sent: Params, now: datetime) -> tuple[datetime, datetime]:
    """start_date and end_date, at most 90 days apart; by default the last 90 days."""
    start, end = params.moment(sent, "start_date"), params.moment(sent, "end_date")
    try:
        if end is None:
            end = now if start is None else start + WINDOW
        if start is None:
            start = end - WINDOW
    except OverflowError:
        raise bad_request("start_date or end_date is out of range") from None
    if end < start:
        raise bad_request("end_date is before start_date")
    if end - start > WINDOW:
        raise bad_request("start_date and end_date may not span more than 90 days")
    return start, end
