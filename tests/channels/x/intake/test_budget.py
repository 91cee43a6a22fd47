"""Poll intervals: X's limits shared out between the pollers, stretched near the spend cap."""

from __future__ import annotations

from datetime import timedelta

import pytest

from jun_engine.channels.x.intake.budget import (
    MIN_INTERVAL,
    READ_LIMITS,
    ReadLimit,
    limit_interval,
    poll_interval,
    spend_factor,
)
from jun_engine.store.statuses import PollStream


@pytest.mark.parametrize(
    ("limit", "pollers", "headroom", "seconds"),
    [
        (ReadLimit(per_user=300, per_app=450), 1, 1.0, 5.0),  # 3 s by the user limit, floor 5 s
        (ReadLimit(per_user=300, per_app=450), 10, 1.0, 20.0),  # the app's 450 shared by 10
        (ReadLimit(per_user=300, per_app=450), 10, 0.8, 25.0),
        (ReadLimit(per_user=15, per_app=None), 6, 1.0, 60.0),  # DMs: 15 per user
        (ReadLimit(per_user=15, per_app=None), 6, 0.8, 75.0),
        (ReadLimit(per_user=900, per_app=10_000), 10, 1.0, 5.0),
    ],
)
def test_limit_interval(limit: ReadLimit, pollers: int, headroom: float, seconds: float) -> None:
    assert limit_interval(limit, pollers, headroom) == timedelta(seconds=seconds)


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
    steady = poll_interval(PollStream.MENTIONS, 10, 0.0, 5.0)
    assert steady == timedelta(seconds=25)
    assert poll_interval(PollStream.MENTIONS, 10, 4.5, 5.0) == 2 * steady
    assert poll_interval(PollStream.MENTIONS, 10, 5.0, 5.0) is None


def test_every_polled_stream_has_limits_and_the_floor_holds() -> None:
    for stream in PollStream:
        interval = limit_interval(READ_LIMITS[stream], 1)
        assert interval >= MIN_INTERVAL
