"""Notices: one-off or recurring (cron) posts from a chosen account, or segmented DMs, on X, on
LINE (`line_casts`) or both; added, listed and cancelled here, queued when due by `notice_queue`.

A one-off notice is valid until `valid_until` (by default a day after its time): if the daemon
was down when it came due, it is posted late while still valid, and skipped after. A recurring
notice's `valid_until` ends its series.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from jun_engine.config.problems import suggestion
from jun_engine.config.schema import Config
from jun_engine.domain.messages import Channel
from jun_engine.domain.statuses import ScheduledKind, ScheduledStatus
from jun_engine.outbox.api import Priority
from jun_engine.scheduling.errors import (
    InvalidNoticeError,
    NoticeClosedError,
    NoticeNotFoundError,
)
from jun_engine.scheduling.line_casts import line_account, line_demographic
from jun_engine.scheduling.recurrence import first_at_or_after, parse_cron
from jun_engine.store.tables import ScheduledItemRow

DEFAULT_VALIDITY = timedelta(hours=24)
"""How late a one-off notice may still go out when no --until is given."""
MAX_TEXT = 4_000
"""Long enough for a thread of a dozen posts; a longer notice belongs on the town's website."""
OPEN = (ScheduledStatus.SCHEDULED,)
NOTICE_KINDS = (ScheduledKind.NOTICE, ScheduledKind.ALERT)


@dataclass(frozen=True, slots=True)
class NoticeRequest:
    """What `notices add` asks for; validated against accounts.yaml by `add_notice`."""

    text: str
    at: datetime | None = None
    cron: str | None = None
    until: datetime | None = None
    account: str | None = None
    dm: bool = False
    topic: str | None = None
    districts: tuple[str, ...] = ()
    age_groups: tuple[str, ...] = ()
    channels: tuple[Channel, ...] = (Channel.X,)
    """Where it goes out: X (a post, or DMs), LINE (a broadcast, narrowcast or multicasts), both."""
    line_account: str | None = None
    """The LINE account's key (`line.accounts`); None: the first one."""


@dataclass(frozen=True, slots=True)
class NoticeView:
    """A stored notice or alert, for `notices list` and `notices status`."""

    id: int
    kind: ScheduledKind
    account: str | None
    text: str
    run_at: datetime
    recurrence: str | None
    valid_until: datetime | None
    status: ScheduledStatus
    dm: bool
    topic: str | None
    districts: tuple[str, ...]
    age_groups: tuple[str, ...]
    recipients: int | None
    last_run_at: datetime | None
    priority: int
    channels: tuple[str, ...] = ("x",)


def view(row: ScheduledItemRow) -> NoticeView:
    """The view of a stored row."""
    assert row.id is not None  # stored rows have ids
    return NoticeView(
        id=row.id,
        kind=row.kind,
        account=row.account_key,
        text=row.text,
        run_at=row.run_at,
        recurrence=row.recurrence,
        valid_until=row.valid_until,
        status=row.status,
        dm=row.dm,
        topic=row.topic,
        districts=tuple(row.districts.splitlines()),
        age_groups=tuple(row.age_groups.split()),
        recipients=row.recipients,
        last_run_at=row.last_run_at,
        priority=row.priority,
        channels=tuple(row.channels.split()),
    )


def posting_account(config: Config, key: str | None) -> str:
    """The account key a notice posts from: its own, else the notices' default, else the town's."""
    return key or config.notices.default_account or config.town.account


