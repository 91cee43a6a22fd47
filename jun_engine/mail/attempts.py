"""What the end of one SMTP attempt means for an e-mail, the same for every e-mail the engine
sends (the weekly report, departments' notices): sent, tried again later, given up, or
`unconfirmed` (it may have arrived, and SMTP has no look-up, so it is never resent by itself)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from jun_engine.domain.errors import ChannelError, NetworkError
from jun_engine.domain.statuses import MailStatus as Mail
from jun_engine.retry import Action, decide

MAX_ATTEMPTS = 12
"""Transient failures in a row before an e-mail is given up (about an hour of backoff)."""
STALE_AFTER = timedelta(minutes=15)
"""A `sending` record older than this was interrupted (its process died): far beyond the SMTP
timeouts of one attempt, so a live attempt is never taken for a dead one."""
INTERRUPTED = "the attempt was interrupted (the process stopped); it may have arrived"
"""What an interrupted attempt records as its error."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """A failed attempt's outcome: `retrying` (at `next_at`), `failed` or `unconfirmed`."""

    status: Mail
    next_at: datetime | None = None


def judge(error: ChannelError, attempt: int, now: datetime, rng: random.Random) -> Verdict:
    """The outcome of attempt number `attempt`, which failed with `error`: an attempt that may
    have delivered the message is unconfirmed; one that surely did not is retried with the
    engine's retry policy (`jun_engine.retry`) up to `MAX_ATTEMPTS`; the rest fail for good."""
    if isinstance(error, NetworkError) and error.request_sent:
        return Verdict(Mail.UNCONFIRMED)
    decision = decide(error, attempt, now, rng)
    if decision.action is Action.RETRY and attempt < MAX_ATTEMPTS:
        return Verdict(Mail.RETRYING, decision.at)
    return Verdict(Mail.FAILED)
