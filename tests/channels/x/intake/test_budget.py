"""Poll intervals: each account's own limits, stretched near the spend cap, with the reason."""

from __future__ import annotations

from datetime import timedelta

import pytest

from jun_engine.channels.x.intake.budget import (
    MIN_INTERVAL,
    READ_LIMITS,
    ReadLimit,
    budget_of,
    limit_interval,
    poll_interval,
    spend_factor,
)
from jun_engine.domain.statuses import PollStream


@pytest.mark.parametrize(
    ("limit", "seconds"),
    [
        (ReadLimit(per_user=300, headroom=1.0), 3.0),  # each account's own 300
        (ReadLimit(per_user=300, headroom=0.8), 3.75),
        (ReadLimit(per_user=15, headroom=1.0), 60.0),  # DMs: 15 per account
        (ReadLimit(per_user=15, headroom=0.8), 75.0),
        (ReadLimit(per_user=900, headroom=1.0), 2.0),  # 1 s by the limit, the 2 s floor
    ],
)
def test_limit_interval(limit: ReadLimit, seconds: float) -> None:
    assert limit_interval(limit) == timedelta(seconds=seconds)


@pytest.mark.parametrize(
    ("spent", "cap", "factor"),
    [
        (0.0, 5.0, 1.0),
        (3.99, 5.0, 1.0),
        (4.0, 5.0, 2.0),
        (4.99, 5.0, 2.0),
        (5.0, 5.0, None),
        (7.0, 5.0, None),
        (0.0, 0.0, None),
    ],
)
def test_spend_factor(spent: float, cap: float, factor: float | None) -> None:
    assert spend_factor(spent, cap) == factor


def test_poll_interval_combines_limits_and_spend() -> None:
    steady = poll_interval(PollStream.MENTIONS, 0.0, 5.0)
    assert steady == timedelta(seconds=3.75)  # however many accounts poll: each its own limit
    assert poll_interval(PollStream.DMS, 0.0, 5.0) == timedelta(seconds=60)
    assert poll_interval(PollStream.MENTIONS, 4.5, 5.0) == 2 * steady
    assert poll_interval(PollStream.MENTIONS, 5.0, 5.0) is None


def test_each_interval_says_why() -> None:
    assert (
        budget_of(PollStream.MENTIONS, 0.0, 5.0).reason == "300 per 15 min per account, 80% of it"
    )
    assert budget_of(PollStream.DMS, 0.0, 5.0).reason == "15 per 15 min per account"
    near = budget_of(PollStream.DMS, 4.2, 5.0)
    assert near.interval == timedelta(seconds=120)
    assert "doubled" in near.reason
    capped = budget_of(PollStream.DMS, 5.0, 5.0)
    assert capped.interval is None
    assert capped.reason.startswith("paused")


def test_every_polled_stream_has_limits_and_the_floor_holds() -> None:
    for stream in PollStream:
        interval = limit_interval(READ_LIMITS[stream])
        assert interval >= MIN_INTERVAL
