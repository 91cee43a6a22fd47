"""How far a batch of outbox items has gone (all items whose key starts with a prefix, e.g. one
notice's DMs) and when its last part should be out, from the pacing limits.

The ETA is an estimate: it counts the batch's waiting parts and the ones queued ahead of them on
the same account and quota, and lays them out as fast as the limits and the attempts already
made allow. Rate-limit answers from the platform and failures can only make it later.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from jun_engine.channels.ports import Bucket, Limit, Limits
from jun_engine.domain.messages import Channel
from jun_engine.domain.statuses import OutboxKind, OutboxStatus
from jun_engine.outbox.pacing import recent_attempts
from jun_engine.store.tables import OutboxRow

OUTBOX: sa.Table = OutboxRow.__table__  # type: ignore[attr-defined]
WAITING = (OutboxStatus.PENDING, OutboxStatus.SENDING)


@dataclass(frozen=True, slots=True)
class BatchProgress:
    """Counts of a batch's parts by status, and when the last waiting one should be sent."""

    total: int
    sent: int
    waiting: int
    """Pending or being sent."""
    failed: int
    abandoned: int
    eta: datetime | None
    """None when nothing is waiting."""

    @property
    def done(self) -> bool:
        """Nothing left to send (some may have failed)."""
        return self.waiting == 0


def batch_progress(
    session: Session,
    key_prefix: str,
    now: datetime,
    limits: Mapping[Channel, Limits],
) -> BatchProgress:
    """The progress of every item whose idempotency key starts with `key_prefix`, paced by
    each channel's `limits` (its `Delivery.limits`)."""
    in_batch = OUTBOX.c.idempotency_key.startswith(key_prefix, autoescape=True)
    counts = dict(
        session.execute(
            sa.select(OUTBOX.c.status, sa.func.count()).where(in_batch).group_by(OUTBOX.c.status)
        ).all()
    )
    waiting = sum(counts.get(status, 0) for status in WAITING)
    eta = _eta(session, in_batch, now, limits) if waiting else None
    return BatchProgress(
        total=sum(counts.values()),
        sent=counts.get(OutboxStatus.SENT, 0),
        waiting=waiting,
        failed=counts.get(OutboxStatus.FAILED, 0),
        abandoned=counts.get(OutboxStatus.ABANDONED, 0),
        eta=eta,
    )


def finish_time(count: int, history: Mapping[Limit, Sequence[datetime]], now: datetime) -> datetime:
    """When the last of `count` sends goes out, each as early as every limit allows, given the
    attempts already made within each limit's window (`history`, oldest first)."""
    times = {limit: list(made) for limit, made in history.items()}
    moment = now
    for _ in range(count):
        for limit, made in times.items():
            if len(made) >= limit.calls:
                moment = max(moment, made[len(made) - limit.calls] + limit.window)
        for made in times.values():
            made.append(moment)
    return moment


def _eta(
    session: Session,
    in_batch: sa.ColumnElement[bool],
    now: datetime,
    limits: Mapping[Channel, Limits],
) -> datetime:
    groups = session.execute(
        sa.select(
            OUTBOX.c.channel,
            OUTBOX.c.account_id,
            OUTBOX.c.kind,
            sa.func.count(),
            sa.func.max(OUTBOX.c.priority),
            sa.func.max(OUTBOX.c.id),
        )
        .where(in_batch, OUTBOX.c.status.in_(WAITING))
        .group_by(OUTBOX.c.channel, OUTBOX.c.account_id, OUTBOX.c.kind)
    ).all()
    lanes: dict[tuple[Channel, str, Bucket], tuple[int, int, int]] = {}
    for channel, account_id, kind, count, priority, last_id in groups:
        key = (Channel(channel), account_id, Bucket.of(OutboxKind(kind)))
        before = lanes.get(key, (0, priority, last_id))
        lanes[key] = (before[0] + count, max(before[1], priority), max(before[2], last_id))
    etas = [
        _lane_eta(session, (channel, account_id, bucket), lane, in_batch, now, limits[channel])
        for (channel, account_id, bucket), lane in lanes.items()
    ]
    return max(etas, default=now)


def _lane_eta(
    session: Session,
    sender: tuple[Channel, str, Bucket],
    lane: tuple[int, int, int],
    in_batch: sa.ColumnElement[bool],
    now: datetime,
    limits: Limits,
) -> datetime:
    """When the batch's parts on one channel account and quota are out, after those ahead."""
    channel, account_id, bucket = sender
    count, priority, last_id = lane
    ahead = session.execute(
        sa.select(sa.func.count()).where(
            sa.not_(in_batch),
            OUTBOX.c.channel == channel,
            OUTBOX.c.account_id == account_id,
            OUTBOX.c.kind.in_(bucket.kinds),
            OUTBOX.c.status.in_(WAITING),
            sa.or_(
                OUTBOX.c.priority > priority,
                sa.and_(OUTBOX.c.priority == priority, OUTBOX.c.id < last_id),
            ),
        )
    ).scalar_one()
    history = {
        limit: recent_attempts(
            session, channel, None if limit.per_app else account_id, bucket, now - limit.window
        )
        for limit in limits[bucket]
    }
    return finish_time(count + ahead, history, now)
