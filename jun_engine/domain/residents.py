"""Residents as the engine sees them, the codes that verify them, and what admission decided."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from jun_engine.domain.messages import Channel
from jun_engine.domain.statuses import ResidentStatus


class ResidentEventKind(StrEnum):
    """One line of a resident's history (`resident_event.kind`)."""

    ENROLLED = "enrolled"
    CODE_ISSUED = "code_issued"
    VERIFIED = "verified"
    """An account was bound (the event's identity says which)."""
    UNBOUND = "unbound"
    """An account stopped being the resident's (moved to another account, or revoked)."""
    HANDLE_CHANGED = "handle_changed"
    CODE_WITHDRAWN = "code_withdrawn"
    """A code was used up without verifying anyone (it was posted in public)."""
    REVOKED = "revoked"
    ERASED = "erased"


@dataclass(frozen=True, slots=True)
class Identity:
    """One account a person writes from: a user id on a channel, never the handle (handles
    change hands, user ids do not). Two identities are the same account when their channel and
    user id are; the handle is only what people read, so it takes no part in comparing."""

    channel: Channel
    user_id: str
    handle: str | None = field(default=None, compare=False)

    def __str__(self) -> str:
        """`@handle` when known, else `<channel>:<user id>` (the form `residents` commands take)."""
        return f"@{self.handle}" if self.handle else f"{self.channel.value}:{self.user_id}"


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
    identities: tuple[Identity, ...]
    """The bound accounts, at most one per channel; none until verified or after revocation."""
    enrolled_at: datetime
    verified_at: datetime | None = None
    revoked_at: datetime | None = None
    erased_at: datetime | None = None

    @property
    def is_verified(self) -> bool:
        """Whether messages from the resident's identities are served as this resident's."""
        return self.status is ResidentStatus.VERIFIED and bool(self.identities)

    def identity_on(self, channel: Channel) -> Identity | None:
        """The resident's account on `channel`, if one is bound."""
        return next((i for i in self.identities if i.channel is channel), None)


@dataclass(frozen=True, slots=True)
class ResidentEvent:
    """One line of a resident's history, as `residents show` lists it."""

    at: datetime
    kind: ResidentEventKind
    actor: str
    identity: Identity | None = None
    """The account the line is about (verified, unbound, handle changed); its handle is None."""
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
