"""The send planner: when each waiting outbox item should go out, and how much of a day's budget
is left.

It lays the queue out as the sender takes it (highest priority first: emergencies, then answers
to residents, then notices and digests, then answers to strangers; oldest first within one) on
every channel account and quota, each send as early as every limit of its channel allows, given
the attempts already made. On X a DM spends its account's 15 per 15 minutes and the app's 1,440
a day, shared by every account. Like `progress`, it is an estimate: a rate-limit answer or a
failure can only make an item later.
"""

from __future__ import annotations

import bisect
import logging
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from jun_engine.channels.ports import Bucket, Limit, Limits
from jun_engine.domain.messages import Channel
from jun_engine.domain.statuses import OutboxKind, OutboxStatus
from jun_engine.outbox.pacing import is_urgent, recent_attempts
from jun_engine.store.tables import OutboxAttemptRow, OutboxRow

log = logging.getLogger(__name__)

OUTBOX: sa.Table = OutboxRow.__table__  # type: ignore[attr-defined]
ATTEMPTS: sa.Table = OutboxAttemptRow.__table__  # type: ignore[attr-defined]
WAITING = (OutboxStatus.PENDING, OutboxStatus.SENDING)
DAY = timedelta(days=1)
WARN_SHARE = 0.1
"""Warn when less than this share of a day's budget is left (or the queue needs more)."""

Lane = tuple[Channel, str, Bucket]
"""One channel account's quota: the sender paces each on its own."""


@dataclass(frozen=True, slots=True)
class Waiting:
    """A waiting item as the planner orders it."""

    id: int
    lane: Lane
    priority: int
    not_before: datetime | None


@dataclass(frozen=True, slots=True)
class DayBudget:
    """A channel quota's budget for any 24 hours, for every account together."""

    channel: Channel
    bucket: Bucket
    limit: int
    used: int
    """Attempts in the last 24 hours."""
    waiting: int
    """Items waiting (pending or being sent) in this quota."""

    @property
    def left(self) -> int:
        """Sends the last 24 hours leave for now."""
        return max(self.limit - self.used, 0)

    @property
    def running_out(self) -> bool:
        """Less than `WARN_SHARE` of the day is left, or the queue needs more than is left."""
        return self.left < self.limit * WARN_SHARE or self.waiting > self.left

    def describe(self) -> str:
        """One line: used, left, waiting, and what running out means."""
        line = (
            f"{self.channel.value} {self.bucket.value}: {self.used:,} of {self.limit:,} used in "
            f"the last 24 h, {self.left:,} left, {self.waiting:,} waiting"
        )
        if self.running_out:
            line += (
                "; the day's budget is running out: emergencies and answers to residents go "
                "first, notices wait for the next day"
            )
        return line


def plan(session: Session, now: datetime, limits: Mapping[Channel, Limits]) -> dict[int, datetime]:
    """When each waiting item of the channels in `limits` should be sent (its id -> moment)."""
    items = _waiting(session, limits)
    histories = _histories(session, items, now, limits)
    return _lay_out(items, histories, now, limits)


def day_budgets(
    session: Session, now: datetime, limits: Mapping[Channel, Limits], bucket: Bucket = Bucket.DMS
) -> list[DayBudget]:
    """Each channel's budget of the day in `bucket`: its per-app daily limit (if it has one)."""
    budgets = []
    for channel, channel_limits in limits.items():
        daily = [
            limit
            for limit in channel_limits.get(bucket, ())
            if limit.per_app and limit.window >= DAY
        ]
        if not daily:
            continue
        limit = min(daily, key=lambda found: found.calls)
        used = len(recent_attempts(session, channel, None, bucket, now - limit.window))
        waiting = _count(session, channel, bucket)
        budgets.append(DayBudget(channel, bucket, limit.calls, used, waiting))
    return budgets


class BudgetWatch:
    """Says in the log when a channel's day budget starts running out (one WARNING) and when it
    has room again (one INFO line), for the sender to ask after each send of the quota."""

    def __init__(self, limits: Mapping[Channel, Limits], bucket: Bucket = Bucket.DMS) -> None:
        self._limits = dict(limits)
        self._bucket = bucket
        self._warned: set[Channel] = set()

    def check(self, session: Session, channel: Channel, now: datetime) -> DayBudget | None:
        """Look at `channel`'s budget after a send; log a change of state; return the budget."""
        found = day_budgets(session, now, {channel: self._limits[channel]}, self._bucket)
        if not found:
            return None
        budget = found[0]
        if budget.running_out and channel not in self._warned:
            self._warned.add(channel)
            log.warning("%s", budget.describe())
        elif not budget.running_out and channel in self._warned:
            self._warned.discard(channel)
            log.info("%s", budget.describe())
        return budget


def spread(
    session: Session,
    channel: Channel,
    limits: Limits,
    count: int,
    now: datetime,
    *,
    share: float,
) -> list[datetime | None]:
    """When each of `count` new DMs of lesser priority (a notice) may start, so that they take at
    most `share` of any day's DM budget on `channel`: None for those that fit today, then one
    day later for the next day's share, and so on."""
    daily = [limit for limit in limits.get(Bucket.DMS, ()) if limit.per_app and limit.window >= DAY]
    if not daily or count == 0:
        return [None] * count
    cap = max(int(min(limit.calls for limit in daily) * share), 1)
    taken = _days_taken(session, channel, now)
    moments: list[datetime | None] = []
    day = 0
    while len(moments) < count:
        room = max(cap - taken.get(day, 0), 0)
        start = None if day == 0 else now + day * DAY
        moments.extend([start] * min(room, count - len(moments)))
        day += 1
    return moments


