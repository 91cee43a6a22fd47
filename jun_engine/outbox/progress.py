"""How far a batch of outbox items has gone (all items whose key starts with a prefix, e.g. one
notice's DMs) and when its last part should be out, from the pacing limits.

The ETA is the planner's (`planner.plan`): the whole queue laid out in the sender's order, as
fast as the limits, the attempts already made and each part's `not_before` (a notice spread over
days) allow. Rate-limit answers from the platform and failures can only make it later.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from jun_engine.channels.ports import Limit, Limits
from jun_engine.domain.messages import Channel
from jun_engine.domain.statuses import OutboxStatus
from jun_engine.outbox.planner import plan
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
    """When the batch's last waiting part goes out, as the planner lays out the whole queue."""
    waiting = session.execute(
        sa.select(OUTBOX.c.id).where(in_batch, OUTBOX.c.status.in_(WAITING))
    ).scalars()
    planned = plan(session, now, limits)
    return max((planned[item] for item in waiting if item in planned), default=now)
