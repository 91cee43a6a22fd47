"""The closed sets of values a message, a case, an outbox item and their kin can take: statuses,
kinds, streams and sources, shared by every stage and channel.

The store keeps each as its string value in a VARCHAR with a CHECK constraint (never a native
PostgreSQL ENUM), so adding a value later is a small migration on both databases.
"""

from enum import StrEnum


class MessageStatus(StrEnum):
    """Where an inbound message is in the intake."""

    NEW = "new"
    PROCESSED = "processed"
    WAITING_VERIFICATION = "waiting_verification"
    """From an account that is not (yet) a verified resident; kept until it verifies."""
    IGNORED = "ignored"


class ResidentStatus(StrEnum):
    """A resident's enrolment: enrolled in person, bound to an X account, revoked or erased."""

    PENDING = "pending"
    VERIFIED = "verified"
    REVOKED = "revoked"
    ERASED = "erased"
    """Personal data removed on request (GDPR art. 17); the row stays so cases keep a subject."""


class CaseStatus(StrEnum):
    """A case's life, from the message that opened it to its closing (the allowed moves are in
    `jun_engine.domain.cases.TRANSITIONS`)."""

    OPEN = "open"
    """New: opened from a message, not routed yet."""
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    WAITING_RESIDENT = "waiting_resident"
    RESOLVED = "resolved"
    CLOSED = "closed"
    # Added by the CASES helper (revision "cases"):
    ROUTED = "routed"
    ANSWERED = "answered"
    """Staff answered the resident; not resolved yet."""
    REOPENED = "reopened"
    REROUTED = "rerouted"
    """Moved to another department by staff; waits for that department's answer."""
    MERGED = "merged"
    """A duplicate of another case (`merged_into_id`); closed for good."""
    FORWARDED = "forwarded"
    """Belongs to an outside body (`external_body`): the resident was told whom to ask."""


class Privacy(StrEnum):
    """Whether a case is handled in public replies or only by DM."""

    PUBLIC = "public"
    PRIVATE = "private"


class OutboxKind(StrEnum):
    """What an outbox item becomes on the platform."""

    POST = "post"
    REPLY = "reply"
    DM = "dm"


class OutboxStatus(StrEnum):
    """Where an outbox item is on its way out."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    """The last attempt failed; it will be retried after `not_before`."""
    ABANDONED = "abandoned"
    """Given up on (too many attempts, or refused for good)."""


class PollStream(StrEnum):
    """What a poller reads for one account; each has its own checkpoint."""

    MENTIONS = "mentions"
    DMS = "dms"
    TIMELINE = "timeline"


class ScheduledKind(StrEnum):
    """What a scheduled item posts."""

    MENU = "menu"
    NOTICE = "notice"
    ALERT = "alert"
    AIR_QUALITY = "air_quality"


class ScheduledStatus(StrEnum):
    """Whether a scheduled item will still run."""

    SCHEDULED = "scheduled"
    DONE = "done"
    CANCELLED = "cancelled"
    FAILED = "failed"
    SKIPPED = "skipped"
    """Came due while the daemon was down and was no longer valid: never posted (misfire policy)."""


class MenuStatus(StrEnum):
    """A school menu's day: waiting for its posting time, queued in the outbox, or skipped."""

    SCHEDULED = "scheduled"
    QUEUED = "queued"
    SKIPPED = "skipped"
    """Its day passed while the daemon was down, or the day became a holiday."""


class DeliveryStatus(StrEnum):
    """One notice's delivery to one resident by DM."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"


class ExampleSource(StrEnum):
    """Where a routing example came from."""

    SEED = "seed"
    HISTORY = "history"
    CORRECTION = "correction"
    """A staff member moved a case to another department: the strongest signal."""


class AppointmentStatus(StrEnum):
    """A booked appointment, or one the resident or staff cancelled (moving keeps it booked)."""

    BOOKED = "booked"
    CANCELLED = "cancelled"


class StaffRole(StrEnum):
    """What a web-desk staff account may see (the rules are in `jun_engine.web.access`)."""

    DEPARTMENT = "department"
    """Its own department's cases, private ones included."""
    TRIAGE = "triage"
    """The cases the router was not sure about (those of a triage department)."""
    MAYOR = "mayor"
    """Every case, but not the text of a private one unless it is its own department's."""
    ADMIN = "admin"


class CastKind(StrEnum):
    """How a LINE send reaches many people at once (`line_cast`)."""

    MULTICAST = "multicast"
    """To a stored list of at most 500 user ids (the town's own segments)."""
    NARROWCAST = "narrowcast"
    """To the friends LINE's demographic filter picks (age band, area); followed to the end."""
    BROADCAST = "broadcast"
    """To every friend of the account."""


class CastStatus(StrEnum):
    """Where a LINE cast is on its way out (`line_cast`)."""

    PENDING = "pending"
    SENDING = "sending"
    """An attempt was made (committed before the call); a retry carries the same retry key."""
    ACCEPTED = "accepted"
    """A narrowcast LINE took (202): its progress is followed until it ends."""
    SENT = "sent"
    FAILED = "failed"


class MailStatus(StrEnum):
    """Where an e-mail is (a weekly report's, `jun_engine.mail.delivery`; a department's,
    `jun_engine.mail.departments`): sent at most once."""

    UNSENT = "unsent"
    """Not tried (or not configured to be e-mailed)."""
    SENDING = "sending"
    """An attempt is recorded and under way; found so after a crash, it becomes `unconfirmed`."""
    RETRYING = "retrying"
    """The server refused for now, or could not be reached: tried again after its next time."""
    SENT = "sent"
    """The server took it (250 after the message)."""
    UNCONFIRMED = "unconfirmed"
    """An attempt ended without the server's answer: it may have arrived. Never resent by
    itself (SMTP has no look-up); a report's `jun-engine web report --send --again` resends by
    hand (a department's e-mail is not resent: its case is on the web desk and in the digest)."""
    FAILED = "failed"
    """Refused for good (5xx, a wrong login) or too many transient failures; not retried."""


class DepartmentMailKind(StrEnum):
    """What a department's e-mail tells (`department_mail`)."""

    CASE = "case"
    """A new private case (several opened close together go in one e-mail)."""
    DIGEST = "digest"
    """The day's digest of the department's open cases, instead of a DM from the town."""
