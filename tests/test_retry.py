"""The retry policy, as a table: each failure and what the poller does about it."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from jun_engine.domain.errors import (
    AuthError,
    ConnectionFailed,
    DmNotPermitted,
    Forbidden,
    InvalidRequest,
    MalformedResponse,
    NotFound,
    RateLimited,
    RequestTimedOut,
    ServerError,
)
from jun_engine.emulator.testing import TEST_START
from jun_engine.retry import (
    BACKOFF_CAP,
    RESET_SLACK,
    USAGE_CAPPED_PAUSE,
    Action,
    backoff,
    decide,
)
from jun_engine.store.errors import DatabaseError

NOW = TEST_START
RESET = NOW + timedelta(minutes=7)


@pytest.mark.parametrize(
    ("error", "action", "at", "alert"),
    [
        (RateLimited(RESET), Action.RETRY, RESET + RESET_SLACK, False),
        (RateLimited(NOW - timedelta(seconds=5)), Action.RETRY, NOW, False),
        (RateLimited(None), Action.RETRY, NOW + timedelta(minutes=1), False),
        (RateLimited(RESET, usage_capped=True), Action.PAUSE, NOW + USAGE_CAPPED_PAUSE, True),
        (AuthError(), Action.STOP, None, True),
        (Forbidden(), Action.STOP, None, True),
        (DmNotPermitted(), Action.STOP, None, True),
        (NotFound(), Action.STOP, None, True),
        (InvalidRequest("bad since_id"), Action.STOP, None, True),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, Exception) else None,
)
def test_decisions_with_a_fixed_moment(
    error: Exception, action: Action, at: object, alert: bool
) -> None:
    decision = decide(error, 1, NOW, random.Random(0))
    assert (decision.action, decision.at, decision.alert) == (action, at, alert)


@pytest.mark.parametrize(
    "error",
    [
        ServerError(503),
        ConnectionFailed("refused", request_sent=False),
        RequestTimedOut("read", request_sent=True),
        MalformedResponse("truncated JSON", request_sent=True),
        DatabaseError("sqlite:///jun.db", "database is locked"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_transient_failures_back_off_within_the_jittered_ceiling(error: Exception) -> None:
    for attempt, ceiling in [(1, 1.0), (2, 2.0), (5, 16.0), (30, BACKOFF_CAP)]:
        decision = decide(error, attempt, NOW, random.Random(attempt))
        assert decision.action is Action.RETRY
        assert decision.at is not None
        assert NOW < decision.at <= NOW + timedelta(seconds=ceiling)
        assert not decision.alert


def test_an_unexpected_exception_backs_off_and_alerts() -> None:
    decision = decide(KeyError("id"), 1, NOW, random.Random(0))
    assert decision.action is Action.RETRY
    assert decision.alert


def test_backoff_is_full_jitter_capped_at_five_minutes() -> None:
    rng = random.Random(7)
    waits = [backoff(40, rng).total_seconds() for _ in range(500)]
    assert max(waits) <= BACKOFF_CAP
    assert min(waits) < BACKOFF_CAP / 4  # spread over the range, not pinned at the cap
