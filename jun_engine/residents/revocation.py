"""Revoking a resident's verification: their account is served as anyone's until a new code."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from jun_engine.domain.residents import Resident, ResidentEventKind
from jun_engine.domain.statuses import ResidentStatus
from jun_engine.residents.enrolment import withdraw_codes
from jun_engine.residents.errors import ResidentErasedError
from jun_engine.residents.repository import add_event, load_resident, row_by_id
from jun_engine.residents.verification import unbind_all


def revoke(
    session: Session, resident_id: int, *, now: datetime, actor: str, reason: str | None = None
) -> Resident:
    """Unbind the resident's accounts and withdraw their unused codes. Revoking a revoked
    resident changes nothing; `residents new-code` lets them verify again."""
    row = row_by_id(session, resident_id)
    if row.status is ResidentStatus.ERASED:
        raise ResidentErasedError(resident_id, row.erased_at)
    if row.status is ResidentStatus.REVOKED:
        return load_resident(session, row)
    withdraw_codes(session, resident_id, now)
    unbind_all(session, resident_id, now, actor, "revoked")
    row.status = ResidentStatus.REVOKED
    row.revoked_at = now
    session.add(row)
    add_event(
        session,
        resident_id,
        ResidentEventKind.REVOKED,
        now,
        actor,
        detail=(reason or "").strip() or None,
    )
    session.flush()
    return load_resident(session, row)
