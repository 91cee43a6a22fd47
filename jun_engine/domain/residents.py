"""Residents as the engine sees them, the codes that verify them, and what admission decided."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from jun_engine.store.statuses import ResidentStatus


class ResidentEventKind(StrEnum):
    """One line of a resident's history (`resident_event.kind`)."""

    ENROLLED = "enrolled"
    CODE_ISSUED = "code_issued"
    VERIFIED = "verified"
    """An X account was bound (`x_user_id` says which)."""
    UNBOUND = "unbound"
    """An X account stopped being the resident's (moved to another account, or revoked)."""
    HANDLE_CHANGED = "handle_changed"
    CODE_WITHDRAWN = "code_withdrawn"
    """A code was used up without verifying anyone (it was posted in public)."""
    REVOKED = "revoked"
    ERASED = "erased"


@dataclass(frozen=True, slots=True)
class Resident:
    """A person enrolled at the town hall. After erasure only the status and dates are left."""

    id: int
    status: ResidentStatus
    name: str | None
    district: str | None
    birth_year: int | None
    language: str
    topics: tuple[str, ...]
    x_user_id: str | None
    """The bound X account (user id, never the handle); None until verified or after revocation."""
    x_handle: str | None
    enrolled_at: datetime
    verified_at: datetime | None = None
    revoked_at: datetime | None = None
    erased_at: datetime | None = None

    @property
    def is_verified(self) -> bool:
        """Whether messages from `x_user_id` are served as this resident's."""
        return self.status is ResidentStatus.VERIFIED and self.x_user_id is not None


@dataclass(frozen=True, slots=True)
class ResidentEvent:
    """One line of a resident's history, as `residents show` lists it."""

    at: datetime
    kind: ResidentEventKind
    actor: str
    x_user_id: str | None = None
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class IssuedCode:
    """A one-time code just made for a resident: shown once to staff, then only its hash exists."""

    resident_id: int
    code: str = field(repr=False)
    """The code as the resident types it, grouped for reading (ABCD-EF23)."""
    expires_at: datetime


class AdmissionOutcome(StrEnum):
    """What the verification stage decided about one inbound message."""

    ADMITTED = "admitted"
    """From a verified resident: on to routing."""
    ADMITTED_OPEN = "admitted_open"
    """Unverified, but an intent served to anyone (an emergency, a police report)."""
    VERIFIED = "verified"
    """The message was a valid code: the account is bound now; the code itself is not a request."""
    CODE_REJECTED = "code_rejected"
    """A code that is wrong, used or expired; the attempt counts towards the lockout."""
    LOCKED_OUT = "locked_out"
    """A code from an account locked out after too many wrong codes; not even checked."""
    WAITING = "waiting"
    """Unverified: kept, and admitted once the account verifies."""


@dataclass(frozen=True, slots=True)
class Admission:
    """The verification stage's verdict on one message, and why."""

    outcome: AdmissionOutcome
    resident_id: int | None = None
    open_intent: str | None = None
    """For ADMITTED_OPEN: the `verification.open_to_anyone` entry that let it in."""
    released: int = 0
    """For VERIFIED: how many earlier messages of the account went back to the queue."""
    locked_until: datetime | None = None

    @property
    def proceeds(self) -> bool:
        """Whether the message goes on to routing and case opening."""
        return self.outcome in {AdmissionOutcome.ADMITTED, AdmissionOutcome.ADMITTED_OPEN}
