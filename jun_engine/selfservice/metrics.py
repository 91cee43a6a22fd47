"""How much self-service takes off the departments: the share of processed messages it answered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from jun_engine.domain.statuses import MessageStatus
from jun_engine.store.tables import InboundMessageRow, SelfServiceAnswerRow


@dataclass(frozen=True, slots=True)
class SelfServiceCounts:
    """Messages processed, those answered without a department, and how, by answer kind."""

    processed: int
    answered: int
    by_kind: dict[str, int]

    @property
    def share(self) -> float:
        """answered / processed, 0.0 when nothing was processed."""
        return self.answered / self.processed if self.processed else 0.0


def self_service_counts(session: Session, since: datetime | None = None) -> SelfServiceCounts:
    """The counts over messages received at or after `since` (all when None)."""
    processed = (
        select(func.count())
        .select_from(InboundMessageRow)
        .where(InboundMessageRow.status == MessageStatus.PROCESSED)
    )
    kinds = (
        select(SelfServiceAnswerRow.kind, func.count())
        .join(InboundMessageRow, col(InboundMessageRow.id) == col(SelfServiceAnswerRow.message_id))
        .where(InboundMessageRow.status == MessageStatus.PROCESSED)
        .group_by(SelfServiceAnswerRow.kind)
    )
    if since is not None:
        processed = processed.where(col(InboundMessageRow.received_at) >= since)
        kinds = kinds.where(col(InboundMessageRow.received_at) >= since)
    by_kind = {kind: int(count) for kind, count in session.exec(kinds).all()}
    return SelfServiceCounts(int(session.exec(processed).one()), sum(by_kind.values()), by_kind)


def self_service_share(session: Session, since: datetime | None = None) -> float:
    """The share of processed messages answered without a department (0.0 to 1.0)."""
    return self_service_counts(session, since).share
