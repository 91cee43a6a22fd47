"""The engine's tables as SQLModel classes: what it keeps about messages, residents, cases,
outgoing posts, polling, schedules, spending, routing and the running daemon.

These classes are the storage shape only; commands and pipeline stages read them through the
repository functions and show their own views. Every timestamp is aware UTC (`UtcDateTime`),
every text column keeps exactly what it was given (`StoredText`), and every constraint is named
(`NAMING`) so migrations can change it on SQLite's batch mode and on PostgreSQL alike.
"""

from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from jun_engine.domain.attachments import PhotoStatus
from jun_engine.domain.messages import Channel, MessageKind
from jun_engine.domain.statuses import (
    AppointmentStatus,
    CaseStatus,
    CastKind,
    CastStatus,
    DeliveryStatus,
    DepartmentMailKind,
    ExampleSource,
    MailStatus,
    MenuStatus,
    MessageStatus,
    OutboxKind,
    OutboxStatus,
    PollStream,
    Privacy,
    ResidentStatus,
    ScheduledKind,
    ScheduledStatus,
    StaffRole,
)
from jun_engine.store.column_types import StoredString, StoredText, UtcDateTime, enum_type

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ID_LENGTH = 64
"""Platform ids (X ids are up to 19 digits; room for LINE's longer ones)."""
KEY_LENGTH = 40
"""accounts.yaml keys (departments, categories, topics, accounts)."""


class StoreModel(SQLModel, registry=registry(metadata=sa.MetaData(naming_convention=NAMING))):
    """The base of every jun-engine table: its own metadata, apart from any other SQLModel use."""


def now_utc() -> datetime:
    """The current time, aware UTC: the default of every `*_at` column that has one."""
    return datetime.now(UTC)


def _pk() -> sa.Column[int]:
    return sa.Column(sa.Integer, primary_key=True, autoincrement=True)


def _string(length: int, *, nullable: bool = False, index: bool = False) -> sa.Column[str]:
    return sa.Column(StoredString(length), nullable=nullable, index=index)


def _text(*, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(StoredText(), nullable=nullable)


def _time(*, nullable: bool = False, index: bool = False) -> sa.Column[datetime]:
    return sa.Column(UtcDateTime(), nullable=nullable, index=index)


def _ref(target: str, ondelete: str | None = None, *, nullable: bool = True) -> sa.Column[int]:
    return sa.Column(
        sa.Integer, sa.ForeignKey(target, ondelete=ondelete), nullable=nullable, index=True
    )


def _enum(enum: type[StrEnum], name: str, default: StrEnum | None = None) -> sa.Column[str]:
    server_default = None if default is None else default.value
    return sa.Column(enum_type(enum, name), nullable=False, server_default=server_default)


def _int(default: int) -> sa.Column[int]:
    return sa.Column(sa.Integer, nullable=False, server_default=str(default))


# --- intake -----------------------------------------------------------------------------------


class InboundMessageRow(StoreModel, table=True):
    """Every mention and DM the pollers saw, exactly as received; storing it twice is a no-op."""

    __tablename__ = "inbound_message"
    __table_args__ = (
        sa.UniqueConstraint("channel", "kind", "platform_id"),
        sa.CheckConstraint("platform_id <> ''", name="platform_id_not_empty"),
        sa.Index(None, "status", "received_at"),
        sa.Index(None, "status", "created_at", "id"),
        # ^ the processing stage takes NEW messages in the order they were sent
    )

    id: int | None = Field(default=None, sa_column=_pk())
    channel: Channel = Field(sa_column=_enum(Channel, "channel"))
    kind: MessageKind = Field(sa_column=_enum(MessageKind, "message_kind"))
    platform_id: str = Field(sa_column=_string(ID_LENGTH))
    account_id: str = Field(sa_column=_string(ID_LENGTH, index=True))
    author_id: str = Field(sa_column=_string(ID_LENGTH, index=True))
    author_handle: str | None = Field(default=None, sa_column=_string(64, nullable=True))
    text: str = Field(sa_column=_text())
    created_at: datetime = Field(sa_column=_time())
    received_at: datetime = Field(default_factory=now_utc, sa_column=_time())
    conversation_id: str | None = Field(
        default=None, sa_column=_string(ID_LENGTH, nullable=True, index=True)
    )
    in_reply_to_id: str | None = Field(default=None, sa_column=_string(ID_LENGTH, nullable=True))
    quoted_id: str | None = Field(default=None, sa_column=_string(ID_LENGTH, nullable=True))
    mentioned_ids: str = Field(default="", sa_column=_text())
    """The user ids @mentioned in the text, space-separated (ids never contain spaces)."""
    hashtags: str = Field(default="", sa_column=_text())
    """The hashtags with their #, space-separated (a hashtag never contains a space)."""
    latitude: float | None = Field(default=None, sa_column=sa.Column(sa.Float, nullable=True))
    longitude: float | None = Field(default=None, sa_column=sa.Column(sa.Float, nullable=True))
    place_label: str | None = Field(default=None, sa_column=_text(nullable=True))
    attachments: str = Field(default="", sa_column=_text())
    """The channel's ids of the photos sent, space-separated."""
    action: str | None = Field(default=None, sa_column=_text(nullable=True))
    """A pressed button's data (LINE postback), when the message is one."""
    raw: str = Field(default="", sa_column=_text())
    status: MessageStatus = Field(
        default=MessageStatus.NEW,
        sa_column=_enum(MessageStatus, "message_status", MessageStatus.NEW),
    )
    processed_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))


