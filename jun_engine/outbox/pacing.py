"""When a channel account may make its next post or DM: from the attempts recorded in the
database (so pacing survives restarts), the channel's limits (`Delivery.limits`), and what the
platform last said about the window (`RateLimit`, 429s).

Keeping at most N requests in ANY window-long span also keeps at most N in each of a platform's
fixed windows, whenever they start. The platform counts a request when it arrives, somewhere
between the attempt's start and its end, so an attempt holds its place in the window from its
end (its `finished_at`): timed from its start, a request that was slow to arrive and the one a
window later that was quick would both land in the platform's window (X recorded 101 replies in
15 minutes in `python -m bench burst` before). Items below an answer's priority (`Priority.ACK`)
count on a window's calls less its reserve (`Limit.reserved`), spread evenly: each waits that
share's spacing after the account's last call (`Limit.spacing`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from jun_engine.channels.ports import Bucket, Limit, Limits
from jun_engine.channels.results import RateLimit
from jun_engine.domain.messages import Channel
from jun_engine.outbox.api import Priority
from jun_engine.store.tables import OutboxAttemptRow

ATTEMPTS: sa.Table = OutboxAttemptRow.__table__  # type: ignore[attr-defined]
REACHED_WITHIN = timedelta(minutes=2)
"""The latest after its start an attempt may reach the platform: longer than any channel's
request may last (X's session gives up after 5 s connecting and 30 s reading, LINE's after 5 s
and 15 s). An attempt with no end recorded (in flight, or its process died) counts as arriving
this late; one whose end was recorded later (a look after a crash) no later than this."""


class Pacer:
    """The earliest moment each (channel, account, bucket) may send again; None means now."""

    def __init__(self, limits: Mapping[Channel, Limits]) -> None:
        self.limits = dict(limits)
        self._held: dict[tuple[Channel, str | None, Bucket], datetime] = {}

    def hold(
        self, channel: Channel, account_id: str | None, bucket: Bucket, until: datetime
    ) -> None:
        """Send nothing from `account_id` (None: from any account of `channel`) in `bucket`
        before `until`."""
        key = (channel, account_id, bucket)
        self._held[key] = max(until, self._held.get(key, until))

    def observe(
        self, channel: Channel, account_id: str, bucket: Bucket, rate_limit: RateLimit | None
    ) -> None:
        """Take in the quota the platform reported with an answer: an exhausted window holds."""
        if rate_limit is None:
            return
        if rate_limit.remaining <= 0:
            self.hold(channel, account_id, bucket, rate_limit.reset_at)
        daily = rate_limit.daily
        if daily is not None and daily.remaining <= 0:
            self.hold(channel, account_id, bucket, daily.reset_at)

    def available_at(
        self,
        session: Session,
        channel: Channel,
        account_id: str,
        bucket: Bucket,
        now: datetime,
        priority: int = Priority.ACK,
    ) -> datetime | None:
        """When `account_id` may next send an item of `priority` in `bucket` on `channel`: None
        if now, else when."""
        urgent = is_urgent(priority)
        moments = [
            self._held.get((channel, account_id, bucket)),
            self._held.get((channel, None, bucket)),
            *(
                self._window_free_at(session, channel, account_id, bucket, limit, now, urgent)
                for limit in self.limits[channel][bucket]
            ),
        ]
        latest = max((m for m in moments if m is not None), default=None)
        return None if latest is None or latest <= now else latest

    def _window_free_at(
        self,
        session: Session,
        channel: Channel,
        account_id: str,
        bucket: Bucket,
        limit: Limit,
        now: datetime,
        urgent: bool,
    ) -> datetime | None:
        """When the oldest attempt that keeps the window full leaves it; None if not full."""
        account = None if limit.per_app else account_id
        times = recent_attempts(session, channel, account, bucket, now - limit.window)
        calls = limit.calls_for(urgent)
        spacing = limit.spacing(urgent)
        moments = [
            times[len(times) - calls] + limit.window if len(times) >= calls else None,
            times[-1] + spacing if spacing is not None and times else None,
        ]
        return max((m for m in moments if m is not None), default=None)


def is_urgent(priority: int) -> bool:
    """Whether an item of `priority` may use a window's reserve (emergencies, answers)."""
    return priority >= Priority.ACK


def recent_attempts(
    session: Session, channel: Channel, account_id: str | None, bucket: Bucket, since: datetime
) -> list[datetime]:
    """The latest moment each attempt on `channel` may have reached the platform, for those
    after `since`, oldest first (None: every account of the channel)."""
    params = {
        "channel": channel,
        "kinds": list(bucket.kinds),
        "since": since,
        "started_after": since - REACHED_WITHIN,
    }
    if account_id is None:
        rows = session.execute(_ATTEMPTS_OF_CHANNEL, params)
    else:
        rows = session.execute(_ATTEMPTS_OF_ACCOUNT, {**params, "account_id": account_id})
    reached = sorted(_reached_by(start, end) for start, end in rows)
    return [moment for moment in reached if moment > since]


def _attempts_since(*, of_account: bool) -> sa.CompoundSelect[tuple[datetime, datetime | None]]:
    """Two lookups on the index of ends, not a walk through REACHED_WITHIN of starts (at LINE's
    50 answers a second, 6,000 rows for each item claimed): an attempt that ended before
    `since` never counts, however recent its start; those without an end are few (in flight,
    or cut short by a crash until a look records one). Built once, bound at each call."""
    columns = (ATTEMPTS.c.started_at, ATTEMPTS.c.finished_at)
    scope = [
        ATTEMPTS.c.channel == sa.bindparam("channel"),
        ATTEMPTS.c.kind.in_(sa.bindparam("kinds", expanding=True)),
    ]
    if of_account:
        scope.append(ATTEMPTS.c.account_id == sa.bindparam("account_id"))
    return sa.union_all(
        sa.select(*columns).where(
            *scope,
            ATTEMPTS.c.finished_at > sa.bindparam("since"),
            ATTEMPTS.c.started_at > sa.bindparam("started_after"),
        ),
        sa.select(*columns).where(*scope, ATTEMPTS.c.finished_at.is_(None)),
    )


_ATTEMPTS_OF_CHANNEL = _attempts_since(of_account=False)
_ATTEMPTS_OF_ACCOUNT = _attempts_since(of_account=True)


def _reached_by(started: datetime, finished: datetime | None) -> datetime:
    """The latest an attempt may have reached the platform: its end, at most `REACHED_WITHIN`."""
    latest = started + REACHED_WITHIN
    return latest if finished is None else min(finished, latest)
