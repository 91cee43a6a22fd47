"""The intake's health read from the database alone: what `jun-engine status` shows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlmodel import Session, col, func, select

from jun_engine.channels.limits import write_limits
from jun_engine.channels.line.quota import QuotaHealth, quota_health
from jun_engine.channels.ports import Bucket
from jun_engine.channels.x.billing import requests_on, spent_by_account, spent_on
from jun_engine.channels.x.intake.budget import budget_of
from jun_engine.channels.x.intake.sweep import time_of
from jun_engine.config.schema import LineAccount
from jun_engine.domain.messages import Channel, MessageKind
from jun_engine.domain.statuses import MailStatus, MessageStatus, OutboxKind, PollStream
from jun_engine.outbox.planner import day_budgets, plan
from jun_engine.store.lock import HEARTBEAT_SECONDS
from jun_engine.store.tables import (
    ApiCallRow,
    DaemonLockRow,
    DepartmentMailRow,
    InboundMessageRow,
    OutboxAttemptRow,
    OutboxRow,
    PollCheckpointRow,
)

KIND_OF = {PollStream.MENTIONS: MessageKind.MENTION, PollStream.DMS: MessageKind.DM}
HEARTBEAT_LATE_AFTER = 3 * HEARTBEAT_SECONDS
"""A heartbeat older than three beats means the daemon cannot write, or is gone."""


@dataclass(frozen=True, slots=True)
class StreamHealth:
    """One row of the status table."""

    account: str
    account_id: str
    stream: str
    state: str
    last_poll_at: datetime | None
    checkpoint: str | None
    checkpoint_time: datetime | None
    stored: int
    backlog: int
    failures: int
    last_error: str | None
    rate_limit_remaining: int | None
    rate_limit_reset_at: datetime | None
    spend_today_usd: Decimal
    poll_every_s: float | None
    """The interval between the stream's polls today (None: paused until tomorrow)."""
    poll_reason: str
    """Why that interval: the limit it keeps to, and the spend cap's effect."""


@dataclass(frozen=True, slots=True)
class DaemonState:
    """Who holds the database, if anyone."""

    running: bool
    host: str | None = None
    pid: int | None = None
    heartbeat_at: datetime | None = None
    heartbeat_late_seconds: int = 0
    """Seconds past the moment a live daemon's heartbeat was due (0: on time)."""


@dataclass(frozen=True, slots=True)
class QueueHealth:
    """What one account has waiting in one quota, and when the planner expects it out."""

    account: str
    account_id: str
    quota: str
    waiting: int
    next_at: datetime
    last_at: datetime


@dataclass(frozen=True, slots=True)
class MailHealth:
    """One department's e-mails (`departments.<key>.email`): how many are where, the last one
    sent and the last failure. Failed and unconfirmed ones are never resent by themselves."""

    department: str
    sent: int
    waiting: int
    """Unsent, retrying or being sent."""
    failed: int
    unconfirmed: int
    last_sent_at: datetime | None
    last_error: str | None
    """The newest failed, unconfirmed or retrying e-mail's error (never a secret)."""

    @property
    def troubled(self) -> bool:
        """Whether IT should look: an e-mail failed or may not have arrived."""
        return bool(self.failed or self.unconfirmed)


@dataclass(frozen=True, slots=True)
class BudgetHealth:
    """A channel quota's day budget (every account together)."""

    channel: str
    quota: str
    limit: int
    used: int
    left: int
    waiting: int
    running_out: bool
    line: str


@dataclass(frozen=True, slots=True)
class IntakeReport:
    """Everything `jun-engine status` shows."""

    day: date
    daemon: DaemonState
    streams: list[StreamHealth]
    messages_by_status: dict[str, int]
    spend_today_usd: Decimal
    requests_today: int
    queues: list[QueueHealth]
    budgets: list[BudgetHealth]
    line_quota: list[QuotaHealth] = field(default_factory=list)
    """Each LINE account's month: used, cap, plan, and any warning."""
    department_mail: list[MailHealth] = field(default_factory=list)
    """Each department that has e-mails, by key."""

    def to_json(self) -> dict[str, object]:
        """A JSON-ready dict (times as ISO 8601, money as a string of dollars)."""
        return _jsonable(asdict(self))  # type: ignore[return-value]


