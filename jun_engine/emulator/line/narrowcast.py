"""Narrowcast jobs: accepted with 202, then waiting -> sending -> succeeded or failed in
emulated time, as `progress/narrowcast` reports them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

WAITING_FOR = timedelta(seconds=1)
"""Emulated time a narrowcast spends `waiting` (filtering) before `sending`."""
SENDING_FOR = timedelta(seconds=1)
"""Emulated time it then spends `sending` before it is done."""

FAILURES = {
    1: "An internal error occurred.",
    2: "There weren't enough recipients.",
    4: "An audience of less than 50 recipients is included as a condition of sending.",
    5: "Message delivery has been canceled to prevent delivery to only a subset of the target.",
}


@dataclass(slots=True)
class Job:
    """One accepted narrowcast."""

    request_id: str
    accepted_at: datetime
    messages: list[dict[str, Any]]
    targets: list[str]
    error_code: int | None = None
    retry_key: str | None = None
    done: bool = False
    delivered: set[str] = field(default_factory=set)

    @property
    def completes_at(self) -> datetime:
        """When it leaves `sending`."""
        return self.accepted_at + WAITING_FOR + SENDING_FOR

    def phase(self, now: datetime) -> str:
        """The phase at `now`."""
        if now < self.accepted_at + WAITING_FOR:
            return "waiting"
        if now < self.completes_at or not self.done:
            return "sending"
        return "failed" if self.error_code is not None else "succeeded"

    def progress(self, now: datetime) -> dict[str, Any]:
        """The NarrowcastProgressResponse body."""
        phase = self.phase(now)
        out: dict[str, Any] = {"phase": phase, "acceptedTime": _millis(self.accepted_at)}
        if phase in ("succeeded", "failed"):
            out["completedTime"] = _millis(self.completes_at)
            out["targetCount"] = len(self.targets)
            out["successCount"] = len(self.delivered)
            out["failureCount"] = len(self.targets) - len(self.delivered)
        if phase == "failed" and self.error_code is not None:
            out["errorCode"] = self.error_code
            out["failedDescription"] = FAILURES[self.error_code]
        return out


def _millis(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
