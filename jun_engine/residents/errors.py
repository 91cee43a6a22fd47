"""What the residents' register refuses; each error builds its own message, never quoting a DM.

ResidentError
├── InvalidEnrolmentError   a district, topic, language, birth year or name it refuses
├── ResidentNotFoundError   no resident has that id, X user id or handle
├── AmbiguousResidentError  a number that is one resident's id and another's X user id
└── ResidentErasedError     the resident's data was erased: nothing more can be done with it
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from jun_engine.domain.errors import JunError


class ResidentError(JunError):
    """Anything the residents' register refuses."""


class InvalidEnrolmentError(ResidentError):
    """An enrolment value accounts.yaml or the register does not accept."""

    def __init__(self, field: str, value: object, reason: str, allowed: Iterable[str] = ()) -> None:
        self.field = field
        self.value = value
        choices = ", ".join(allowed)
        hint = f" (one of: {choices})" if choices else ""
        super().__init__(f"invalid {field} {value!r}: {reason}{hint}")


class ResidentNotFoundError(ResidentError):
    """No resident answers to the reference given."""

    def __init__(self, reference: str) -> None:
        self.reference = reference
        super().__init__(f"no resident {reference!r} (give a resident id, x:USER_ID or @handle)")


class AmbiguousResidentError(ResidentError):
    """A bare number that names one resident by id and another by X user id."""

    def __init__(self, reference: str) -> None:
        self.reference = reference
        super().__init__(
            f"{reference!r} is both a resident id and another resident's X user id: "
            f"write x:{reference} for the X account"
        )


class ResidentErasedError(ResidentError):
    """The resident's personal data was erased on request; the record only counts now."""

    def __init__(self, resident_id: int, erased_at: datetime | None) -> None:
        self.resident_id = resident_id
        when = f" on {erased_at:%Y-%m-%d}" if erased_at else ""
        super().__init__(f"resident {resident_id} was erased{when}: nothing left to change")
