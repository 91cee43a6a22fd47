"""Erasing a resident's personal data on request (GDPR art. 17), keeping what only counts.

Removed: name, district, birth year, their accounts (identities), topics, codes and attempts; the
text, raw payload, handle, hashtags and mentions of every message they sent (from any account
they ever used, or that opened one of their cases); what they wrote in case histories; what the
engine wrote to them (DMs, replies to their posts), and its outbox keys naming their account.
Their photos (the rows and the files in the media store, unless another row still holds the
same bytes) and the map pins of their cases. Also their ids where other stages keep them (case
authors, appointments, dialogues, billing memory) and routing examples made from their cases.
Kept: the resident row (status `erased`, dates), their cases (department, category, statuses,
timestamps), message ids and timestamps, so the counts stay right. Their history gets one line
saying an erasure happened and how much it touched, nothing else.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, and_, col, delete, or_, select, update

from jun_engine.attachments.media import MediaStore
from jun_engine.config.problems import plural
from jun_engine.domain.messages import Channel
from jun_engine.domain.residents import Identity, ResidentEventKind
from jun_engine.domain.statuses import MessageStatus, OutboxStatus, ResidentStatus
from jun_engine.residents.errors import ResidentErasedError
from jun_engine.residents.repository import accounts_of, add_event, row_by_id
from jun_engine.store.tables import (
    AppointmentRow,
    BilledResourceRow,
    CaseEventRow,
    CasePhotoRow,
    CasePlaceRow,
    CaseRow,
    ConversationRow,
    InboundMessageRow,
    OutboxRow,
    ResidentEventRow,
    ResidentIdentityRow,
    ResidentRow,
    ResidentTopicRow,
    RoutingExampleRow,
    StrangerAnswerRow,
    VerificationAttemptRow,
    VerificationCodeRow,
)

MARKER = "[erased]"
"""What stands where erased text was."""
ERASED_ID = "erased"
"""What stands where an erased author's user id was."""


@dataclass(frozen=True, slots=True)
class ErasureReport:
    """How much one erasure touched (counts only)."""

    resident_id: int
    messages: int
    case_notes: int
    outbox_items: int
    photos: int = 0

    def summary(self) -> str:
        """One line for the resident's history and the command's output."""
        photos = f", {plural(self.photos, 'photo')}" if self.photos else ""
        return (
            f"{plural(self.messages, 'message')}, {plural(self.case_notes, 'case note')}, "
            f"{plural(self.outbox_items, 'outgoing item')}{photos} erased"
        )


def erase(
    session: Session,
    resident_id: int,
    *,
    now: datetime,
    actor: str,
    media: MediaStore | None = None,
) -> ErasureReport:
    """Erase everything personal about a resident in the caller's transaction; their photo
    files go from `media` (the town's media store) at once."""
    row = row_by_id(session, resident_id)
    if row.status is ResidentStatus.ERASED:
        raise ResidentErasedError(resident_id, row.erased_at)
    _secure_delete(session)
    identities = accounts_of(session, row)
    accounts = {identity.user_id for identity in identities}
    message_ids = _message_ids(session, resident_id, identities)
    posts = _platform_ids(session, message_ids)
    photos = _erase_attachments(session, resident_id, identities, message_ids, media)
    report = ErasureReport(
        resident_id=resident_id,
        messages=_erase_messages(session, message_ids),
        case_notes=_erase_case_notes(session, resident_id, accounts),
        outbox_items=_erase_outbox(session, accounts, posts),
        photos=photos,
    )
    _erase_traces(session, resident_id, accounts, posts)
    _erase_register(session, row, identities)
    add_event(session, resident_id, ResidentEventKind.ERASED, now, actor, detail=report.summary())
    row.status = ResidentStatus.ERASED
    row.erased_at = now
    session.add(row)
    session.flush()
    return report