class PollCheckpointRow(StoreModel, table=True):
    """How far each poller has read, per account and stream; moved with what it covers."""

    __tablename__ = "poll_checkpoint"

    account_id: str = Field(sa_column=sa.Column(StoredString(ID_LENGTH), primary_key=True))
    stream: PollStream = Field(
        sa_column=sa.Column(enum_type(PollStream, "poll_stream"), primary_key=True)
    )
    cursor: str | None = Field(default=None, sa_column=_string(ID_LENGTH, nullable=True))
    """The newest id seen (`since_id` for mentions, the newest DM event id for DMs)."""
    updated_at: datetime = Field(default_factory=now_utc, sa_column=_time())
    last_poll_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    last_error: str | None = Field(default=None, sa_column=_text(nullable=True))
    # The stream's health, for `jun-engine status` (INTAKE helper, revision 0003 intake):
    failures: int = Field(default=0, sa_column=_int(0))
    """Consecutive failed polls; 0 once a poll succeeds."""
    rate_limit_remaining: int | None = Field(default=None, sa_column=sa.Column(sa.Integer))
    rate_limit_reset_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    paused_until: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    """Waiting for a rate-limit reset, a usage cap or tomorrow's spend budget."""
    stopped_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    """Stopped for good until restart (401/403: the keys or the access must be fixed)."""
    resume_token: str | None = Field(default=None, sa_column=_text(nullable=True))
    """A sweep that stopped midway (crash, failure): the page token to continue it from."""
    resume_top: str | None = Field(default=None, sa_column=_string(ID_LENGTH, nullable=True))
    """The checkpoint that unfinished sweep sets once it is finished."""


# --- residents and verification ---------------------------------------------------------------


class ResidentRow(StoreModel, table=True):
    """A person enrolled at the town hall; their accounts are in `resident_identity`."""

    __tablename__ = "resident"
    __table_args__ = (
        sa.CheckConstraint("status = 'erased' OR name IS NOT NULL", name="name_unless_erased"),
        sa.CheckConstraint("birth_year BETWEEN 1900 AND 2100", name="birth_year_plausible"),
    )

    id: int | None = Field(default=None, sa_column=_pk())
    name: str | None = Field(default=None, sa_column=_string(200, nullable=True))
    district: str | None = Field(default=None, sa_column=_string(100, nullable=True))
    birth_year: int | None = Field(default=None, sa_column=sa.Column(sa.Integer, nullable=True))
    language: str = Field(default="es", sa_column=_string(8))
    status: ResidentStatus = Field(
        default=ResidentStatus.PENDING,
        sa_column=_enum(ResidentStatus, "resident_status", ResidentStatus.PENDING),
    )
    enrolled_at: datetime = Field(default_factory=now_utc, sa_column=_time())
    verified_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    revoked_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    erased_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))


class ResidentIdentityRow(StoreModel, table=True):
    """One account bound to a resident at verification: a user id on a channel, at most one per
    channel and resident, and each account one resident's. Unbinding (a move to another
    account, revocation, erasure) deletes the row; `resident_event` keeps the history."""

    __tablename__ = "resident_identity"
    __table_args__ = (
        sa.UniqueConstraint("channel", "user_id"),
        sa.UniqueConstraint("resident_id", "channel"),
    )

    id: int | None = Field(default=None, sa_column=_pk())
    resident_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("resident.id", ondelete="CASCADE"), nullable=False
        )
    )
    channel: Channel = Field(sa_column=_enum(Channel, "channel"))
    user_id: str = Field(sa_column=_string(ID_LENGTH))
    """Never the handle: handles change hands, user ids do not."""
    handle: str | None = Field(default=None, sa_column=_string(64, nullable=True))
    """The handle last seen for the account, for display only."""
    bound_at: datetime = Field(default_factory=now_utc, sa_column=_time())
    unreachable_since: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    """The resident blocked or unfollowed the town's account there (LINE's `unfollow`): nothing
    is pushed to it until they follow again."""


class ResidentTopicRow(StoreModel, table=True):
    """A resident's opt-in to a notice topic (a key under `notices.topics`)."""

    __tablename__ = "resident_topic"

    resident_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("resident.id", ondelete="CASCADE"), primary_key=True
        )
    )
    topic: str = Field(sa_column=sa.Column(StoredString(KEY_LENGTH), primary_key=True, index=True))


class VerificationCodeRow(StoreModel, table=True):
    """A one-time code handed to a resident in person; only its hash is kept."""

    __tablename__ = "verification_code"

    id: int | None = Field(default=None, sa_column=_pk())
    resident_id: int = Field(sa_column=_ref("resident.id", "CASCADE", nullable=False))
    code_hash: str = Field(sa_column=sa.Column(StoredString(128), nullable=False, unique=True))
    created_at: datetime = Field(default_factory=now_utc, sa_column=_time())
    expires_at: datetime = Field(sa_column=_time())
    used_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))


class VerificationAttemptRow(StoreModel, table=True):
    """One try at a code from an account (a channel's user id), counted for the lockout."""

    __tablename__ = "verification_attempt"
    __table_args__ = (sa.Index(None, "channel", "user_id", "at"),)

    id: int | None = Field(default=None, sa_column=_pk())
    channel: Channel = Field(sa_column=_enum(Channel, "channel"))
    user_id: str = Field(sa_column=_string(ID_LENGTH))
    at: datetime = Field(default_factory=now_utc, sa_column=_time())
    success: bool = Field(sa_column=sa.Column(sa.Boolean, nullable=False))


class StrangerAnswerRow(StoreModel, table=True):
    """One answer queued for an account that is not a verified resident, counted for the bounds
    of `verification.stranger_answers` (per sender, per hour, per day) by the engine's clock."""

    __tablename__ = "stranger_answer"
    __table_args__ = (sa.Index(None, "channel", "user_id", "at"),)

    id: int | None = Field(default=None, sa_column=_pk())
    channel: Channel = Field(sa_column=_enum(Channel, "channel"))
    user_id: str = Field(sa_column=_string(ID_LENGTH))
    at: datetime = Field(sa_column=_time(index=True))
    kind: str = Field(sa_column=_string(KEY_LENGTH))
    outbox_key: str = Field(sa_column=_string(200))


