"""When an account may make its next post or DM: from the attempts recorded in the database
(so pacing survives restarts) and from what X last said about the window (`RateLimit`, 429s).

Keeping at most N requests in ANY window-long span also keeps at most N in each of X's fixed
windows, whenever they start.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from jun_engine.channels.results import RateLimit
from jun_engine.outbox.limits import X_LIMITS, Bucket, Limit, kinds_of
from jun_engine.store.tables import OutboxAttemptRow

ATTEMPTS: sa.Table = OutboxAttemptRow.__table__  # type: ignore[attr-defined]


class Pacer:
    """The earliest moment each (account, bucket) may send again; None means now."""

    def __init__(self, limits: Mapping[Bucket, Sequence[Limit]] = X_LIMITS) -> None:
        self.limits = limits
        self._held: dict[tuple[str | None, Bucket], datetime] = {}

    def hold(self, account_id: str | None, bucket: Bucket, until: datetime) -> None:
        """Send nothing from `account_id` (None: from any account) in `bucket` before `until`."""
        key = (account_id, bucket)
        self._held[key] = max(until, self._held.get(key, until))

    def observe(self, account_id: str, bucket: Bucket, rate_limit: RateLimit | None) -> None:
        """Take in the quota X reported with an answer: an exhausted window holds the bucket."""
        if rate_limit is None:
            return
        if rate_limit.remaining <= 0:
            self.hold(account_id, bucket, rate_limit.reset_at)
        daily = rate_limit.daily
        if daily is not None and daily.remaining <= 0:
            self.hold(account_id, bucket, daily.reset_at)

    def available_at(
        self, session: Session, account_id: str, bucket: Bucket, now: datetime
    ) -> datetime | None:
        """When `account_id` may next send in `bucket`: None if now, else the moment."""
        moments = [
            self._held.get((account_id, bucket)),
            self._held.get((None, bucket)),
            *(
                self._window_free_at(session, account_id, bucket, limit, now)
                for limit in self.limits[bucket]
            ),
        ]
        latest = max((m for m in moments if m is not None), default=None)
        return None if latest is None or latest <= now else latest

    def _window_free_at(
        self, session: Session, account_id: str, bucket: Bucket, limit: Limit, now: datetime
    ) -> datetime | None:
        """When the oldest attempt that keeps the window full leaves it; None if not full."""
        times = recent_attempts(
            session, None if limit.per_app else account_id, bucket, now - limit.window
        )
        if len(times) < limit.calls:
            return None
        return times[len(times) - limit.calls] + limit.window


def recent_attempts(
    session: Session, account_id: str | None, bucket: Bucket, since: datetime
) -> list[datetime]:
    """The start times of the attempts after `since`, oldest first (None: every account)."""
    statement = (
        sa.select(ATTEMPTS.c.started_at)
        .where(ATTEMPTS.c.kind.in_(kinds_of(bucket)), ATTEMPTS.c.started_at > since)
        .order_by(ATTEMPTS.c.started_at)
    )
    if account_id is not None:
        statement = statement.where(ATTEMPTS.c.account_id == account_id)
    return [row[0] for row in session.execute(statement)]
