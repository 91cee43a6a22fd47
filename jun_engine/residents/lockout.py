"""The lockout: too many wrong codes from one account, and it may not try again for a while.

`max_failed_attempts` wrong codes within `lockout` (counted since the account's last success)
lock the account for `lockout` from the last of them. Codes sent while locked are not checked
and not counted, so a lockout cannot be stretched, and when it ends every failure that caused
it has aged out of the window: the account starts again with its full allowance.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from jun_engine.config.schema import Verification
from jun_engine.domain.residents import Identity
from jun_engine.store.tables import VerificationAttemptRow


def record_attempt(session: Session, account: Identity, *, success: bool, now: datetime) -> None:
    """Count one checked code from an account."""
    session.add(
        VerificationAttemptRow(
            channel=account.channel, user_id=account.user_id, at=now, success=success
        )
    )


def locked_until(
    session: Session, account: Identity, rules: Verification, now: datetime
) -> datetime | None:
    """When the account's lockout ends, or None if it may send a code now."""
    failures = _recent_failures(session, account, now - 2 * rules.lockout)
    window = rules.lockout
    for index in range(len(failures) - 1, -1, -1):
        last = failures[index]
        if last <= now - window:
            break
        in_window = [at for at in failures[: index + 1] if at > last - window]
        if len(in_window) >= rules.max_failed_attempts:
            return last + window
    return None


def attempts_left(session: Session, account: Identity, rules: Verification, now: datetime) -> int:
    """How many wrong codes the account may still send before it is locked out."""
    failures = _recent_failures(session, account, now - rules.lockout)
    return max(rules.max_failed_attempts - len(failures), 0)


def _recent_failures(session: Session, account: Identity, since: datetime) -> list[datetime]:
    """Failed attempts after `since` and after the account's last success, oldest first."""
    success = select(VerificationAttemptRow.at).where(
        VerificationAttemptRow.channel == account.channel,
        VerificationAttemptRow.user_id == account.user_id,
        col(VerificationAttemptRow.success).is_(True),
    )
    last_success = session.exec(success.order_by(col(VerificationAttemptRow.at).desc())).first()
    start = max(since, last_success) if last_success else since
    statement = (
        select(VerificationAttemptRow.at)
        .where(
            VerificationAttemptRow.channel == account.channel,
            VerificationAttemptRow.user_id == account.user_id,
            col(VerificationAttemptRow.success).is_(False),
            col(VerificationAttemptRow.at) > start,
        )
        .order_by(col(VerificationAttemptRow.at))
    )
    return list(session.exec(statement).all())