class ResidentEventRow(StoreModel, table=True):
    """One line of a resident's history (RESIDENTS helper): enrolled, code issued, verified,
    unbound, handle changed, revoked, erased. It remembers every account (channel and user id)
    a resident used, so erasure finds them all; erasure blanks `user_id` and `detail`."""

    __tablename__ = "resident_event"
    __table_args__ = (
        sa.Index(None, "resident_id", "at"),
        sa.Index(None, "channel", "user_id"),
    )

    id: int | None = Field(default=None, sa_column=_pk())
    resident_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("resident.id", ondelete="CASCADE"), nullable=False
        )
    )
    at: datetime = Field(default_factory=now_utc, sa_column=_time())
    kind: str = Field(sa_column=_string(KEY_LENGTH))
    """A `jun_engine.domain.residents.ResidentEventKind` value."""
    actor: str = Field(sa_column=_string(100))
    """`engine`, `resident`, or `staff:<login>` for whoever ran the command (never a user id)."""
    channel: Channel | None = Field(
        default=None, sa_column=sa.Column(enum_type(Channel, "channel"), nullable=True)
    )
    user_id: str | None = Field(default=None, sa_column=_string(ID_LENGTH, nullable=True))
    detail: str | None = Field(default=None, sa_column=_text(nullable=True))
    """A revocation reason, a handle change; personal, so blanked at erasure."""


# --- cases ------------------------------------------------------------------------------------


class IncidentRow(StoreModel, table=True):
    """Many reports of one thing (a power cut in a district) grouped under one key or hashtag."""

    __tablename__ = "incident"
    __table_args__ = (
        sa.Index(
            "uq_incident_open_key",
            "department",
            "key",
            unique=True,
            sqlite_where=sa.text("closed_at IS NULL"),
            postgresql_where=sa.text("closed_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, sa_column=_pk())
    department: str = Field(sa_column=_string(KEY_LENGTH))
    key: str = Field(sa_column=_string(200))
    external_body: str | None = Field(default=None, sa_column=_string(KEY_LENGTH, nullable=True))
    opened_at: datetime = Field(default_factory=now_utc, sa_column=_time())
    closed_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))


class CaseRow(StoreModel, table=True):
    """A resident's request routed to a department, tracked from opening to closing."""

    __tablename__ = "case"
    __table_args__ = (
        sa.CheckConstraint("satisfaction BETWEEN 1 AND 5", name="satisfaction_1_to_5"),
        sa.Index(None, "department", "status"),
        sa.Index(None, "status", "first_response_due"),
        sa.Index(  # web desk (revision 0013): analytics by week, read from the index alone
            "ix_case_analytics",
            "opened_at",
            "department",
            "category",
            "channel",
            "resident_id",
            "first_response_at",
            "first_response_due",
            "resolved_at",
            "resolution_due",
            "satisfaction",
        ),
        sa.Index(  # web desk (revision 0013): the inbox's order, read from the index alone
            "ix_case_inbox",
            "department",
            "status",
            "urgency",
            "first_response_at",
            "first_response_due",
            "resolution_due",
            "opened_at",
            "id",
        ),
    )

    id: int | None = Field(default=None, sa_column=_pk())
    reference: str = Field(sa_column=sa.Column(StoredString(32), nullable=False, unique=True))
    """What residents and staff quote, e.g. JUN-2026-000123."""
    resident_id: int | None = Field(default=None, sa_column=_ref("resident.id"))
    """None when opened for someone unverified (an emergency is served to anyone)."""
    message_id: int | None = Field(default=None, sa_column=_ref("inbound_message.id"))
    department: str = Field(sa_column=_string(KEY_LENGTH))
    category: str | None = Field(default=None, sa_column=_string(KEY_LENGTH, nullable=True))
    intent: str | None = Field(default=None, sa_column=_string(KEY_LENGTH, nullable=True))
    urgency: str | None = Field(default=None, sa_column=_string(KEY_LENGTH, nullable=True))
    channel: Channel = Field(sa_column=_enum(Channel, "channel"))
    privacy: Privacy = Field(sa_column=_enum(Privacy, "privacy"))
    status: CaseStatus = Field(
        default=CaseStatus.OPEN, sa_column=_enum(CaseStatus, "case_status", CaseStatus.OPEN)
    )
    incident_id: int | None = Field(default=None, sa_column=_ref("incident.id", "SET NULL"))
    language: str = Field(default="es", sa_column=_string(8))
    opened_at: datetime = Field(default_factory=now_utc, sa_column=_time())
    acknowledged_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    first_response_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    resolved_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    closed_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    first_response_due: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    resolution_due: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    satisfaction: int | None = Field(default=None, sa_column=sa.Column(sa.Integer))
    # Added by the CASES helper (revision "cases"):
    author_id: str | None = Field(
        default=None, sa_column=_string(ID_LENGTH, nullable=True, index=True)
    )
    """The X user id that wrote the message (acknowledgements, surveys and answers go to it)."""
    merged_into_id: int | None = Field(default=None, sa_column=_ref("case.id", "SET NULL"))
    external_body: str | None = Field(default=None, sa_column=_string(KEY_LENGTH, nullable=True))
    """The outside body (key under `external_bodies`) the case was forwarded to."""
    escalated_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    survey_sent_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    """When the satisfaction survey was queued; a rating is awaited while `satisfaction` is None."""


class CasePlaceRow(StoreModel, table=True):
    """Where a case is (revision 0017): the map pin a resident sent with it, and its district."""

    __tablename__ = "case_place"

    case_id: int = Field(
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("case.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        )
    )
    latitude: float = Field(sa_column=sa.Column(sa.Float, nullable=False))
    longitude: float = Field(sa_column=sa.Column(sa.Float, nullable=False))
    label: str | None = Field(default=None, sa_column=_text(nullable=True))
    """The title or address the resident's app attached; personal, erased with the resident."""
    district: str | None = Field(default=None, sa_column=_string(200, nullable=True))
    """The district the pin falls in (`town.districts_geojson`); None outside every district."""
    message_id: int | None = Field(default=None, sa_column=_ref("inbound_message.id", "SET NULL"))
    at: datetime = Field(default_factory=now_utc, sa_column=_time())


class CasePhotoRow(StoreModel, table=True):
    """A photo a resident sent (revision 0017): fetched from its channel soon after it arrived
    and kept as a file in the media store (`path`, relative to it), attached to a case."""

    __tablename__ = "case_photo"
    __table_args__ = (
        sa.UniqueConstraint("channel", "content_id"),
        sa.Index(None, "status", "next_attempt_at"),
        sa.Index(None, "channel", "author_id", "received_at"),
    )

    id: int | None = Field(default=None, sa_column=_pk())
    channel: Channel = Field(sa_column=_enum(Channel, "channel"))
    content_id: str = Field(sa_column=_string(ID_LENGTH))
    """The channel's id of the content (LINE: the image message's id)."""
    account_id: str = Field(sa_column=_string(ID_LENGTH))
    """The town's account the photo was sent to (whose credentials fetch it)."""
    author_id: str = Field(sa_column=_string(ID_LENGTH))
    message_id: int | None = Field(default=None, sa_column=_ref("inbound_message.id", "SET NULL"))
    case_id: int | None = Field(default=None, sa_column=_ref("case.id", "SET NULL"))
    status: PhotoStatus = Field(
        default=PhotoStatus.PENDING,
        sa_column=_enum(PhotoStatus, "photo_status", PhotoStatus.PENDING),
    )
    path: str | None = Field(default=None, sa_column=_string(200, nullable=True))
    size: int | None = Field(default=None, sa_column=sa.Column(sa.Integer, nullable=True))
    content_type: str | None = Field(default=None, sa_column=_string(64, nullable=True))
    sha256: str | None = Field(default=None, sa_column=_string(64, nullable=True))
    received_at: datetime = Field(default_factory=now_utc, sa_column=_time())
    stored_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    attempts: int = Field(default=0, sa_column=_int(0))
    next_attempt_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    detail: str | None = Field(default=None, sa_column=_text(nullable=True))
    """Why it was refused or is not there (never the photo's content)."""


class CaseSequenceRow(StoreModel, table=True):
    """The last reference number given per prefix and year (JUN-2026 -> 123): one row, updated
    inside the transaction that opens the case, so two openings never share a number."""

    __tablename__ = "case_sequence"

    scope: str = Field(sa_column=sa.Column(StoredString(16), primary_key=True))
    last: int = Field(default=0, sa_column=_int(0))


class CaseEventRow(StoreModel, table=True):
    """One line of a case's history: opened, acknowledged, reassigned, replied, closed..."""

    __tablename__ = "case_event"
    __table_args__ = (sa.Index(None, "case_id", "at"),)

    id: int | None = Field(default=None, sa_column=_pk())
    case_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("case.id", ondelete="CASCADE"), nullable=False
        )
    )
    at: datetime = Field(default_factory=now_utc, sa_column=_time())
    kind: str = Field(sa_column=_string(KEY_LENGTH))
    from_status: CaseStatus | None = Field(
        default=None, sa_column=sa.Column(enum_type(CaseStatus, "from_status"), nullable=True)
    )
    to_status: CaseStatus | None = Field(
        default=None, sa_column=sa.Column(enum_type(CaseStatus, "to_status"), nullable=True)
    )
    actor: str = Field(sa_column=_string(ID_LENGTH))
    """Who did it: `engine`, or the X user id of the staff account or resident."""
    detail: str | None = Field(default=None, sa_column=_text(nullable=True))
    ref: str | None = Field(default=None, sa_column=_string(ID_LENGTH, nullable=True, index=True))
    """The platform id behind the event (a staff reply's post id), so it is recorded once."""