def intake_report(
    session: Session,
    names: dict[str, str],
    now: datetime | None = None,
    cap_usd: float | None = None,
    line_accounts: Mapping[str, LineAccount] | None = None,
) -> IntakeReport:
    """Read the report; `names` maps account ids to their keys in accounts.yaml, `cap_usd` is
    its daily spend cap (None when unknown: intervals are then the steady ones);
    `line_accounts` are accounts.yaml's LINE accounts, whose quota it shows."""
    day = _reporting_day(session, now)
    by_account = spent_by_account(session, day)
    counts = _message_counts(session)
    spent = float(spent_on(session, day))
    cap = float("inf") if cap_usd is None else cap_usd
    streams = [
        _stream(row, names, counts, by_account, (spent, cap))
        for row in session.exec(
            select(PollCheckpointRow).order_by(
                PollCheckpointRow.account_id, PollCheckpointRow.stream
            )
        ).all()
    ]
    statuses = dict.fromkeys((s.value for s in MessageStatus), 0)
    for (_, _, status), count in counts.items():
        statuses[status] += count
    moment = _sending_now(session, now)
    return IntakeReport(
        day=day,
        daemon=_daemon(session),
        streams=streams,
        messages_by_status=statuses,
        spend_today_usd=spent_on(session, day),
        requests_today=requests_on(session, day),
        queues=_queues(session, names, moment),
        budgets=_budgets(session, moment),
        line_quota=quota_health(session, line_accounts or {}, now),
        department_mail=department_mail(session),
    )


WAITING = (MailStatus.UNSENT, MailStatus.RETRYING, MailStatus.SENDING)
TROUBLE = (MailStatus.FAILED, MailStatus.UNCONFIRMED, MailStatus.RETRYING)


def department_mail(session: Session) -> list[MailHealth]:
    """Per department with e-mails: counts by status, the last sent, the last failure."""
    mail = DepartmentMailRow
    counts: dict[str, dict[MailStatus, int]] = {}
    last_sent: dict[str, datetime] = {}
    for department, status, n, sent_at in session.exec(
        select(mail.department, mail.status, func.count(), func.max(mail.sent_at)).group_by(
            mail.department, mail.status
        )
    ).all():
        counts.setdefault(department, {})[MailStatus(status)] = n
        if sent_at is not None:
            last_sent[department] = max(sent_at, last_sent.get(department, sent_at))
    return [
        _mail_health(session, department, by, last_sent.get(department))
        for department, by in sorted(counts.items())
    ]


def _mail_health(
    session: Session, department: str, by: dict[MailStatus, int], last_sent: datetime | None
) -> MailHealth:
    mail = DepartmentMailRow
    error = session.exec(
        select(mail.error)
        .where(mail.department == department, col(mail.status).in_(TROUBLE))
        .order_by(col(mail.attempted_at).desc(), col(mail.id).desc())
        .limit(1)
    ).first()
    return MailHealth(
        department=department,
        sent=by.get(MailStatus.SENT, 0),
        waiting=sum(by.get(status, 0) for status in WAITING),
        failed=by.get(MailStatus.FAILED, 0),
        unconfirmed=by.get(MailStatus.UNCONFIRMED, 0),
        last_sent_at=last_sent,
        last_error=error,
    )


LIMITS = {Channel.X: write_limits(Channel.X)}
"""The limits the sender keeps to, by channel, for the queue's ETAs."""


def _queues(session: Session, names: dict[str, str], now: datetime) -> list[QueueHealth]:
    """Per account and quota: how much waits, and when the first and last of it go out."""
    planned = plan(session, now, LIMITS)
    if not planned:
        return []
    rows = session.exec(
        select(OutboxRow.id, OutboxRow.account_id, OutboxRow.kind).where(
            OutboxRow.id.in_(list(planned))  # type: ignore[union-attr]
        )
    ).all()
    lanes: dict[tuple[str, str], list[datetime]] = {}
    for item_id, account_id, kind in rows:
        lane = (account_id, Bucket.of(OutboxKind(kind)).value)
        lanes.setdefault(lane, []).append(planned[int(item_id or 0)])
    return [
        QueueHealth(names.get(account, account), account, quota, len(t), min(t), max(t))
        for (account, quota), t in sorted(lanes.items())
    ]


