"""Redeeming a code sent from an account: bind the account (channel, user id) to its resident.

The id is what counts, never the handle: a verified resident who renames their account stays
verified, and a handle given up and taken by someone else never inherits a verification. A code
is single-use; using it from a new account moves the resident there (their old account on that
channel is unbound; accounts on other channels stay bound).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session, col, select, update

from jun_engine.config.schema import Verification
from jun_engine.domain.residents import Identity, ResidentEventKind
from jun_engine.domain.statuses import MessageStatus, ResidentStatus
from jun_engine.residents.codes import matches
from jun_engine.residents.lockout import attempts_left, locked_until, record_attempt
from jun_engine.residents.repository import (
    RESIDENT,
    add_event,
    attach,
    identity_row,
    identity_rows,
)
from jun_engine.store.tables import (
    InboundMessageRow,
    ResidentIdentityRow,
    ResidentRow,
    VerificationCodeRow,
)


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
    account: Identity,
    candidates: Sequence[str],
    now: datetime,
) -> Redemption:
    """Try the candidates (normalised codes) sent from `account`, in the order written.

    Each code checked is one attempt: a wrong one counts towards the lockout, and once the
    account is locked out the codes after it are not checked (nor counted), so a message of
    twenty guesses is twenty guesses, stopped at `max_failed_attempts`.
    """
    locked = locked_until(session, account, rules, now)
    if locked is not None:
        return Redemption(RedemptionOutcome.LOCKED_OUT, locked_until=locked)
    live = _live_codes(session, now)
    for candidate in candidates:
        code = next((c for c in live if matches(candidate, c.code_hash)), None)
        if code is not None and _use(session, code, now):
            return _verified(session, code, account, now)
        record_attempt(session, account, success=False, now=now)
        session.flush()
        locked = locked_until(session, account, rules, now)
        if locked is not None:
            return Redemption(RedemptionOutcome.REJECTED, locked_until=locked)
    return Redemption(
        RedemptionOutcome.REJECTED, attempts_left=attempts_left(session, account, rules, now)
    )


def _verified(
    session: Session, code: VerificationCodeRow, account: Identity, now: datetime
) -> Redemption:
    record_attempt(session, account, success=True, now=now)
    resident = session.get(ResidentRow, code.resident_id)
    if resident is None:  # pragma: no cover - codes are deleted with their resident
        raise LookupError(f"code {code.id} has no resident")
    bind(session, resident, account, now=now)
    released = release_waiting(session, account)
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


def bind(session: Session, resident: ResidentRow, account: Identity, *, now: datetime) -> None:
    """Make `account` (with its handle, if given) the resident's on its channel; a previous
    account of theirs on that channel is unbound."""
    resident_id = resident.id or 0
    current = next(
        (i for i in identity_rows(session, resident_id) if i.channel == account.channel), None
    )
    if current is not None and current.user_id != account.user_id:
        _unbind(
            session,
            current,
            now,
            RESIDENT,
            f"moved to another {account.channel.value.upper()} account",
        )
        current = None
    _take_from_others(session, resident_id, account, now)
    if current is None:
        attach(session, resident_id, account, now)
    else:
        current.handle = account.handle
        session.add(current)
    resident.status = ResidentStatus.VERIFIED
    resident.verified_at = now
    resident.revoked_at = None
    session.add(resident)
    session.flush()
    add_event(session, resident_id, ResidentEventKind.VERIFIED, now, RESIDENT, account=account)


def unbind_all(session: Session, resident_id: int, now: datetime, actor: str, why: str) -> None:
    """Unbind every account of the resident, each with a line in their history."""
    for bound in identity_rows(session, resident_id):
        _unbind(session, bound, now, actor, why)


def _unbind(
    session: Session, bound: ResidentIdentityRow, now: datetime, actor: str, why: str
) -> None:
    """Delete one binding; the history keeps which account it was."""
    account = Identity(bound.channel, bound.user_id)
    add_event(
        session,
        bound.resident_id,
        ResidentEventKind.UNBOUND,
        now,
        actor,
        account=account,
        detail=why,
    )
    session.delete(bound)
    session.flush()


def _take_from_others(session: Session, resident_id: int, account: Identity, now: datetime) -> None:
    """An account is one resident's: whoever held it before (revoked, or an earlier enrolment
    of the same person) loses it, with a line in their history; a verified one left with no
    account is pending again."""
    bound = identity_row(session, account)
    if bound is None or bound.resident_id == resident_id:
        return
    other = session.get(ResidentRow, bound.resident_id)
    _unbind(session, bound, now, RESIDENT, f"account verified for resident {resident_id}")
    left = identity_rows(session, bound.resident_id)
    if other is not None and other.status is ResidentStatus.VERIFIED and not left:
        other.status = ResidentStatus.PENDING
        session.add(other)
    session.flush()


def release_waiting(session: Session, account: Identity) -> int:
    """Queue again every message of this account that was waiting for it to verify."""
    result = session.execute(
        update(InboundMessageRow)
        .where(
            col(InboundMessageRow.channel) == account.channel,
            col(InboundMessageRow.author_id) == account.user_id,
            col(InboundMessageRow.status) == MessageStatus.WAITING_VERIFICATION,
        )
        .values(status=MessageStatus.NEW)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def note_handle(session: Session, account: Identity, now: datetime) -> None:
    """Follow a bound account's handle change (same user id, still bound): `account.handle` is
    the handle it wrote under; nothing happens when it is unknown or unchanged."""
    bound = identity_row(session, account)
    if bound is None or not account.handle or account.handle == bound.handle:
        return
    before = bound.handle
    bound.handle = account.handle
    session.add(bound)
    add_event(
        session,
        bound.resident_id,
        ResidentEventKind.HANDLE_CHANGED,
        now,
        RESIDENT,
        account=account,
        detail=f"@{before} -> @{account.handle}" if before else None,
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