# --- outgoing ---------------------------------------------------------------------------------


class OutboxRow(StoreModel, table=True):
    """Something to post, reply or DM, written first and sent later, exactly once per key."""

    __tablename__ = "outbox"
    __table_args__ = (
        sa.CheckConstraint("kind <> 'dm' OR private", name="dm_is_private"),
        sa.CheckConstraint("part_no >= 1", name="part_no_positive"),
        sa.Index(None, "status", "priority", "not_before"),
    )

    id: int | None = Field(default=None, sa_column=_pk())
    idempotency_key: str = Field(
        sa_column=sa.Column(StoredString(200), nullable=False, unique=True)
    )
    channel: Channel = Field(sa_column=_enum(Channel, "channel"))
    """The channel it goes out on; its `Delivery` (`jun_engine.channels.ports`) sends it."""
    account_id: str = Field(sa_column=_string(ID_LENGTH))
    """The channel account it is sent from: that account's id on `channel`."""
    kind: OutboxKind = Field(sa_column=_enum(OutboxKind, "outbox_kind"))
    target: str | None = Field(default=None, sa_column=_string(ID_LENGTH, nullable=True))
    """The post replied to, or the DM recipient's user id on `channel`; None for a new post."""
    text: str = Field(sa_column=_text())
    thread_parent: int | None = Field(default=None, sa_column=_ref("outbox.id", "CASCADE"))
    """For part 2.. of a thread: the outbox item this part replies to once it is sent."""
    part_no: int = Field(default=1, sa_column=_int(1))
    priority: int = Field(default=0, sa_column=_int(0))
    """Higher goes first (an emergency acknowledgement before a menu)."""
    status: OutboxStatus = Field(
        default=OutboxStatus.PENDING,
        sa_column=_enum(OutboxStatus, "outbox_status", OutboxStatus.PENDING),
    )
    attempts: int = Field(default=0, sa_column=_int(0))
    not_before: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    expires_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    """Past this moment a pending item is abandoned as `expired`, never sent (a menu's day)."""
    created_at: datetime = Field(default_factory=now_utc, sa_column=_time())
    sent_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    platform_id: str | None = Field(default=None, sa_column=_string(ID_LENGTH, nullable=True))
    choices: str = Field(default="", sa_column=_text())
    """Buttons offered with the text (`domain.choices`, JSON; "" for none)."""
    retry_key: str | None = Field(default=None, sa_column=_string(36, nullable=True))
    """A channel's idempotency key for the send (LINE's `X-Line-Retry-Key`, a UUID), written
    before the first attempt so every retry carries the same one."""
    last_error: str | None = Field(default=None, sa_column=_text(nullable=True))
    case_id: int | None = Field(default=None, sa_column=_ref("case.id", "SET NULL"))
    private: bool = Field(
        default=False, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.false())
    )
    """Holds personal data: never logged at info level, never sent as a public post."""
    failure: str | None = Field(default=None, sa_column=_string(KEY_LENGTH, nullable=True))
    """Why it failed or was abandoned, as a code callers act on (`reply_not_allowed`...)."""


