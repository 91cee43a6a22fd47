"""Staff accounts in the caller's transaction: add, list, disable, reset, and sign-in with a
lockout after repeated wrong passwords.

Roles (`StaffRole`) say what an account sees; `jun_engine.web.access` applies them. A reset or a
disable bumps `session_version`, which ends every session signed before it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from jun_engine.config.schema import Config
from jun_engine.domain.statuses import StaffRole
from jun_engine.staff.passwords import Passwords, WeakPasswordError
from jun_engine.store.tables import StaffAccountRow

log = logging.getLogger(__name__)

USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,63}$")
MAX_FAILED_LOGINS = 10
"""Wrong passwords in a row that lock an account."""
LOCKOUT = timedelta(minutes=30)
"""How long a locked account refuses every password (or until `staff reset`)."""


class StaffError(ValueError):
    """A staff command or sign-in that cannot be done, with a sentence saying why."""


@dataclass(frozen=True, slots=True)
class Refusal:
    """A sign-in refused. `reason` is for the log (never the password); the page says the same
    sentence whatever the reason, so it tells an attacker nothing."""

    reason: str


@dataclass(frozen=True, slots=True)
class Staff:
    """A signed-in staff member, as the desk uses it (never the row, never the hash)."""

    id: int
    username: str
    role: StaffRole
    department: str | None
    session_version: int


@dataclass(frozen=True, slots=True)
class StaffListing:
    """One line of `staff list`."""

    username: str
    role: StaffRole
    department: str | None
    created_at: datetime
    last_login_at: datetime | None
    disabled: bool
    locked_until: datetime | None


def add(
    session: Session,
    username: str,
    role: StaffRole,
    department: str | None,
    password: str,
    *,
    config: Config,
    now: datetime,
    passwords: Passwords,
) -> Staff:
    """Create an account; the username must be new and the department fit the role."""
    name = username.strip().lower()
    if not USERNAME.match(name):
        raise StaffError(f"username {username!r}: 2-64 lower-case letters, digits, '.', '_' or '-'")
    _check_department(role, department, config)
    if _find(session, name) is not None:
        raise StaffError(f"a staff account {name!r} already exists")
    row = StaffAccountRow(
        username=name,
        role=role,
        department=department,
        password_hash=_hash(passwords, password),
        created_at=now,
    )
    session.add(row)
    session.flush()
    return _staff(row)


def listing(session: Session) -> list[StaffListing]:
    """Every account, by username."""
    rows = session.exec(select(StaffAccountRow).order_by(col(StaffAccountRow.username)))
    return [
        StaffListing(
            r.username,
            r.role,
            r.department,
            r.created_at,
            r.last_login_at,
            r.disabled_at is not None,
            r.locked_until,
        )
        for r in rows
    ]


def disable(session: Session, username: str, *, now: datetime) -> None:
    """Refuse every sign-in of the account from now on and end its sessions."""
    row = _existing(session, username)
    if row.disabled_at is None:
        row.disabled_at = now
    row.session_version += 1
    session.add(row)


def reset(session: Session, username: str, password: str, *, passwords: Passwords) -> None:
    """Set a new password, lift a lockout or a disable, and end the account's sessions."""
    row = _existing(session, username)
    row.password_hash = _hash(passwords, password)
    row.failed_logins, row.locked_until, row.disabled_at = 0, None, None
    row.session_version += 1
    session.add(row)


def sign_in(
    session: Session, username: str, password: str, *, now: datetime, passwords: Passwords
) -> Staff | Refusal:
    """The account for a good username and password, else why not. Wrong passwords are counted
    (commit the transaction either way); the tenth in a row locks the account for `LOCKOUT`."""
    row = _find(session, username.strip().lower())
    if row is None:
        passwords.spend_time_like_a_check(password)
        return Refusal("unknown username")
    if row.disabled_at is not None:
        passwords.spend_time_like_a_check(password)
        return Refusal(f"{row.username} is disabled")
    if row.locked_until is not None and row.locked_until > now:
        passwords.spend_time_like_a_check(password)
        return Refusal(f"{row.username} is locked")
    if not passwords.matches(row.password_hash, password):
        row.failed_logins += 1
        if row.failed_logins >= MAX_FAILED_LOGINS:
            row.locked_until, row.failed_logins = now + LOCKOUT, 0
            log.warning(
                "staff account %s locked after %d wrong passwords", row.username, MAX_FAILED_LOGINS
            )
        session.add(row)
        return Refusal(f"wrong password for {row.username}")
    if passwords.needs_rehash(row.password_hash):
        row.password_hash = passwords.hash(password)
    row.failed_logins, row.locked_until, row.last_login_at = 0, None, now
    session.add(row)
    return _staff(row)


def current(session: Session, staff_id: int, session_version: int) -> Staff | None:
    """The account a session names, if it is still enabled and the session not ended."""
    row = session.get(StaffAccountRow, staff_id)
    if row is None or row.disabled_at is not None or row.session_version != session_version:
        return None
    return _staff(row)


def _check_department(role: StaffRole, department: str | None, config: Config) -> None:
    if department is not None and department not in config.departments:
        known = ", ".join(config.departments)
        raise StaffError(f"no department {department!r} in accounts.yaml ({known})")
    if role is StaffRole.DEPARTMENT and department is None:
        raise StaffError("a department account needs --department")


def _hash(passwords: Passwords, password: str) -> str:
    try:
        return passwords.hash(password)
    except WeakPasswordError as exc:
        raise StaffError(str(exc)) from None


def _find(session: Session, username: str) -> StaffAccountRow | None:
    return session.exec(select(StaffAccountRow).where(StaffAccountRow.username == username)).first()


def _existing(session: Session, username: str) -> StaffAccountRow:
    row = _find(session, username.strip().lower())
    if row is None:
        raise StaffError(f"no staff account {username!r} (`jun-engine staff list`)")
    return row


def _staff(row: StaffAccountRow) -> Staff:
    assert row.id is not None
    return Staff(row.id, row.username, row.role, row.department, row.session_version)
