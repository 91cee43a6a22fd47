"""Redeeming a code sent from an X account: bind the account's user id to its resident.

The id is what counts, never the handle: a verified resident who renames their account stays
verified, and a handle given up and taken by someone else never inherits a verification. A code
is single-use; using it from a new account moves the resident there (the old one is unbound).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session, col, select, update

from jun_engine.config.schema import Verification
from jun_engine.domain.residents import ResidentEventKind
from jun_engine.residents.codes import matches
from jun_engine.residents.lockout import attempts_left, locked_until, record_attempt
from jun_engine.residents.repository import RESIDENT, add_event
from jun_engine.store.statuses import MessageStatus, ResidentStatus
from jun_engine.store.tables import InboundMessageRow, ResidentRow, VerificationCodeRow


class RedemptionOutcome(StrEnum):
    """What came of a code sent from an account."""

    VERIFIED = "verified"
    REJECTED = "rejected"
    LOCKED_OUT = "locked_out"


@dataclass(frozen=True, slots=True)
class Redemption:
    """The result of trying the code-shaped tokens of one message."""

    outcome: RedemptionOutcome
    resident_id: int | None = None
    released: int = 0
    """Earlier messages of the account that were waiting and are queued again."""
    attempts_left: int = 0
    locked_until: datetime | None = None


def redeem(
    session: Session,
    rules: Verification,
    *,
    x_user_id: str,
    handle: str | None,
    candidates: Sequence[str],
    now: datetime,
) -> Redemption:
    """Try the candidates (normalised codes) sent by `x_user_id`, in the order written.

    Each code checked is one attempt: a wrong one counts towards the lockout, and once the
    account is locked out the codes after it are not checked (nor counted), so a message of
    twenty guesses is twenty guesses, stopped at `max_failed_attempts`.
    """
    locked = locked_until(session, x_user_id, rules, now)
    if locked is not None:
        return Redemption(RedemptionOutcome.LOCKED_OUT, locked_until=locked)
    live = _live_codes(session, now)
    for candidate in candidates:
        code = next((c for c in live if matches(candidate, c.code_hash)), None)
        if code is not None and _use(session, code, now):
            return _verified(session, code, x_user_id=x_user_id, handle=handle, now=now)
        record_attempt(session, x_user_id, success=False, now=now)
        session.flush()
        locked = locked_until(session, x_user_id, rules, now)
        if locked is not None:
            return Redemption(RedemptionOutcome.REJECTED, locked_until=locked)
    return Redemption(
        RedemptionOutcome.REJECTED, attempts_left=attempts_left(session, x_user_id, rules, now)
    )


def _verified(
    session: Session,
    code: VerificationCodeRow,
    *,
    x_user_id: str,
    handle: str | None,
    now: datetime,
) -> Redemption:
    record_attempt(session, x_user_id, success=True, now=now)
    resident = session.get(ResidentRow, code.resident_id)
    if resident is None:  # pragma: no cover - codes are deleted with their resident
        raise LookupError(f"code {code.id} has no resident")
    bind(session, resident, x_user_id=x_user_id, handle=handle, now=now)
    released = release_waiting(session, x_user_id)
    return Redemption(RedemptionOutcome.VERIFIED, resident_id=resident.id, released=released)


def withdraw_exposed(session: Session, candidates: Sequence[str], now: datetime) -> list[str]:
    """Use up the live codes among `candidates` that were seen in public (a mention), so no one
    who read them can use them; the candidates that were live codes (for masking)."""
    exposed: list[str] = []
    live = _live_codes(session, now)
    for candidate in candidates:
        code = next((c for c in live if matches(candidate, c.code_hash)), None)
        if code is None or not _use(session, code, now):
            continue
        exposed.append(candidate)
        add_event(
            session,
            code.resident_id,
            ResidentEventKind.CODE_WITHDRAWN,
            now,
            RESIDENT,
            detail="the code was posted in public; ask for a new one at the desk",
        )
    return exposed


def bind(
    session: Session, resident: ResidentRow, *, x_user_id: str, handle: str | None, now: datetime
) -> None:
    """Make `x_user_id` the resident's account; a previous account of theirs is unbound."""
    resident_id = resident.id or 0
    previous = resident.x_user_id
    if previous and previous != x_user_id:
        add_event(
            session,
            resident_id,
            ResidentEventKind.UNBOUND,
            now,
            RESIDENT,
            x_user_id=previous,
            detail="moved to another X account",
        )
    _take_from_others(session, resident_id, x_user_id, now)
    resident.x_user_id = x_user_id
    resident.x_handle = handle
    resident.status = ResidentStatus.VERIFIED
    resident.verified_at = now
    resident.revoked_at = None
    session.add(resident)
    session.flush()
    add_event(session, resident_id, ResidentEventKind.VERIFIED, now, RESIDENT, x_user_id=x_user_id)


def _take_from_others(session: Session, resident_id: int, x_user_id: str, now: datetime) -> None:
    """An account is one resident's: whoever held it before (revoked, or an earlier enrolment
    of the same person) loses it, with a line in their history."""
    statement = select(ResidentRow).where(
        ResidentRow.x_user_id == x_user_id, col(ResidentRow.id) != resident_id
    )
    for other in session.exec(statement).all():
        add_event(
            session,
            other.id or 0,
            ResidentEventKind.UNBOUND,
            now,
            RESIDENT,
            x_user_id=x_user_id,
            detail=f"account verified for resident {resident_id}",
        )
        other.x_user_id = None
        other.x_handle = None
        if other.status is ResidentStatus.VERIFIED:
            other.status = ResidentStatus.PENDING
        session.add(other)
    session.flush()


def release_waiting(session: Session, author_id: str) -> int:
    """Queue again every message of this account that was waiting for it to verify."""
    result = session.execute(
        update(InboundMessageRow)
        .where(
            col(InboundMessageRow.author_id) == author_id,
            col(InboundMessageRow.status) == MessageStatus.WAITING_VERIFICATION,
        )
        .values(status=MessageStatus.NEW)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def note_handle(session: Session, resident: ResidentRow, handle: str | None, now: datetime) -> None:
    """Follow a verified resident's handle change (same user id, still verified)."""
    if not handle or handle == resident.x_handle:
        return
    before = resident.x_handle
    resident.x_handle = handle
    session.add(resident)
    add_event(
        session,
        resident.id or 0,
        ResidentEventKind.HANDLE_CHANGED,
        now,
        RESIDENT,
        x_user_id=resident.x_user_id,
        detail=f"@{before} -> @{handle}" if before else None,
    )


def _live_codes(session: Session, now: datetime) -> list[VerificationCodeRow]:
    """The codes that could verify now: unused, unexpired, of a resident not erased."""
    statement = (
        select(VerificationCodeRow)
        .join(ResidentRow, col(ResidentRow.id) == VerificationCodeRow.resident_id)
        .where(
            col(VerificationCodeRow.used_at).is_(None),
            col(VerificationCodeRow.expires_at) > now,
            col(ResidentRow.status) != ResidentStatus.ERASED,
        )
    )
    return list(session.exec(statement).all())


def _use(session: Session, code: VerificationCodeRow, now: datetime) -> bool:
    """Mark the code used; False if another transaction used it first."""
    result = session.execute(
        update(VerificationCodeRow)
        .where(col(VerificationCodeRow.id) == code.id, col(VerificationCodeRow.used_at).is_(None))
        .values(used_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0) == 1