class OutboxAttemptRow(StoreModel, table=True):
    """One request made to send an outbox item, written before the request: the pacing record
    and where look-before-retry starts looking."""

    __tablename__ = "outbox_attempt"
    __table_args__ = (
        sa.Index(None, "channel", "account_id", "started_at"),
        sa.Index(None, "channel", "account_id", "finished_at"),
    )

    id: int | None = Field(default=None, sa_column=_pk())
    outbox_id: int = Field(sa_column=_ref("outbox.id", "CASCADE", nullable=False))
    channel: Channel = Field(sa_column=_enum(Channel, "channel"))
    account_id: str = Field(sa_column=_string(ID_LENGTH))
    """The channel account the request was made from (the pacing key, with `channel`)."""
    kind: OutboxKind = Field(sa_column=_enum(OutboxKind, "outbox_kind"))
    started_at: datetime = Field(sa_column=_time())
    finished_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    outcome: str | None = Field(default=None, sa_column=_string(KEY_LENGTH, nullable=True))
    """`sent`, `uncertain`, `rate_limited`, or the failure code; None while in flight."""


class LineReplyTokenRow(StoreModel, table=True):
    """A LINE reply token, stored with the event that brought it: a free answer while fresh.

    Single use: `used_at` is written before the reply is attempted, so a token is never tried
    twice by accident; an answer whose token is used or stale goes as a push."""

    __tablename__ = "line_reply_token"
    __table_args__ = (sa.UniqueConstraint("account_id", "platform_id"),)

    id: int | None = Field(default=None, sa_column=_pk())
    account_id: str = Field(sa_column=_string(ID_LENGTH))
    """The official account's bot user id (the webhook's destination)."""
    platform_id: str = Field(sa_column=_string(ID_LENGTH))
    """The stored inbound message's platform id the token came with."""
    user_id: str = Field(sa_column=_string(ID_LENGTH))
    token: str = Field(sa_column=_string(255))
    received_at: datetime = Field(sa_column=_time())
    used_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    used_by: int | None = Field(default=None, sa_column=sa.Column(sa.Integer, nullable=True))
    """The outbox item the token was spent on (written with `used_at`): after a crash, that
    item's reply may have landed."""


class LineSendRow(StoreModel, table=True):
    """One outbox item that landed on LINE, and the monthly quota it spent: a push costs one
    message per recipient (whatever its number of message objects), a reply nothing. Written by
    the delivery's `charge` with the item's outcome; the month's use is the sum of `quota`."""

    __tablename__ = "line_send"
    __table_args__ = (sa.Index(None, "account_id", "sent_at"),)

    id: int | None = Field(default=None, sa_column=_pk())
    outbox_id: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("outbox.id", ondelete="SET NULL"), unique=True
        ),
    )
    account_id: str = Field(sa_column=_string(ID_LENGTH))
    """The official account's bot user id."""
    user_id: str = Field(sa_column=_string(ID_LENGTH))
    """The resident it reached."""
    via: str = Field(sa_column=_string(16))
    """`reply` (a reply token, free) or `push` (with a retry key)."""
    quota: int = Field(sa_column=_int(0))
    sent_at: datetime = Field(sa_column=_time())


class LineCastRow(StoreModel, table=True):
    """A LINE multicast, narrowcast or broadcast: written with its retry key before the first
    attempt, so every retry is the same request to LINE (409: it was already carried out).

    A segmented notice is one row per batch of at most 500 user ids (`recipients`), each batch
    its own key and retry key, so a crash between batches resends none of them."""

    __tablename__ = "line_cast"
    __table_args__ = (sa.Index(None, "status", "priority", "not_before"),)

    id: int | None = Field(default=None, sa_column=_pk())
    key: str = Field(sa_column=sa.Column(StoredString(200), nullable=False, unique=True))
    account_id: str = Field(sa_column=_string(ID_LENGTH))
    """The official account's bot user id."""
    how: CastKind = Field(sa_column=_enum(CastKind, "cast_kind"))
    recipients: str = Field(default="", sa_column=_text())
    """A multicast's user ids, one per line (at most 500); empty otherwise."""
    audience: str = Field(default="", sa_column=_text())
    """A narrowcast's demographic filter (LINE's JSON); empty otherwise."""
    text: str = Field(sa_column=_text())
    priority: int = Field(default=10, sa_column=_int(10))
    retry_key: str = Field(sa_column=_string(36))
    status: CastStatus = Field(
        default=CastStatus.PENDING, sa_column=_enum(CastStatus, "cast_status", CastStatus.PENDING)
    )
    attempts: int = Field(default=0, sa_column=_int(0))
    not_before: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    expires_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    created_at: datetime = Field(default_factory=now_utc, sa_column=_time())
    first_attempt_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    sent_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    request_id: str | None = Field(default=None, sa_column=_string(ID_LENGTH, nullable=True))
    """LINE's `x-line-request-id` of the accepted request (a 409's accepted request id)."""
    progress: str | None = Field(default=None, sa_column=_string(16, nullable=True))
    """A narrowcast's last phase (waiting, sending, succeeded, failed)."""
    delivered: int | None = Field(default=None, sa_column=sa.Column(sa.Integer, nullable=True))
    """Recipients reached, where LINE says (a narrowcast's success count, a multicast's ids)."""
    undelivered: int | None = Field(default=None, sa_column=sa.Column(sa.Integer, nullable=True))
    last_error: str | None = Field(default=None, sa_column=_text(nullable=True))
    notice_id: int | None = Field(default=None, sa_column=_ref("scheduled_item.id", "SET NULL"))


class LineQuotaRow(StoreModel, table=True):
    """One LINE account's message quota in one month (LINE's: Japan's calendar month): what the
    engine spent, what LINE last reported, and the warnings given."""

    __tablename__ = "line_quota"

    account_id: str = Field(sa_column=sa.Column(StoredString(ID_LENGTH), primary_key=True))
    month: str = Field(sa_column=sa.Column(StoredString(7), primary_key=True))
    """YYYY-MM in Asia/Tokyo."""
    spent: int = Field(default=0, sa_column=_int(0))
    """Messages counted: the engine's own sends, raised to LINE's figure whenever it is read."""
    reported_used: int | None = Field(default=None, sa_column=sa.Column(sa.Integer, nullable=True))
    reported_limit: int | None = Field(default=None, sa_column=sa.Column(sa.Integer, nullable=True))
    """LINE's monthly limit (None: no limit, or not read yet: see `reported_at`)."""
    reported_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    warned_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    """When the warning share was crossed this month (warned once)."""
    plan_warning: str | None = Field(default=None, sa_column=_text(nullable=True))
    """The last daily check's finding when LINE's limit is not the configured plan's."""
    plan_checked_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))


