"""The scheduler's own errors; each builds its message from what was wrong."""

from __future__ import annotations


class SchedulingError(Exception):
    """Anything the scheduler refuses: a bad notice, an unknown id, an alert it cannot send."""


class InvalidNoticeError(SchedulingError, ValueError):
    """A notice that cannot be scheduled as given."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"invalid notice: {reason}")


class NoticeNotFoundError(SchedulingError, LookupError):
    """No notice has this id."""

    def __init__(self, notice_id: int) -> None:
        self.notice_id = notice_id
        super().__init__(f"no notice with id {notice_id}")


class NoticeClosedError(SchedulingError):
    """The notice already ran, was skipped or was cancelled: there is nothing left to cancel."""

    def __init__(self, notice_id: int, status: str) -> None:
        self.notice_id = notice_id
        self.status = status
        super().__init__(f"notice {notice_id} is {status}: nothing to cancel")
