"""Notices on every database: what `notices add` refuses, and the misfire policy when a tick
comes late (a one-off posted while valid, skipped after; a recurring one catches up once)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from jun_engine.config.schema import Config
from jun_engine.domain.statuses import ScheduledStatus
from jun_engine.scheduling.errors import InvalidNoticeError, NoticeClosedError
from jun_engine.scheduling.notice_queue import occurrence_key, queue_due_notices
from jun_engine.scheduling.notices import NoticeRequest, add_notice, cancel_notice
from jun_engine.store.tables import OutboxRow, ScheduledItemRow
from tests.scheduling.conftest import MONDAY_0900

REFUSED = [
    pytest.param(NoticeRequest("  "), "the text is empty", id="empty"),
    pytest.param(NoticeRequest("x", account="twon"), "unknown account 'twon'", id="account"),
    pytest.param(NoticeRequest("x", cron="0 25 * * *"), "bad cron expression", id="cron"),
    pytest.param(NoticeRequest("x", topic="events"), "need --dm", id="topic-without-dm"),
    pytest.param(NoticeRequest("x", dm=True), "needs --topic", id="dm-without-topic"),
    pytest.param(
        NoticeRequest("x", dm=True, topic="events", account="public_works"),
        "no dm_access",
        id="dm-account",
    ),
    pytest.param(
        NoticeRequest("x", dm=True, topic="events", cron="0 9 * * *"), "cannot recur", id="dm-cron"
    ),
    pytest.param(
        NoticeRequest("x", dm=True, topic="events", districts=("Centr",)),
        "unknown district 'Centr' (did you mean 'Centro'?)",
        id="district",
    ),
    pytest.param(
        NoticeRequest("x", dm=True, topic="events", age_groups=("elderly",)),
        "unknown age group 'elderly'",
        id="age-group",
    ),
    pytest.param(
        NoticeRequest("x", at=MONDAY_0900, until=MONDAY_0900 - timedelta(hours=1)),
        "--until is before",
        id="until",
    ),
]


@pytest.mark.parametrize(("request_", "reason"), REFUSED)
def test_a_bad_notice_is_refused_saying_why(
    session: Session, config: Config, request_: NoticeRequest, reason: str
) -> None:
    with pytest.raises(InvalidNoticeError) as caught:
        add_notice(session, config, request_, MONDAY_0900)
    assert reason in str(caught.value)


def _outbox_keys(session: Session) -> list[str]:
    return [row.idempotency_key for row in session.exec(select(OutboxRow))]


def test_a_one_off_notice_missed_is_posted_late_while_valid(
    engine: Engine, session: Session, config: Config
) -> None:
    # Given a notice at 10:00 valid until 16:00, and the daemon down until 15:00
    at = MONDAY_0900 + timedelta(hours=1)
    notice = add_notice(
        session,
        config,
        NoticeRequest("Pleno a las 19:00", at=at, until=at + timedelta(hours=6)),
        MONDAY_0900,
    )
    # When the tick runs at 15:00, and again at 15:05
    decisions = queue_due_notices(session, config, at + timedelta(hours=5))
    again = queue_due_notices(session, config, at + timedelta(hours=5, minutes=5))
    session.commit()
    # Then it is queued once, late, under its occurrence key
    assert [d.status for d in decisions] == [ScheduledStatus.DONE]
    assert again == []
    assert _outbox_keys(session) == [occurrence_key(notice, at)]


def test_a_one_off_notice_past_its_validity_is_skipped(session: Session, config: Config) -> None:
    at = MONDAY_0900 + timedelta(hours=1)
    notice = add_notice(
        session,
        config,
        NoticeRequest("Corte de tráfico", at=at, until=at + timedelta(hours=1)),
        MONDAY_0900,
    )
    decisions = queue_due_notices(session, config, at + timedelta(hours=3))
    assert [d.status for d in decisions] == [ScheduledStatus.SKIPPED]
    assert _outbox_keys(session) == []
    row = session.get(ScheduledItemRow, notice)
    assert row is not None
    assert row.status is ScheduledStatus.SKIPPED


def test_a_recurring_notice_catches_up_with_one_post_not_a_burst(
    session: Session, config: Config
) -> None:
    # Given a daily 20:00 notice and a daemon down for three days
    notice = add_notice(
        session, config, NoticeRequest("Recogida de basura", cron="0 20 * * *"), MONDAY_0900
    )
    three_days_later = MONDAY_0900 + timedelta(days=3)
    # When it comes back
    (decision,) = queue_due_notices(session, config, three_days_later)
    # Then only the latest missed evening is posted (Wednesday 20:00 Madrid), and it waits for
    # Thursday's
    assert decision.missed == 2
    assert decision.occurrence is not None
    assert f"{decision.occurrence:%Y-%m-%d %H:%M}" == "2026-03-04 19:00"
    assert _outbox_keys(session) == [occurrence_key(notice, decision.occurrence)]
    (post,) = session.exec(select(OutboxRow)).all()
    assert post.text == "Recogida de basura\n(miércoles 4 de marzo)"
    row = session.get(ScheduledItemRow, notice)
    assert row is not None
    assert f"{row.run_at:%Y-%m-%d %H:%M}" == "2026-03-05 19:00"


def test_a_cancelled_notice_never_runs_and_cannot_be_cancelled_twice(
    session: Session, config: Config
) -> None:
    notice = add_notice(session, config, NoticeRequest("Feria", cron="0 9 * * *"), MONDAY_0900)
    cancel_notice(session, notice, MONDAY_0900)
    assert queue_due_notices(session, config, MONDAY_0900 + timedelta(days=2)) == []
    with pytest.raises(NoticeClosedError, match="is cancelled"):
        cancel_notice(session, notice, MONDAY_0900)