def scrub_free_space(engine: Engine) -> None:
    """After the erasure committed, leave no old copy in the database files: SQLite moves its
    write-ahead log into the (securely overwritten) file and empties it; PostgreSQL vacuums
    the touched tables so dead row versions are gone."""
    tables = ("resident", "resident_event", "inbound_message", "case_event", "outbox")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            quoted = ", ".join(connection.dialect.identifier_preparer.quote(t) for t in tables)
            connection.exec_driver_sql(f"VACUUM {quoted}")


def _secure_delete(session: Session) -> None:
    """SQLite: zero what this transaction frees instead of leaving it in free pages."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA secure_delete=ON")


def _message_ids(session: Session, resident_id: int, identities: Collection[Identity]) -> list[int]:
    conditions: list[sa.ColumnElement[bool]] = [
        col(InboundMessageRow.id).in_(
            select(CaseRow.message_id).where(CaseRow.resident_id == resident_id)
        )
    ]
    for channel, user_ids in _by_channel(identities).items():
        conditions.append(
            and_(
                col(InboundMessageRow.channel) == channel,
                col(InboundMessageRow.author_id).in_(user_ids),
            )
        )
    statement = select(InboundMessageRow.id).where(or_(*conditions))
    return [message_id for message_id in session.exec(statement).all() if message_id is not None]


def _by_channel(identities: Collection[Identity]) -> dict[Channel, list[str]]:
    grouped: dict[Channel, list[str]] = {}
    for identity in identities:
        grouped.setdefault(identity.channel, []).append(identity.user_id)
    return grouped


def _platform_ids(session: Session, message_ids: Collection[int]) -> set[str]:
    if not message_ids:
        return set()
    statement = select(InboundMessageRow.platform_id).where(
        col(InboundMessageRow.id).in_(message_ids)
    )
    return set(session.exec(statement).all())


def _erase_messages(session: Session, message_ids: Collection[int]) -> int:
    if not message_ids:
        return 0
    selected = col(InboundMessageRow.id).in_(message_ids)
    session.execute(
        update(InboundMessageRow)
        .where(selected, col(InboundMessageRow.status).in_(_UNFINISHED))
        .values(status=MessageStatus.IGNORED)
    )
    session.execute(
        update(InboundMessageRow)
        .where(selected)
        .values(
            text=MARKER,
            raw=MARKER,
            author_id=ERASED_ID,
            author_handle=None,
            conversation_id=None,
            mentioned_ids="",
            hashtags="",
            latitude=None,
            longitude=None,
            place_label=None,
            attachments="",
            action=None,
        )
    )
    return len(message_ids)


_UNFINISHED = (MessageStatus.NEW, MessageStatus.WAITING_VERIFICATION)


def _erase_attachments(
    session: Session,
    resident_id: int,
    identities: Collection[Identity],
    message_ids: Collection[int],
    media: MediaStore | None,
) -> int:
    """Their photos (rows, and files no other row holds) and their cases' map pins; how many
    photos."""
    their_cases = select(CaseRow.id).where(CaseRow.resident_id == resident_id)
    conditions: list[sa.ColumnElement[bool]] = [
        col(CasePhotoRow.case_id).in_(their_cases),
        col(CasePhotoRow.message_id).in_(message_ids),
    ]
    for channel, user_ids in _by_channel(identities).items():
        conditions.append(
            and_(col(CasePhotoRow.channel) == channel, col(CasePhotoRow.author_id).in_(user_ids))
        )
    photos = session.exec(select(CasePhotoRow).where(or_(*conditions))).all()
    paths = {photo.path for photo in photos if photo.path}
    for photo in photos:
        session.delete(photo)
    session.execute(
        delete(CasePlaceRow).where(
            or_(
                col(CasePlaceRow.case_id).in_(their_cases),
                col(CasePlaceRow.message_id).in_(message_ids),
            )
        )
    )
    session.flush()
    for path in paths:
        shared = session.exec(select(CasePhotoRow.id).where(CasePhotoRow.path == path)).first()
        if media is not None and shared is None:
            media.delete(path)
    return len(photos)


def _erase_case_notes(session: Session, resident_id: int, accounts: Collection[str]) -> int:
    """What the resident wrote in case histories (their replies, their survey comments)."""
    if not accounts:
        return 0
    written = col(CaseEventRow.actor).in_(accounts)
    count = len(session.exec(select(CaseEventRow.id).where(written)).all())
    session.execute(
        update(CaseEventRow)
        .where(written, col(CaseEventRow.detail).is_not(None))
        .values(detail=MARKER)
    )
    session.execute(update(CaseEventRow).where(written).values(actor="resident"))
    return count


def _erase_outbox(session: Session, accounts: Collection[str], posts: Collection[str]) -> int:
    """What the engine wrote to them: DMs to their accounts, replies to their posts, and any
    item whose key names one of their accounts. Unsent ones are abandoned."""
    conditions: list[sa.ColumnElement[bool]] = []
    if accounts or posts:
        conditions.append(col(OutboxRow.target).in_([*accounts, *posts]))
    for account in accounts:
        conditions.append(col(OutboxRow.idempotency_key).contains(f":{account}:"))
        conditions.append(col(OutboxRow.idempotency_key).endswith(f":{account}"))
    if not conditions:
        return 0
    rows = session.exec(select(OutboxRow).where(or_(*conditions))).all()
    for item in rows:
        item.text = MARKER
        item.idempotency_key = f"erased:{item.id}"
        if item.target in accounts:
            item.target = None
        if item.status not in {OutboxStatus.SENT, OutboxStatus.ABANDONED}:
            item.status = OutboxStatus.ABANDONED
            item.last_error = "abandoned: the recipient's data was erased"
        session.add(item)
    return len(rows)


def _erase_traces(
    session: Session, resident_id: int, accounts: Collection[str], posts: Collection[str]
) -> None:
    """Their user ids where other stages keep them: case authors, appointments, open dialogues,
    today's billing memory; and training examples made from their words."""
    their_cases = select(CaseRow.id).where(CaseRow.resident_id == resident_id)
    session.execute(
        delete(RoutingExampleRow).where(col(RoutingExampleRow.case_id).in_(their_cases))
    )
    session.execute(
        update(AppointmentRow)
        .where(col(AppointmentRow.resident_id) == resident_id)
        .values(user_id=ERASED_ID)
    )
    session.execute(
        update(CaseRow).where(col(CaseRow.resident_id) == resident_id).values(author_id=None)
    )
    if accounts:
        session.execute(
            update(CaseRow).where(col(CaseRow.author_id).in_(accounts)).values(author_id=None)
        )
        session.execute(delete(ConversationRow).where(col(ConversationRow.user_id).in_(accounts)))
        session.execute(
            update(AppointmentRow)
            .where(col(AppointmentRow.user_id).in_(accounts))
            .values(user_id=ERASED_ID)
        )
    if accounts or posts:
        session.execute(
            delete(BilledResourceRow).where(
                col(BilledResourceRow.resource_id).in_([*accounts, *posts])
            )
        )


def _erase_register(session: Session, row: ResidentRow, identities: Collection[Identity]) -> None:
    resident_id = row.id
    for table in (ResidentTopicRow, VerificationCodeRow, ResidentIdentityRow):
        session.execute(delete(table).where(col(table.resident_id) == resident_id))
    for channel, user_ids in _by_channel(identities).items():
        for counted in (VerificationAttemptRow, StrangerAnswerRow):
            session.execute(
                delete(counted).where(
                    col(counted.channel) == channel, col(counted.user_id).in_(user_ids)
                )
            )
    session.execute(
        update(ResidentEventRow)
        .where(col(ResidentEventRow.resident_id) == resident_id)
        .values(user_id=None, detail=None)
    )
    row.name = None
    row.district = None
    row.birth_year = None