# --- schedules --------------------------------------------------------------------------------


class ScheduledItemRow(StoreModel, table=True):
    """A menu, notice, alert or air-quality post to publish at a time, once or on a schedule."""

    __tablename__ = "scheduled_item"
    __table_args__ = (sa.Index(None, "status", "run_at"),)

    id: int | None = Field(default=None, sa_column=_pk())
    kind: ScheduledKind = Field(sa_column=_enum(ScheduledKind, "scheduled_kind"))
    account_key: str | None = Field(default=None, sa_column=_string(KEY_LENGTH, nullable=True))
    """The posting account's key in accounts.yaml; None means the notices' default account."""
    topic: str | None = Field(default=None, sa_column=_string(KEY_LENGTH, nullable=True))
    """Residents opted in to this topic also get it by DM (see `delivery`)."""
    text: str = Field(sa_column=_text())
    run_at: datetime = Field(sa_column=_time())
    recurrence: str | None = Field(default=None, sa_column=_string(100, nullable=True))
    """A cron expression in the town's time zone; None for a one-off."""
    valid_until: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    status: ScheduledStatus = Field(
        default=ScheduledStatus.SCHEDULED,
        sa_column=_enum(ScheduledStatus, "scheduled_status", ScheduledStatus.SCHEDULED),
    )
    created_at: datetime = Field(default_factory=now_utc, sa_column=_time())
    last_run_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    # Added by the scheduler (revision "scheduling"): who a notice goes to by DM, and how urgently.
    dm: bool = Field(
        default=False, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.false())
    )
    """Delivered by DM to the opted-in residents of `topic` (and `districts`, `age_groups`)."""
    districts: str = Field(
        default="", sa_column=sa.Column(StoredText(), nullable=False, server_default=sa.text("''"))
    )
    """Target districts, one per line (district names contain spaces); empty means all."""
    age_groups: str = Field(
        default="", sa_column=sa.Column(StoredText(), nullable=False, server_default=sa.text("''"))
    )
    """Target age-group keys (`notices.age_groups`), space-separated; empty means all ages."""
    priority: int = Field(default=10, sa_column=_int(10))
    """The outbox priority of what this item queues (EMERGENCY 100 for alerts, NOTICE 10)."""
    recipients: int | None = Field(default=None, sa_column=sa.Column(sa.Integer, nullable=True))
    """How many residents the DMs were queued for, once resolved (when the item came due)."""
    channels: str = Field(
        default="x", sa_column=sa.Column(StoredString(40), nullable=False, server_default="x")
    )
    """The channels a notice or alert goes out on, space-separated (`x`, `line`, `x line`)."""
    line_account: str | None = Field(default=None, sa_column=_string(KEY_LENGTH, nullable=True))
    """The LINE account's key (`line.accounts`) it goes from on LINE; None: the first one."""


class SchoolMenuRow(StoreModel, table=True):
    """One school's lunch menu for one day, imported from the school's file, posted once."""

    __tablename__ = "school_menu"
    __table_args__ = (sa.UniqueConstraint("school", "day"), sa.Index(None, "status", "day"))

    id: int | None = Field(default=None, sa_column=_pk())
    school: str = Field(sa_column=_string(KEY_LENGTH))
    day: date = Field(sa_column=sa.Column(sa.Date, nullable=False))
    dishes: str = Field(sa_column=_text())
    """One dish per line."""
    allergens: str = Field(default="", sa_column=_text())
    """Allergen codes (`gluten`, `milk`...), space-separated."""
    status: MenuStatus = Field(
        default=MenuStatus.SCHEDULED,
        sa_column=_enum(MenuStatus, "menu_status", MenuStatus.SCHEDULED),
    )
    source: str | None = Field(default=None, sa_column=_string(255, nullable=True))
    """The file it was imported from (its name only)."""
    imported_at: datetime = Field(default_factory=now_utc, sa_column=_time())
    decided_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    """When it was queued for posting or skipped."""


class AirQualityDayRow(StoreModel, table=True):
    """The day's air-quality forecast as checked once, and whether it warranted a warning."""

    __tablename__ = "air_quality_day"

    day: date = Field(sa_column=sa.Column(sa.Date, primary_key=True, autoincrement=False))
    checked_at: datetime = Field(sa_column=_time())
    levels: str = Field(default="", sa_column=_text())
    """`pollutant=level` pairs in µg/m³, space-separated."""
    exceeded: str = Field(default="", sa_column=_text())
    """The pollutants over their threshold, space-separated; empty when none (nothing posted)."""


class DeliveryRow(StoreModel, table=True):
    """One notice sent to one resident by DM, at most once."""

    __tablename__ = "delivery"
    __table_args__ = (sa.UniqueConstraint("notice_id", "resident_id"),)

    id: int | None = Field(default=None, sa_column=_pk())
    notice_id: int = Field(sa_column=_ref("scheduled_item.id", "CASCADE", nullable=False))
    resident_id: int = Field(sa_column=_ref("resident.id", "CASCADE", nullable=False))
    status: DeliveryStatus = Field(
        default=DeliveryStatus.PENDING,
        sa_column=_enum(DeliveryStatus, "delivery_status", DeliveryStatus.PENDING),
    )
    sent_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    outbox_id: int | None = Field(default=None, sa_column=_ref("outbox.id", "SET NULL"))
    """The outbox DM that carries it (added by the scheduler), for progress and ETA."""


# --- spending, learning, running --------------------------------------------------------------