def _budgets(session: Session, now: datetime) -> list[BudgetHealth]:
    return [
        BudgetHealth(
            b.channel.value, b.bucket.value, b.limit, b.used, b.left, b.waiting, b.running_out,
            b.describe(),
        )
        for b in day_budgets(session, now, LIMITS)
    ]  # fmt: skip


def _sending_now(session: Session, now: datetime | None) -> datetime:
    """The sender's now: the machine's, or its newest attempt's if that is later (a daemon on an
    emulator's faster clock)."""
    if now is not None:
        return now
    newest = session.exec(select(func.max(OutboxAttemptRow.started_at))).one()
    machine = datetime.now(UTC)
    if isinstance(newest, datetime):
        newest = newest if newest.tzinfo else newest.replace(tzinfo=UTC)
        return max(machine, newest)
    return machine


def _stream(
    row: PollCheckpointRow,
    names: dict[str, str],
    counts: dict[tuple[str, str, str], int],
    spend: dict[str, Decimal],
    spent_of_cap: tuple[float, float],
) -> StreamHealth:
    kind = KIND_OF.get(row.stream)
    budget = budget_of(row.stream, *spent_of_cap)
    mine = {
        k: v for k, v in counts.items() if k[0] == row.account_id and kind and k[1] == kind.value
    }
    return StreamHealth(
        account=names.get(row.account_id, row.account_id),
        account_id=row.account_id,
        stream=row.stream.value,
        state=_state(row),
        last_poll_at=row.last_poll_at,
        checkpoint=row.cursor,
        checkpoint_time=time_of(int(row.cursor)) if row.cursor and row.cursor.isdigit() else None,
        stored=sum(mine.values()),
        backlog=sum(v for k, v in mine.items() if k[2] == MessageStatus.NEW.value),
        failures=row.failures,
        last_error=row.last_error,
        rate_limit_remaining=row.rate_limit_remaining,
        rate_limit_reset_at=row.rate_limit_reset_at,
        spend_today_usd=spend.get(row.account_id, Decimal(0)),
        poll_every_s=None if budget.interval is None else budget.interval.total_seconds(),
        poll_reason=budget.reason,
    )


def _state(row: PollCheckpointRow) -> str:
    if row.stopped_at is not None:
        return "stopped"
    if row.paused_until is not None and row.failures == 0:
        return "paused"
    if row.failures:
        return "retrying"
    return "ok"


def _message_counts(session: Session) -> dict[tuple[str, str, str], int]:
    statement = select(
        InboundMessageRow.account_id, InboundMessageRow.kind, InboundMessageRow.status, func.count()
    ).group_by(InboundMessageRow.account_id, InboundMessageRow.kind, InboundMessageRow.status)
    return {
        (account, MessageKind(kind).value, MessageStatus(status).value): count
        for account, kind, status, count in session.exec(statement).all()
    }


def _daemon(session: Session) -> DaemonState:
    row = session.get(DaemonLockRow, 1)
    if row is None:
        return DaemonState(running=False)
    # Heartbeats are on the machine's clock (store/lock.py), whatever clock the daemon follows
    beat = row.heartbeat_at if row.heartbeat_at.tzinfo else row.heartbeat_at.replace(tzinfo=UTC)
    late = (datetime.now(UTC) - beat).total_seconds() - HEARTBEAT_LATE_AFTER
    return DaemonState(
        running=True,
        host=row.host,
        pid=row.pid,
        heartbeat_at=row.heartbeat_at,
        heartbeat_late_seconds=max(int(late), 0),
    )


def _reporting_day(session: Session, now: datetime | None) -> date:
    # The daemon's day: that of its newest request (an emulator's clock may be anywhere).
    newest = session.exec(select(func.max(ApiCallRow.at))).one()
    if now is not None:
        return now.date()
    if isinstance(newest, datetime):
        return newest.astimezone(UTC).date()
    return datetime.now(UTC).date()


def _jsonable(value: object) -> object:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value
