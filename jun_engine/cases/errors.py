"""What the case desk refuses; each error builds its own message and never quotes a resident.

CaseError
├── CaseNotFoundError        no case has that reference
├── UnknownDepartmentError   a department or category accounts.yaml does not define
├── CaseRefusedError         the case cannot do that now (merged, into itself, wrong status)
└── PrivateTextInPublicError a public post would repeat a private message (cases.privacy)
"""

from __future__ import annotations

from collections.abc import Iterable

from jun_engine.domain.errors import JunError


class CaseError(JunError):
    """Anything the case desk refuses."""


class CaseNotFoundError(CaseError):
    """No case answers to the reference given."""

    def __init__(self, reference: str) -> None:
        self.reference = reference
        super().__init__(f"no case {reference!r} (references look like JUN-2026-000123)")


class UnknownDepartmentError(CaseError):
    """A department, or a category of a department, that accounts.yaml does not define."""

    def __init__(
        self, what: str, name: str, known: Iterable[str], *, department: str | None = None
    ) -> None:
        self.name = name
        self.department = department
        """The department whose category is unknown; None when the department itself is."""
        self.known = tuple(known)
        super().__init__(f"no {what} {name!r} (known: {', '.join(self.known) or 'none'})")


class CaseRefusedError(CaseError):
    """A command the case cannot take in its current state."""

    def __init__(self, reference: str, reason: str, *, key: str = "refused") -> None:
        self.reference = reference
        self.reason = reason
        self.key = key
        """The refusal for `cases.texts` (`problem_<key>`): `reason` is English, staff DMs are
        in the town's language."""
        super().__init__(f"case {reference}: {reason}")
