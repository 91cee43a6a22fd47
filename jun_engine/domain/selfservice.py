"""Self-service as the engine sees it: bookable slots, appointments, and what answered a message."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from jun_engine.domain.messages import Channel
from jun_engine.domain.statuses import AppointmentStatus


@dataclass(frozen=True, slots=True)
class Slot:
    """One bookable time of one department and how many of its seats are taken."""

    id: int
    department: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    booked: int

    @property
    def free(self) -> int:
        """Seats still free."""
        return self.capacity - self.booked


@dataclass(frozen=True, slots=True)
class Appointment:
    """A resident's appointment: its reference, where and when, and who to tell about it."""

    id: int
    reference: str
    department: str
    slot_id: int
    starts_at: datetime
    ends_at: datetime
    resident_id: int
    user_id: str
    account_id: str
    language: str
    status: AppointmentStatus
    booked_at: datetime
    cancelled_at: datetime | None = None
    reminded_at: datetime | None = None
    channel: Channel = Channel.X
    """The channel the resident booked on: the confirmation, reminder and any cancellation go
    there (`account_id` is the town's account on it)."""


class AnswerKind(StrEnum):
    """How self-service answered a message (`self_service_answer.kind`)."""

    HELP = "help"
    BOOKING_OFFER = "booking_offer"
    BOOKING_FULL = "booking_full"
    BOOKING_LIMIT = "booking_limit"
    BOOKED = "booked"
    TAKEN = "taken"
    MOVE_OFFER = "move_offer"
    MOVED = "moved"
    CANCELLED = "cancelled"
    NO_APPOINTMENT = "no_appointment"
    WHICH_APPOINTMENT = "which_appointment"
    DIALOGUE_DROPPED = "dialogue_dropped"
    NOT_UNDERSTOOD = "not_understood"
    MENU = "menu"
    HOURS = "hours"
    RUBBISH = "rubbish"
    COUNCIL = "council"
    VERIFY = "verify"
    CONFIRM_OFFER = "confirm_offer"
    """A pressed slot, asked to be confirmed."""
    MY_CASES = "my_cases"
    REPORT_HOW = "report_how"
    AIR_QUALITY = "air_quality"
    VERIFIED = "verified"
    """Asked how to verify, already verified."""
