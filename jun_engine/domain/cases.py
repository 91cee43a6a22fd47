"""Cases without I/O: the status machine, the reference format, and what staff see of a case.

A case moves only along `TRANSITIONS` (table-driven tests read the table); `check_move` is the
one gate every change of status goes through. References read `JUN-2026-000123`: a prefix from
accounts.yaml, the year in the town's time zone, and a number per prefix and year.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from jun_engine.domain.statuses import CaseStatus

S = CaseStatus

_WORKING = frozenset({S.IN_PROGRESS, S.ANSWERED, S.WAITING_RESIDENT, S.RESOLVED, S.REROUTED})
_ENDINGS = frozenset({S.MERGED, S.FORWARDED})

TRANSITIONS: Mapping[CaseStatus, frozenset[CaseStatus]] = {
    S.OPEN: frozenset({S.ROUTED, S.MERGED}),
    S.ROUTED: frozenset({S.ACKNOWLEDGED}) | _WORKING | _ENDINGS,
    S.ACKNOWLEDGED: _WORKING | _ENDINGS,
    S.IN_PROGRESS: _WORKING | _ENDINGS,
    S.ANSWERED: _WORKING | _ENDINGS | {S.CLOSED},
    S.WAITING_RESIDENT: _WORKING | _ENDINGS | {S.CLOSED},
    S.REROUTED: _WORKING | _ENDINGS,
    S.REOPENED: _WORKING | _ENDINGS,
    S.RESOLVED: frozenset({S.CLOSED, S.REOPENED}),
    S.FORWARDED: frozenset({S.RESOLVED, S.CLOSED, S.REOPENED}),
    S.CLOSED: frozenset({S.REOPENED}),
    S.MERGED: frozenset(),
}
"""Where each status may go next. A duplicate (MERGED) is final; a closed case can reopen."""

OPEN_STATUSES: frozenset[CaseStatus] = frozenset(
    {S.OPEN, S.ROUTED, S.ACKNOWLEDGED, S.IN_PROGRESS, S.ANSWERED, S.WAITING_RESIDENT,
     S.REROUTED, S.REOPENED}
)  # fmt: skip
"""Statuses of cases still waiting on the town: listed in digests, watched by the SLA."""

AWAITING_FIRST_RESPONSE: frozenset[CaseStatus] = frozenset(
    {S.OPEN, S.ROUTED, S.ACKNOWLEDGED, S.REROUTED}
)


class InvalidTransitionError(ValueError):
    """A change of status the machine does not allow."""

    def __init__(self, current: CaseStatus, wanted: CaseStatus) -> None:
        self.current = current
        self.wanted = wanted
        allowed = ", ".join(sorted(s.value for s in TRANSITIONS[current])) or "nothing (final)"
        super().__init__(
            f"a case that is {current.value} cannot become {wanted.value} "
            f"(it can become: {allowed})"
        )


def can_move(current: CaseStatus, wanted: CaseStatus) -> bool:
    """Whether `current` may become `wanted`."""
    return wanted in TRANSITIONS[current]


def check_move(current: CaseStatus, wanted: CaseStatus) -> None:
    """Raise InvalidTransitionError unless `current` may become `wanted`."""
    if not can_move(current, wanted):
        raise InvalidTransitionError(current, wanted)


# --- references ---------------------------------------------------------------------------------

REFERENCE = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{2,8})-(\d{4})-(\d{6,9})(?![0-9])")
"""A reference anywhere in a text, any case (staff type `jun-2026-000123` too)."""


def format_reference(prefix: str, year: int, number: int) -> str:
    """`JUN-2026-000123`."""
    return f"{prefix}-{year:04d}-{number:06d}"


def find_reference(text: str) -> str | None:
    """The first reference in `text`, upper-cased, or None."""
    match = REFERENCE.search(text)
    if match is None:
        return None
    prefix, year, number = match.groups()
    return format_reference(prefix.upper(), int(year), int(number))


def sequence_scope(prefix: str, year: int) -> str:
    """The key of a reference counter: one sequence per prefix and year."""
    return f"{prefix}-{year:04d}"


# --- what staff see ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CaseEvent:
    """One line of a case's history."""

    at: datetime
    kind: str
    actor: str
    from_status: CaseStatus | None = None
    to_status: CaseStatus | None = None
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class CaseSummary:
    """A case as `cases list` and `cases show` present it (never the table row itself)."""

    id: int
    reference: str
    department: str
    category: str | None
    intent: str | None
    urgency: str | None
    channel: str
    kind: str | None
    """`mention` or `dm`: how the resident wrote."""
    privacy: str
    status: CaseStatus
    language: str
    resident_id: int | None
    author_id: str | None
    opened_at: datetime
    acknowledged_at: datetime | None
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    first_response_due: datetime | None
    resolution_due: datetime | None
    satisfaction: int | None
    external_body: str | None
    merged_into: str | None
    escalated_at: datetime | None

    def overdue_at(self, now: datetime) -> str | None:
        """`first_response` or `resolution` when that target has passed unmet, else None."""
        if self.status not in OPEN_STATUSES:
            return None
        if self.first_response_at is None and _passed(self.first_response_due, now):
            return "first_response"
        if _passed(self.resolution_due, now):
            return "resolution"
        return None


def _passed(due: datetime | None, now: datetime) -> bool:
    return due is not None and due <= now
