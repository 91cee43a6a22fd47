"""The daemon's one line at exit: what a run stored, processed and sent, per channel, read from
the database (so a webhook's messages count like a poller's)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session, func, select

from jun_engine.domain.messages import Channel
from jun_engine.domain.statuses import CastStatus, OutboxStatus
from jun_engine.store.tables import (
    ApiCallRow,
    InboundMessageRow,
    LineCastRow,
    LineSendRow,
    OutboxRow,
)


@dataclass(frozen=True, slots=True)
class Spend:
    """What one channel's sends and calls cost in a run."""

    requests: int = 0
    """X: requests made (api_call). LINE: items and casts that landed (line_send, line_cast)."""
    usd: Decimal = Decimal(0)
    """X's estimated bill."""
    quota: int = 0
    """LINE: monthly-quota messages spent."""


@dataclass(frozen=True, slots=True)
class Summary:
    """What a run did, for the one line at exit."""

    stored: Mapping[Channel, int]
    """Messages stored since the start, per channel that stored any (webhooks' and pollers'
    alike)."""
    processed: int
    sent: int
    """Outbox items sent, on every channel."""
    uptime_seconds: float
    x: Spend | None = None
    """None when the run had no X (no runtime, no request)."""
    line: Spend | None = None
    """None when the run had no LINE (no runtime, nothing sent)."""

    @property
    def stored_total(self) -> int:
        """Messages stored since the start, on every channel."""
        return sum(self.stored.values())

    def text(self) -> str:
        """The one-line summary the daemon logs when it stops."""
        per = ", ".join(f"{channel.value} {count}" for channel, count in self.stored.items())
        parts = [
            f"stopped: {self.stored_total} message(s) stored" + (f" ({per})" if per else ""),
            f"{self.processed} processed, {self.sent} outbox item(s) sent",
        ]
        if self.x is not None:
            parts.append(f"X: {self.x.requests} request(s), ${self.x.usd:.4f}")
        if self.line is not None:
            parts.append(f"LINE: {self.line.requests} send(s), {self.line.quota} of the quota")
        parts.append(f"up {self.uptime_seconds:.1f} s")
        return "; ".join(parts)


def last_message_id(session: Session) -> int:
    """The newest stored message's id (0: none): messages stored later have greater ids (one
    daemon writes at a time)."""
    newest = session.exec(select(func.max(InboundMessageRow.id))).one()
    return int(newest or 0)


def summarise(
    session: Session,
    channels: Collection[Channel],
    after_id: int,
    since: datetime,
    *,
    processed: int,
    uptime_seconds: float,
) -> Summary:
    """The run's figures: messages with ids above `after_id`, sends and calls since `since`;
    each channel the daemon ran (`channels`) has its requests named, even when it made none."""
    stored = _stored_after(session, after_id)
    x, line = _x_since(session, since), _line_since(session, since)
    return Summary(
        stored={channel: stored[channel] for channel in Channel if channel in stored},
        processed=processed,
        sent=_sent_since(session, since),
        uptime_seconds=uptime_seconds,
        x=x if Channel.X in channels or x.requests else None,
        line=line if Channel.LINE in channels or line.requests else None,
    )


def _stored_after(session: Session, after_id: int) -> dict[Channel, int]:
    statement = (
        sa.select(InboundMessageRow.channel, sa.func.count())  # type: ignore[call-overload]
        .where(InboundMessageRow.id > after_id)  # type: ignore[operator]
        .group_by(InboundMessageRow.channel)
    )
    return {Channel(channel): int(count) for channel, count in session.execute(statement)}


def _x_since(session: Session, since: datetime) -> Spend:
    statement = select(func.count(), func.coalesce(func.sum(ApiCallRow.cost_usd), 0)).where(
        ApiCallRow.at >= since
    )
    count, usd = session.exec(statement).one()
    return Spend(requests=int(count), usd=Decimal(usd))


def _line_since(session: Session, since: datetime) -> Spend:
    items, item_quota = session.exec(
        select(func.count(), func.coalesce(func.sum(LineSendRow.quota), 0)).where(
            LineSendRow.sent_at >= since
        )
    ).one()
    casts, reached = session.exec(
        select(func.count(), func.coalesce(func.sum(LineCastRow.delivered), 0)).where(
            LineCastRow.status == CastStatus.SENT,
            LineCastRow.sent_at >= since,  # type: ignore[operator]
        )
    ).one()
    return Spend(requests=int(items) + int(casts), quota=int(item_quota) + int(reached or 0))


def _sent_since(session: Session, since: datetime) -> int:
    statement = select(func.count()).where(
        OutboxRow.status == OutboxStatus.SENT,
        OutboxRow.sent_at >= since,  # type: ignore[operator]
    )
    return int(session.exec(statement).one())
