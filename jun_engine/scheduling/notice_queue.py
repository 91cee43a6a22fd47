"""Turning due notices into outbox items, once: the public post of each occurrence, or one DM
per resident of a segmented notice, in the same transaction that marks the notice done; on LINE,
its casts (`line_casts`: a broadcast, a narrowcast, or multicasts of 500) in that transaction too.

Misfire policy (the daemon was down when something came due):
- a one-off notice still within `valid_until` is posted late; past it, it is skipped;
- a recurring notice that missed several occurrences posts only the latest one (one catch-up,
  never a burst), then waits for its next occurrence;
- a DM notice resolves its recipients when it comes due, so late enrolments are included.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from jun_engine.channels.limits import write_limits
from jun_engine.channels.ports import Limits
from jun_engine.config.schema import Config
from jun_engine.domain.messages import Channel
from jun_engine.domain.statuses import DeliveryStatus, OutboxKind, OutboxStatus, ScheduledStatus
from jun_engine.outbox.api import Priority, enqueue
from jun_engine.outbox.planner import spread
from jun_engine.scheduling.calendar import local_day, zone
from jun_engine.scheduling.line_casts import on_line, on_x, queue_line_notice
from jun_engine.scheduling.notices import NOTICE_KINDS
from jun_engine.scheduling.recurrence import first_after, latest_due, parse_cron
from jun_engine.scheduling.segments import Segment, recipients
from jun_engine.scheduling.texts import local_date
from jun_engine.store.tables import DeliveryRow, OutboxRow, ScheduledItemRow

log = logging.getLogger(__name__)

NOTICE_SHARE = 0.75
"""The most of any day's DM budget notices' DMs may take (on X 1,080 of the app's 1,440); the
rest stays for emergencies, answers to residents and digests. What does not fit waits for the
next day."""

DELIVERY: sa.Table = DeliveryRow.__table__  # type: ignore[attr-defined]
OUTBOX: sa.Table = OutboxRow.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class NoticeDecision:
    """What one tick did with one due notice."""

    notice_id: int
    status: ScheduledStatus
    occurrence: datetime | None
    """The occurrence queued; None when skipped."""
    missed: int = 0
    """Earlier occurrences of a recurring notice left out by the catch-up rule."""
    dms: int = 0


def occurrence_key(notice_id: int, occurrence: datetime) -> str:
    """The outbox key of one occurrence's public post."""
    return f"notice:{notice_id}:{occurrence:%Y%m%dT%H%M%SZ}"


def dm_prefix(notice_id: int) -> str:
    """What every DM key of a notice starts with (for progress)."""
    return f"notice-dm:{notice_id}:"


def dm_key(notice_id: int, resident_id: int) -> str:
    """The outbox key of a notice's DM to one resident: never sent twice."""
    return f"{dm_prefix(notice_id)}{resident_id}"


def queue_due_notices(session: Session, config: Config, now: datetime) -> list[NoticeDecision]:
    """Queue every notice due at `now` by the misfire policy; returns what was decided."""
    rows = session.exec(
        select(ScheduledItemRow)
        .where(
            col(ScheduledItemRow.kind).in_(NOTICE_KINDS),
            ScheduledItemRow.status == ScheduledStatus.SCHEDULED,
            ScheduledItemRow.run_at <= now,
        )
        .order_by(
            col(ScheduledItemRow.priority).desc(),
            col(ScheduledItemRow.run_at),
            col(ScheduledItemRow.id),
        )
    ).all()
    return [_queue(session, config, row, now) for row in rows]


def _queue(
    session: Session, config: Config, row: ScheduledItemRow, now: datetime
) -> NoticeDecision:
    assert row.id is not None
    if row.recurrence:
        return _queue_recurring(session, config, row, now)
    if row.valid_until is not None and now > row.valid_until:
        log.info("notice %d skipped: due %s, valid until %s", row.id, row.run_at, row.valid_until)
        return _close(session, row, now, ScheduledStatus.SKIPPED, None)
    if row.dm:
        count = queue_dms(session, config, row, now) if on_x(row) else 0
        if on_line(row):
            count += queue_line_notice(session, config, row, f"notice:{row.id}", row.text, now)
            row.recipients = count
        return _close(session, row, now, ScheduledStatus.DONE, row.run_at, dms=count)
    _post(session, config, row, row.run_at, row.text, now)
    return _close(session, row, now, ScheduledStatus.DONE, row.run_at)


def _queue_recurring(
    session: Session, config: Config, row: ScheduledItemRow, now: datetime
) -> NoticeDecision:
    assert row.id is not None
    assert row.recurrence is not None
    trigger = parse_cron(row.recurrence, config.town.timezone)
    end = min(now, row.valid_until) if row.valid_until else now
    occurrence, missed = latest_due(trigger, row.run_at, end)
    if missed:
        log.info("notice %d: %d missed occurrence(s) not posted (catch-up rule)", row.id, missed)
    _post(session, config, row, occurrence, _dated(config, row.text, occurrence), now)
    following = first_after(trigger, max(now, occurrence))
    row.last_run_at = now
    if following is None or (row.valid_until is not None and following > row.valid_until):
        return _close(session, row, now, ScheduledStatus.DONE, occurrence, missed=missed)
    row.run_at = following
    session.add(row)
    return NoticeDecision(row.id, ScheduledStatus.SCHEDULED, occurrence, missed)


def _dated(config: Config, text: str, occurrence: datetime) -> str:
    """A recurring post names its day, so two occurrences never have the same text (X refuses
    duplicate posts)."""
    local = occurrence.astimezone(zone(config))
    return f"{text}\n({local_date(local.date(), config.town.default_language)})"


def _post(
    session: Session,
    config: Config,
    row: ScheduledItemRow,
    occurrence: datetime,
    text: str,
    now: datetime,
) -> None:
    """The occurrence's public post on X, and its broadcast (or narrowcast) on LINE."""
    assert row.id is not None
    if on_line(row):
        queue_line_notice(session, config, row, occurrence_key(row.id, occurrence), text, now)
    if not on_x(row):
        return
    account = config.accounts[row.account_key or config.town.account]
    enqueue(
        session,
        key=occurrence_key(row.id, occurrence),
        account_id=account.user_id,
        kind=OutboxKind.POST,
        text=text,
        priority=row.priority,
        expires_at=row.valid_until,
    )


def _close(
    session: Session,
    row: ScheduledItemRow,
    now: datetime,
    status: ScheduledStatus,
    occurrence: datetime | None,
    *,
    missed: int = 0,
    dms: int = 0,
) -> NoticeDecision:
    assert row.id is not None
    row.status, row.last_run_at = status, now
    session.add(row)
    return NoticeDecision(row.id, status, occurrence, missed, dms)


def queue_dms(
    session: Session,
    config: Config,
    row: ScheduledItemRow,
    now: datetime,
    limits: Limits | None = None,
) -> int:
    """One DM per resident of the notice's segment, each under its own key; returns how many.

    A notice (not an emergency alert) takes at most `NOTICE_SHARE` of a day's DM budget by the
    channel's `limits`: the DMs that do not fit today start one day later, and so on."""
    assert row.id is not None
    segment = Segment(row.topic, tuple(row.districts.splitlines()), tuple(row.age_groups.split()))
    account = config.accounts[row.account_key or config.town.account]
    # accounts.yaml's accounts are all on one channel today (X); a notice reaches residents there
    people = recipients(session, config, segment, local_day(config, now).year, Channel.X)
    starts: list[datetime | None] = [None] * len(people)
    if row.priority < Priority.ACK:
        budget = write_limits(Channel.X) if limits is None else limits
        starts = spread(session, Channel.X, budget, len(people), now, share=NOTICE_SHARE)
    deliveries = []
    for person, start in zip(people, starts, strict=True):
        outbox_id = enqueue(
            session,
            key=dm_key(row.id, person.resident_id),
            account_id=account.user_id,
            kind=OutboxKind.DM,
            text=row.text,
            target=person.user_id,
            priority=row.priority,
            not_before=start,
            private=True,
        )
        if outbox_id is not None:
            deliveries.append(
                {"notice_id": row.id, "resident_id": person.resident_id, "outbox_id": outbox_id}
            )
    if deliveries:
        session.execute(sa.insert(DELIVERY), deliveries)
    row.recipients = len(people)
    days = len(set(starts))
    log.info("notice %d: %d DM(s) queued, over %d day(s)", row.id, len(people), days)
    return len(people)


def sync_deliveries(session: Session) -> int:
    """Copy the outbox's verdict onto pending deliveries (sent, or failed for good)."""
    changed = 0
    for outbox_statuses, delivery_status in (
        ((OutboxStatus.SENT,), DeliveryStatus.SENT),
        ((OutboxStatus.FAILED, OutboxStatus.ABANDONED), DeliveryStatus.FAILED),
    ):
        settled = sa.select(OUTBOX.c.id).where(OUTBOX.c.status.in_(outbox_statuses))
        sent_at = (
            sa.select(OUTBOX.c.sent_at).where(OUTBOX.c.id == DELIVERY.c.outbox_id).scalar_subquery()
        )
        result = session.execute(
            sa.update(DELIVERY)
            .where(DELIVERY.c.status == DeliveryStatus.PENDING, DELIVERY.c.outbox_id.in_(settled))
            .values(status=delivery_status, sent_at=sent_at)
        )
        changed += int(result.rowcount)  # type: ignore[attr-defined]
    return changed