def add_notice(session: Session, config: Config, request: NoticeRequest, now: datetime) -> int:
    """Validate and store a notice; return its id. InvalidNoticeError says what is wrong."""
    line_key = _check_channels(config, request)
    account = _check_account(config, request)
    _check_text(request.text)
    _check_audience(config, request)
    run_at, valid_until = _schedule(config, request, now)
    row = ScheduledItemRow(
        kind=ScheduledKind.NOTICE,
        account_key=account,
        topic=request.topic,
        text=request.text,
        run_at=run_at,
        recurrence=request.cron,
        valid_until=valid_until,
        created_at=now,
        dm=request.dm,
        districts="\n".join(request.districts),
        age_groups=" ".join(request.age_groups),
        priority=Priority.NOTICE,
        channels=" ".join(channel.value for channel in request.channels),
        line_account=line_key,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def _check_text(text: str) -> None:
    if not text.strip():
        raise InvalidNoticeError("the text is empty")
    if len(text) > MAX_TEXT:
        raise InvalidNoticeError(f"the text has {len(text)} characters; at most {MAX_TEXT}")


def _check_channels(config: Config, request: NoticeRequest) -> str | None:
    """The LINE account's key when the notice goes out on LINE (None otherwise)."""
    if not request.channels:
        raise InvalidNoticeError("the notice goes out on no channel")
    if Channel.LINE not in request.channels:
        return None
    return line_account(config, request.line_account)[0]


def _check_account(config: Config, request: NoticeRequest) -> str:
    account = posting_account(config, request.account)
    if account not in config.accounts:
        hint = suggestion(account, config.accounts, known="accounts")
        raise InvalidNoticeError(f"unknown account {account!r}{hint}")
    on_x = Channel.X in request.channels
    if on_x and request.dm and not config.accounts[account].dm_access:
        raise InvalidNoticeError(f"account {account!r} has no dm_access in accounts.yaml")
    return account


def _check_audience(config: Config, request: NoticeRequest) -> None:
    targeted = request.topic or request.districts or request.age_groups
    if not request.dm:
        if not targeted:
            return
        if Channel.X in request.channels or request.topic or request.districts:
            raise InvalidNoticeError("--topic, --district and --age-group need --dm")
        # LINE alone: an age band is LINE's own demographic narrowcast
        _known("age group", request.age_groups, config.notices.age_groups)
        line_demographic(config, request.age_groups, None)
        return
    if request.cron:
        raise InvalidNoticeError("a DM notice is sent once: it cannot recur (--cron)")
    if not request.topic:
        raise InvalidNoticeError("a DM notice needs --topic: only opted-in residents get DMs")
    _known("topic", [request.topic], config.notices.topics)
    _known("district", request.districts, config.town.districts)
    _known("age group", request.age_groups, config.notices.age_groups)


def _known(what: str, values: Sequence[str], choices: Collection[str]) -> None:
    for value in values:
        if value not in choices:
            hint = suggestion(value, choices, known=f"{what}s in accounts.yaml")
            raise InvalidNoticeError(f"unknown {what} {value!r}{hint}")


def _schedule(
    config: Config, request: NoticeRequest, now: datetime
) -> tuple[datetime, datetime | None]:
    for moment in (request.at, request.until):
        if moment is not None and moment.tzinfo is None:
            raise InvalidNoticeError("times must carry a time zone")
    if request.cron is None:
        run_at = request.at or now
        valid_until = request.until or max(run_at, now) + DEFAULT_VALIDITY
        if valid_until < run_at:
            raise InvalidNoticeError("--until is before the notice's time")
        if valid_until < now:
            raise InvalidNoticeError("--until has already passed")
        return run_at, valid_until
    trigger = parse_cron(request.cron, config.town.timezone)
    first = first_at_or_after(trigger, max(request.at or now, now))
    if first is None or (request.until is not None and first > request.until):
        raise InvalidNoticeError(f"{request.cron!r} never fires before --until")
    return first, request.until


def get_notice(session: Session, notice_id: int) -> ScheduledItemRow:
    """The stored notice or alert; NoticeNotFoundError if there is none with this id."""
    row = session.get(ScheduledItemRow, notice_id)
    if row is None or row.kind not in NOTICE_KINDS:
        raise NoticeNotFoundError(notice_id)
    return row


def cancel_notice(session: Session, notice_id: int, now: datetime) -> NoticeView:
    """Stop a scheduled notice from running again. What was already queued still goes out."""
    row = get_notice(session, notice_id)
    if row.status not in OPEN:
        raise NoticeClosedError(notice_id, row.status.value)
    row.status = ScheduledStatus.CANCELLED
    session.add(row)
    session.flush()
    return view(row)


def list_notices(session: Session, *, everything: bool = False) -> list[NoticeView]:
    """Scheduled notices by time; with `everything`, the done, skipped and cancelled ones too."""
    query = (
        select(ScheduledItemRow)
        .where(col(ScheduledItemRow.kind).in_(NOTICE_KINDS))
        .order_by(col(ScheduledItemRow.run_at), col(ScheduledItemRow.id))
    )
    if not everything:
        query = query.where(col(ScheduledItemRow.status).in_(OPEN))
    return [view(row) for row in session.exec(query)]