class ApiCallRow(StoreModel, table=True):
    """One request to X and what it cost, for the daily spend cap and the monthly bill."""

    __tablename__ = "api_call"
    __table_args__ = (sa.Index(None, "account_id", "at"),)

    id: int | None = Field(default=None, sa_column=_pk())
    at: datetime = Field(default_factory=now_utc, sa_column=_time(index=True))
    account_id: str = Field(sa_column=_string(ID_LENGTH))
    endpoint: str = Field(sa_column=_string(200))
    method: str = Field(sa_column=_string(10))
    status_code: int | None = Field(default=None, sa_column=sa.Column(sa.Integer))
    """None when no response came back (timeout, connection refused)."""
    resources: int = Field(default=0, sa_column=_int(0))
    cost_usd: Decimal = Field(
        default=Decimal(0),
        sa_column=sa.Column(sa.Numeric(12, 6), nullable=False, server_default="0"),
    )


class BilledResourceRow(StoreModel, table=True):
    """A resource X billed today for an app: read again the same UTC day, it costs nothing."""

    __tablename__ = "billed_resource"

    day: date = Field(sa_column=sa.Column(sa.Date, primary_key=True))
    app: str = Field(sa_column=sa.Column(StoredString(128), primary_key=True))
    """The developer app (the name of its consumer key's variable, never the key)."""
    kind: str = Field(sa_column=sa.Column(StoredString(16), primary_key=True))
    """post, user or dm_event."""
    resource_id: str = Field(sa_column=sa.Column(StoredString(ID_LENGTH), primary_key=True))


class RoutingExampleRow(StoreModel, table=True):
    """A text with the department (and category) it belongs to, for training the router."""

    __tablename__ = "routing_example"

    id: int | None = Field(default=None, sa_column=_pk())
    text: str = Field(sa_column=_text())
    department: str = Field(sa_column=_string(KEY_LENGTH, index=True))
    category: str | None = Field(default=None, sa_column=_string(KEY_LENGTH, nullable=True))
    source: ExampleSource = Field(sa_column=_enum(ExampleSource, "example_source"))
    case_id: int | None = Field(default=None, sa_column=_ref("case.id", "SET NULL"))
    created_at: datetime = Field(default_factory=now_utc, sa_column=_time())


class DaemonLockRow(StoreModel, table=True):
    """The one row that says which daemon runs against this database, refreshed by heartbeat."""

    __tablename__ = "daemon_lock"
    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)

    id: int = Field(
        default=1, sa_column=sa.Column(sa.Integer, primary_key=True, autoincrement=False)
    )
    holder: str = Field(sa_column=_string(100))
    host: str = Field(sa_column=_string(255))
    pid: int = Field(sa_column=sa.Column(sa.Integer, nullable=False))
    acquired_at: datetime = Field(default_factory=now_utc, sa_column=_time())
    heartbeat_at: datetime = Field(default_factory=now_utc, sa_column=_time())


# --- self-service: appointments and conversations (SELF-SERVICE helper, revision "selfservice")


class SlotDayRow(StoreModel, table=True):
    """A staff decision about one department's appointment day: closed, or opened (with hours)."""

    __tablename__ = "slot_day"

    department: str = Field(sa_column=sa.Column(StoredString(KEY_LENGTH), primary_key=True))
    day: date = Field(sa_column=sa.Column(sa.Date, primary_key=True, autoincrement=False))
    is_open: bool = Field(sa_column=sa.Column(sa.Boolean, nullable=False))
    hours: str = Field(default="", sa_column=_text())
    """Opened with its own ranges (`09:00-13:00 16:00-18:00`); empty means the book's hours."""
    changed_at: datetime = Field(default_factory=now_utc, sa_column=_time())


class AppointmentSlotRow(StoreModel, table=True):
    """One bookable time of one department, made when first offered; `booked` never exceeds
    `capacity` (CHECK), and a booking takes a seat with a conditional UPDATE, so two residents
    can never hold the same last seat."""

    __tablename__ = "appointment_slot"
    __table_args__ = (
        sa.UniqueConstraint("department", "starts_at"),
        sa.CheckConstraint("booked >= 0 AND booked <= capacity", name="booked_within_capacity"),
        sa.CheckConstraint("capacity >= 1", name="capacity_positive"),
    )

    id: int | None = Field(default=None, sa_column=_pk())
    department: str = Field(sa_column=_string(KEY_LENGTH))
    starts_at: datetime = Field(sa_column=_time())
    ends_at: datetime = Field(sa_column=_time())
    capacity: int = Field(sa_column=sa.Column(sa.Integer, nullable=False))
    booked: int = Field(default=0, sa_column=_int(0))


class AppointmentRow(StoreModel, table=True):
    """A resident's appointment in one slot; moving it changes the slot, not the reference."""

    __tablename__ = "appointment"
    __table_args__ = (sa.Index(None, "resident_id", "status"),)

    id: int | None = Field(default=None, sa_column=_pk())
    reference: str = Field(sa_column=sa.Column(StoredString(32), nullable=False, unique=True))
    department: str = Field(sa_column=_string(KEY_LENGTH))
    slot_id: int = Field(sa_column=_ref("appointment_slot.id", nullable=False))
    resident_id: int = Field(
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("resident.id"), nullable=False)
    )
    user_id: str = Field(sa_column=_string(ID_LENGTH))
    """The resident's platform user id the confirmation and reminder go to."""
    account_id: str = Field(sa_column=_string(ID_LENGTH))
    """The town's account that talks to the resident about it (by DM)."""
    channel: Channel = Field(sa_column=_enum(Channel, "channel"))
    language: str = Field(default="es", sa_column=_string(8))
    status: AppointmentStatus = Field(
        default=AppointmentStatus.BOOKED,
        sa_column=_enum(AppointmentStatus, "appointment_status", AppointmentStatus.BOOKED),
    )
    booked_at: datetime = Field(default_factory=now_utc, sa_column=_time())
    cancelled_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    reminded_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    message_id: int | None = Field(default=None, sa_column=_ref("inbound_message.id", "SET NULL"))


class ConversationRow(StoreModel, table=True):
    """Where a resident is in a DM dialogue (the offers a booking is waiting an answer to), kept
    in the database so it survives a restart of the daemon."""

    __tablename__ = "conversation"
    __table_args__ = (sa.UniqueConstraint("channel", "user_id"),)

    id: int | None = Field(default=None, sa_column=_pk())
    channel: Channel = Field(sa_column=_enum(Channel, "channel"))
    user_id: str = Field(sa_column=_string(ID_LENGTH))
    kind: str = Field(sa_column=_string(KEY_LENGTH))
    step: str = Field(sa_column=_string(KEY_LENGTH))
    data: str = Field(default="{}", sa_column=_text())
    """The step's state as JSON (offered slot ids, the appointment being moved...)."""
    updated_at: datetime = Field(default_factory=now_utc, sa_column=_time())
    expires_at: datetime = Field(sa_column=_time())


