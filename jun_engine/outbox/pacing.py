"""When a channel account may make its next post or DM: from the attempts recorded in the
database (so pacing survives restarts), the channel's limits (`Delivery.limits`), and what the
platform last said about the window (`RateLimit`, 429s).

Keeping at most N requests in ANY window-long span also keeps at most N in each of a platform's
fixed windows, whenever they start. Items below an answer's priority (`Priority.ACK`) count on a
window's calls less its reserve (`Limit.reserved`), spread evenly: each waits that share's
spacing after the account's last call (`Limit.spacing`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from jun_engine.channels.ports import Bucket, Limit, Limits
from jun_engine.channels.results import RateLimit
from jun_engine.domain.messages import Channel
from jun_engine.outbox.api import Priority
from jun_engine.store.tables import OutboxAttemptRow

ATTEMPTS: sa.Table = OutboxAttemptRow.__table__  # type: ignore[attr-defined]


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
    """The start times of the attempts on `channel` after `since`, oldest first (None: every
    account of the channel)."""
    statement = (
        sa.select(ATTEMPTS.c.started_at)
        .where(
            ATTEMPTS.c.channel == channel,
            ATTEMPTS.c.kind.in_(bucket.kinds),
            ATTEMPTS.c.started_at > since,
        )
        .order_by(ATTEMPTS.c.started_at)
    )
    if account_id is not None:
        statement = statement.where(ATTEMPTS.c.account_id == account_id)
    return [row[0] for row in session.execute(statement)]