def _days_taken(session: Session, channel: Channel, now: datetime) -> dict[int, int]:
    """DMs already spending each coming day: today's attempts and waiting items, then the
    waiting items held for each later day."""
    today = len(recent_attempts(session, channel, None, Bucket.DMS, now - DAY))
    rows = session.execute(
        sa.select(OUTBOX.c.not_before).where(
            OUTBOX.c.channel == channel,
            OUTBOX.c.kind == OutboxKind.DM,
            OUTBOX.c.status.in_(WAITING),
        )
    ).all()
    taken = {0: today}
    for (not_before,) in rows:
        day = 0 if not_before is None else max(int((_aware(not_before) - now) / DAY), 0)
        taken[day] = taken.get(day, 0) + 1
    return taken


def _aware(moment: datetime) -> datetime:
    """SQLite gives naive UTC times back; PostgreSQL aware ones."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _count(session: Session, channel: Channel, bucket: Bucket) -> int:
    return int(
        session.execute(
            sa.select(sa.func.count()).where(
                OUTBOX.c.channel == channel,
                OUTBOX.c.kind.in_(bucket.kinds),
                OUTBOX.c.status.in_(WAITING),
            )
        ).scalar_one()
    )


def _waiting(session: Session, limits: Mapping[Channel, Limits]) -> list[Waiting]:
    """Every waiting item of those channels, in the sender's order."""
    rows = session.execute(
        sa.select(
            OUTBOX.c.id,
            OUTBOX.c.channel,
            OUTBOX.c.account_id,
            OUTBOX.c.kind,
            OUTBOX.c.priority,
            OUTBOX.c.not_before,
        )
        .where(OUTBOX.c.status.in_(WAITING), OUTBOX.c.channel.in_(list(limits)))
        .order_by(OUTBOX.c.priority.desc(), OUTBOX.c.created_at, OUTBOX.c.id)
    ).all()
    return [
        Waiting(
            id=item_id,
            lane=(Channel(channel), account_id, Bucket.of(OutboxKind(kind))),
            priority=priority,
            not_before=None if not_before is None else _aware(not_before),
        )
        for item_id, channel, account_id, kind, priority, not_before in rows
    ]


HistoryKey = tuple[Channel, str | None, Bucket, Limit]
"""Whose attempts a limit counts: one account's, or (None) every account's of the channel."""


def _keys(lane: Lane, limits: Mapping[Channel, Limits]) -> list[HistoryKey]:
    channel, account_id, bucket = lane
    return [
        (channel, None if limit.per_app else account_id, bucket, limit)
        for limit in limits[channel][bucket]
    ]


def _histories(
    session: Session, items: Iterable[Waiting], now: datetime, limits: Mapping[Channel, Limits]
) -> dict[HistoryKey, list[datetime]]:
    """The attempts each limit of the items' lanes already counts, oldest first."""
    histories: dict[HistoryKey, list[datetime]] = {}
    for lane in {item.lane for item in items}:
        for key in _keys(lane, limits):
            if key not in histories:
                channel, account_id, bucket, limit = key
                made = recent_attempts(session, channel, account_id, bucket, now - limit.window)
                histories[key] = [_aware(moment) for moment in made]
    return histories


def _lay_out(
    items: Sequence[Waiting],
    histories: dict[HistoryKey, list[datetime]],
    now: datetime,
    limits: Mapping[Channel, Limits],
) -> dict[int, datetime]:
    """Send, at each moment, the first item in order whose lane is free; else wait for the
    earliest lane to free up."""
    lanes: dict[Lane, deque[Waiting]] = {}
    for item in items:
        lanes.setdefault(item.lane, deque()).append(item)
    keys = {lane: _keys(lane, limits) for lane in lanes}
    order = {item.id: index for index, item in enumerate(items)}
    planned: dict[int, datetime] = {}
    moment = now
    while lanes:
        ready: list[tuple[int, Lane]] = []
        later: list[datetime] = []
        for lane, queued in lanes.items():
            free = _free_at(keys[lane], histories, moment, is_urgent(queued[0].priority))
            head = queued[0]
            start = max(free, head.not_before or free)
            if start <= moment:
                ready.append((order[head.id], lane))
            else:
                later.append(start)
        if not ready:
            moment = min(later)
            continue
        _, lane = min(ready)
        item = lanes[lane].popleft()
        if not lanes[lane]:
            del lanes[lane]
        planned[item.id] = moment
        for key in keys[lane]:
            histories[key].append(moment)
    return planned


def _free_at(
    keys: Sequence[HistoryKey],
    histories: Mapping[HistoryKey, list[datetime]],
    moment: datetime,
    urgent: bool,
) -> datetime:
    """When every limit of a lane lets one more send through, at or after `moment` (an item
    that is not `urgent` stopping short of each limit's reserve, and spaced after the last)."""
    free = moment
    for key in keys:
        limit = key[3]
        calls = limit.calls_for(urgent)
        made = histories[key]
        within = len(made) - bisect.bisect_right(made, moment - limit.window)
        if within >= calls:
            free = max(free, made[len(made) - calls] + limit.window)
        spacing = limit.spacing(urgent)
        last = bisect.bisect_right(made, moment)
        if spacing is not None and last > 0:
            free = max(free, made[last - 1] + spacing)
    return free
