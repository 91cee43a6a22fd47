"""Which attempts hold a place in a pacing window: those that may have reached the platform
after the window's start, judged by their end (at most `REACHED_WITHIN` after their start)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from jun_engine.channels.ports import Bucket
from jun_engine.domain.messages import Channel
from jun_engine.domain.statuses import OutboxKind
from jun_engine.outbox.api import enqueue
from jun_engine.outbox.pacing import REACHED_WITHIN, recent_attempts
from jun_engine.store.tables import OutboxAttemptRow

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
SINCE = NOW - timedelta(minutes=15)
SECOND = timedelta(seconds=1)


def test_an_attempt_counts_from_its_end_and_one_without_an_end_as_arriving_late(
    engine: Engine,
) -> None:
    with Session(engine) as session:
        item = enqueue(session, key="k", account_id="town", kind=OutboxKind.DM, text="hola",
                       target="7", private=True)  # fmt: skip
        assert item is not None
        ends = {
            "ended before the window": (SINCE - 30 * SECOND, SINCE - SECOND),
            "started before, ended in it": (SINCE - 30 * SECOND, SINCE + 2 * SECOND),
            "in it": (SINCE + 60 * SECOND, SINCE + 61 * SECOND),
            "no end, started a minute before": (SINCE - 60 * SECOND, None),
            "no end, started long before": (SINCE - REACHED_WITHIN - SECOND, None),
            "ended long after a start long before": (SINCE - REACHED_WITHIN, SINCE + 3600 * SECOND),
            "another account's": (SINCE + 60 * SECOND, SINCE + 61 * SECOND),
        }  # fmt: skip
        for what, (started, finished) in ends.items():
            account = "works" if what == "another account's" else "town"
            session.add(OutboxAttemptRow(outbox_id=item, channel=Channel.X, account_id=account,
                                         kind=OutboxKind.DM, started_at=started,
                                         finished_at=finished))  # fmt: skip
        session.commit()
        town = recent_attempts(session, Channel.X, "town", Bucket.DMS, SINCE)
        every = recent_attempts(session, Channel.X, None, Bucket.DMS, SINCE)
        posts = recent_attempts(session, Channel.X, "town", Bucket.POSTS, SINCE)
    # Then each counts at the latest moment it may have reached X, oldest first
    assert town == [
        SINCE + 2 * SECOND,
        SINCE - 60 * SECOND + REACHED_WITHIN,
        SINCE + 61 * SECOND,
    ]
    assert every == sorted([*town, SINCE + 61 * SECOND])
    assert posts == []