class SelfServiceAnswerRow(StoreModel, table=True):
    """A message answered without a department (a booking step, an instant answer, help)."""

    __tablename__ = "self_service_answer"

    message_id: int = Field(
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("inbound_message.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        )
    )
    kind: str = Field(sa_column=_string(KEY_LENGTH))
    at: datetime = Field(default_factory=now_utc, sa_column=_time(index=True))


# --- the web desk (WEB helper, revision 0013) ----------------------------------------------------


class StaffAccountRow(StoreModel, table=True):
    """A person who signs in to the web desk; only an argon2 hash of the password is kept."""

    __tablename__ = "staff_account"

    id: int | None = Field(default=None, sa_column=_pk())
    username: str = Field(sa_column=sa.Column(StoredString(64), nullable=False, unique=True))
    role: StaffRole = Field(sa_column=_enum(StaffRole, "staff_role"))
    department: str | None = Field(default=None, sa_column=_string(KEY_LENGTH, nullable=True))
    password_hash: str = Field(sa_column=_string(255))
    created_at: datetime = Field(default_factory=now_utc, sa_column=_time())
    disabled_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    failed_logins: int = Field(default=0, sa_column=_int(0))
    """Wrong passwords since the last good one; at the limit the account locks."""
    locked_until: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    session_version: int = Field(default=1, sa_column=_int(1))
    """Bumped by a reset or a disable: every session signed with an older one is refused."""
    last_login_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))


class PrivateViewRow(StoreModel, table=True):
    """One showing of a private case's text to a staff member: who, when, which case."""

    __tablename__ = "private_view"
    __table_args__ = (sa.Index(None, "case_id", "at"),)

    id: int | None = Field(default=None, sa_column=_pk())
    staff_id: int = Field(sa_column=_ref("staff_account.id", "CASCADE", nullable=False))
    case_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("case.id", ondelete="CASCADE"), nullable=False
        )
    )
    at: datetime = Field(default_factory=now_utc, sa_column=_time())


class WeeklyReportRow(StoreModel, table=True):
    """The mayor's office's weekly report, as made (HTML and PDF), kept in the desk."""

    __tablename__ = "weekly_report"

    week_start: date = Field(sa_column=sa.Column(sa.Date, primary_key=True, autoincrement=False))
    """The Monday the report's week starts on, in the town's time zone."""
    created_at: datetime = Field(default_factory=now_utc, sa_column=_time())
    html: str = Field(sa_column=_text())
    pdf: bytes | None = Field(default=None, sa_column=sa.Column(sa.LargeBinary, nullable=True))
    # Its e-mail (`jun_engine.mail.delivery`): each attempt is recorded before it is made.
    mail_status: MailStatus = Field(
        default=MailStatus.UNSENT,
        sa_column=_enum(MailStatus, "report_mail_status", MailStatus.UNSENT),
    )
    mail_attempts: int = Field(default=0, sa_column=_int(0))
    mail_attempted_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    """When the last attempt started (recorded, and committed, before it was made)."""
    mail_next_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    """When a `retrying` e-mail is tried again."""
    mail_sent_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    mail_error: str | None = Field(default=None, sa_column=_text(nullable=True))
    """The last failure, or the recipients a sent e-mail was refused for; never a secret."""


class DepartmentMailRow(StoreModel, table=True):
    """An e-mail to a department (a new private case, or the day's digest), recorded in the
    transaction that causes it and sent at most once (`jun_engine.mail.departments`). It holds
    no personal data: the reference, category, times and the web desk's link."""

    __tablename__ = "department_mail"
    __table_args__ = (sa.Index(None, "status", "department"),)

    id: int | None = Field(default=None, sa_column=_pk())
    key: str = Field(sa_column=sa.Column(StoredString(128), nullable=False, unique=True))
    """What it tells, once: `case:<id>:<occasion>` or `digest:<department>:<local date>`."""
    department: str = Field(sa_column=_string(KEY_LENGTH))
    kind: DepartmentMailKind = Field(sa_column=_enum(DepartmentMailKind, "department_mail_kind"))
    case_id: int | None = Field(default=None, sa_column=_ref("case.id", "SET NULL"))
    subject: str = Field(sa_column=_text())
    body: str = Field(sa_column=_text())
    created_at: datetime = Field(default_factory=now_utc, sa_column=_time())
    status: MailStatus = Field(
        default=MailStatus.UNSENT,
        sa_column=_enum(MailStatus, "department_mail_status", MailStatus.UNSENT),
    )
    attempts: int = Field(default=0, sa_column=_int(0))
    attempted_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    """When the last attempt started (recorded, and committed, before it was made)."""
    next_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    """When a `retrying` e-mail is tried again."""
    sent_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    message_id: str | None = Field(default=None, sa_column=_string(255, nullable=True))
    """The Message-ID of the last attempt; rows sent in one e-mail share it."""
    error: str | None = Field(default=None, sa_column=_text(nullable=True))
    """The last failure, or the recipients a sent e-mail was refused for; never a secret."""


# --- Open311 ---------------------------------------------------------------------------------


class Open311ClientRow(StoreModel, table=True):
    """A client of the town's Open311 server (FixMyStreet, a 311 app): its API key, stored only
    as a SHA-256 hash (the key is 256 random bits, shown once), and when it was revoked."""

    __tablename__ = "open311_client"

    id: int | None = Field(default=None, sa_column=_pk())
    name: str = Field(sa_column=sa.Column(StoredString(64), nullable=False, unique=True))
    key_hash: str = Field(sa_column=sa.Column(StoredString(64), nullable=False, unique=True))
    created_at: datetime = Field(default_factory=now_utc, sa_column=_time())
    revoked_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))


METADATA = StoreModel.metadata
"""Every jun-engine table; what migrations are generated from and compared against."""
