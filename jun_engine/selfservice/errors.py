"""Self-service errors staff commands report as one clear line."""

from __future__ import annotations

from datetime import date


class SelfServiceError(Exception):
    """Something a `slots` or `appointments` command cannot do, and why."""


class BadInputError(SelfServiceError):
    """A command's argument that cannot be read (a date, a time range)."""


class NoAppointmentBookError(SelfServiceError):
    """The department takes no appointments (no `appointments.<key>` in accounts.yaml)."""

    def __init__(self, department: str, known: list[str]) -> None:
        self.department = department
        offered = ", ".join(known) or "none is configured"
        super().__init__(f"department {department!r} takes no appointments (bookable: {offered})")


class DayHasBookingsError(SelfServiceError):
    """Closing a day that still has booked appointments."""

    def __init__(self, department: str, day: date, count: int) -> None:
        self.count = count
        super().__init__(
            f"{department} has {count} appointment(s) booked on {day.isoformat()}: cancel them "
            "first (`jun-engine appointments cancel REF`), then close the day"
        )


class NoHoursError(BadInputError):
    """Opening a day that has no hours of its own without saying which hours."""

    def __init__(self, department: str, day: date) -> None:
        super().__init__(
            f"{department} has no appointment hours on {day:%A}s: give them with "
            "--hours 09:00-13:00"
        )


class AppointmentNotFoundError(SelfServiceError):
    """No appointment has this reference."""

    def __init__(self, reference: str) -> None:
        self.reference = reference
        super().__init__(f"no appointment has the reference {reference!r}")


class AppointmentCancelledError(SelfServiceError):
    """The appointment was cancelled already."""

    def __init__(self, reference: str) -> None:
        super().__init__(f"appointment {reference} is already cancelled")
