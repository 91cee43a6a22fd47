"""Reading and writing a case's attachments: photo rows (`case_photo`), the case's place
(`case_place`), and the resident's recent case and loose attachments (sent before the report)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from jun_engine.domain.attachments import CasePlace, PhotoStatus
from jun_engine.domain.cases import OPEN_STATUSES
from jun_engine.domain.messages import Channel, InboundMessage, Place
from jun_engine.store.tables import CasePhotoRow, CasePlaceRow, CaseRow, InboundMessageRow


def record_photos(
    session: Session, message: InboundMessage, message_id: int, now: datetime
) -> list[CasePhotoRow]:
    """A pending row for every photo `message` carries (once per content id: a message
    processed again records nothing new); the rows, old or new."""
    rows = []
    for content_id in message.attachments:
        row = session.exec(
            select(CasePhotoRow).where(
                CasePhotoRow.channel == message.channel, CasePhotoRow.content_id == content_id
            )
        ).first()
        if row is None:
            row = CasePhotoRow(
                channel=message.channel,
                content_id=content_id,
                account_id=message.account_id,
                author_id=message.author_id,
                message_id=message_id,
                received_at=now,
                next_attempt_at=now,
            )
            session.add(row)
        rows.append(row)
    session.flush()
    return rows


def attach_photos(session: Session, case_id: int, photos: Sequence[CasePhotoRow]) -> None:
    """Attach `photos` to the case."""
    for photo in photos:
        photo.case_id = case_id
        session.add(photo)
    session.flush()


# Built once: every new case looks for the photos and pin its author sent just before it.
_LOOSE_PHOTOS = (
    select(CasePhotoRow)
    .where(
        CasePhotoRow.channel == sa.bindparam("channel"),
        CasePhotoRow.author_id == sa.bindparam("author_id"),
        col(CasePhotoRow.received_at) >= sa.bindparam("since"),
        col(CasePhotoRow.case_id).is_(None),
    )
    .order_by(col(CasePhotoRow.id))
)
_LOOSE_PLACE = (
    select(InboundMessageRow)
    .where(
        InboundMessageRow.channel == sa.bindparam("channel"),
        InboundMessageRow.author_id == sa.bindparam("author_id"),
        col(InboundMessageRow.received_at) >= sa.bindparam("since"),
        col(InboundMessageRow.latitude).is_not(None),
        col(InboundMessageRow.id) < sa.bindparam("before"),
        col(InboundMessageRow.id).not_in(
            select(CasePlaceRow.message_id).where(col(CasePlaceRow.message_id).is_not(None))
        ),
    )
    .order_by(col(InboundMessageRow.id).desc())
)


def loose_photos(
    session: Session, channel: Channel, author_id: str, since: datetime
) -> list[CasePhotoRow]:
    """The author's photos since `since` that no case holds yet."""
    params = {"channel": channel, "author_id": author_id, "since": since}
    return list(session.exec(_LOOSE_PHOTOS, params=params))


def loose_place(
    session: Session, channel: Channel, author_id: str, since: datetime, before: int
) -> tuple[int, Place] | None:
    """The author's latest map pin since `since`, sent before message `before`, that no case
    holds yet: its message id and the pin."""
    params = {"channel": channel, "author_id": author_id, "since": since, "before": before}
    row = session.exec(_LOOSE_PLACE, params=params).first()
    if row is None or row.id is None or row.latitude is None or row.longitude is None:
        return None
    return row.id, Place(row.latitude, row.longitude, row.place_label)


def set_place(
    session: Session,
    case_id: int,
    place: Place,
    district: str | None,
    message_id: int | None,
    now: datetime,
) -> CasePlaceRow:
    """The case is at `place` (a later pin replaces an earlier one)."""
    row = session.get(CasePlaceRow, case_id) or CasePlaceRow(
        case_id=case_id, latitude=place.latitude, longitude=place.longitude
    )
    row.latitude, row.longitude, row.label = place.latitude, place.longitude, place.label
    row.district, row.message_id, row.at = district, message_id, now
    session.add(row)
    session.flush()
    return row


def place_of(session: Session, case_id: int) -> CasePlace | None:
    """Where the case is, if a pin came with it."""
    row = session.get(CasePlaceRow, case_id)
    if row is None:
        return None
    return CasePlace(row.latitude, row.longitude, row.label, row.district)


def photos_of(session: Session, case_id: int) -> list[CasePhotoRow]:
    """The case's photos kept in the media store, oldest first."""
    return list(
        session.exec(
            select(CasePhotoRow)
            .where(CasePhotoRow.case_id == case_id, CasePhotoRow.status == PhotoStatus.STORED)
            .order_by(col(CasePhotoRow.id))
        )
    )


def has_photos(session: Session, case_id: int) -> bool:
    """Whether any photo (kept or still to fetch) came with the case."""
    statement = select(CasePhotoRow.id).where(CasePhotoRow.case_id == case_id).limit(1)
    return session.exec(statement).first() is not None


def recent_case(
    session: Session, channel: Channel, author_id: str, since: datetime
) -> CaseRow | None:
    """The author's latest case on `channel` opened since `since` and still open."""
    return session.exec(
        select(CaseRow)
        .where(
            CaseRow.channel == channel,
            CaseRow.author_id == author_id,
            col(CaseRow.opened_at) >= since,
            col(CaseRow.status).in_(OPEN_STATUSES),
        )
        .order_by(col(CaseRow.id).desc())
    ).first()


def placed_open_cases(
    session: Session, department: str, category: str, exclude: int
) -> list[tuple[CaseRow, CasePlaceRow]]:
    """Open cases of `category` at `department` that have a place, but `exclude`."""
    rows = session.exec(
        select(CaseRow, CasePlaceRow)
        .join(CasePlaceRow, col(CasePlaceRow.case_id) == col(CaseRow.id))
        .where(
            CaseRow.department == department,
            CaseRow.category == category,
            col(CaseRow.status).in_(OPEN_STATUSES),
            col(CaseRow.id) != exclude,
        )
        .order_by(col(CaseRow.id))
    )
    return [(case, place) for case, place in rows]
