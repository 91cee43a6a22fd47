"""A batch's progress (by key prefix, e.g. one notice's DMs) and its ETA from X's limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine

from jun_engine.channels.ports import Bucket, Limit
from jun_engine.channels.x.limits import DAY, QUARTER, X_LIMITS
from jun_engine.domain.messages import Channel
from jun_engine.domain.statuses import OutboxKind
from jun_engine.emulator.clock import Clock
from jun_engine.outbox.api import Priority, enqueue
from jun_engine.outbox.progress import batch_progress, finish_time
from jun_engine.outbox.sender import OutboxSender
from jun_engine.store.session import session_scope
from tests.outbox.conftest import Accounts

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LIMITS = {Channel.X: X_LIMITS}
DM_LIMITS: dict[Limit, list[datetime]] = {limit: [] for limit in X_LIMITS[Bucket.DMS]}


def _queue_dms(
    engine: Engine, prefix: str, count: int, account: str, recipient: str, priority: int = 0
) -> None:
    with session_scope(engine) as session:
        for n in range(count):
            enqueue(
                session,
                key=f"{prefix}{n}",
                account_id=account,
                kind=OutboxKind.DM,
                target=recipient,
                text=f"{prefix} aviso {n}",
                priority=priority,
            )


def test_one_send_goes_out_now() -> None:
    assert finish_time(1, DM_LIMITS, T0) == T0


def test_fifteen_dms_fit_in_one_window_and_the_sixteenth_waits_for_the_next() -> None:
    assert finish_time(15, DM_LIMITS, T0) == T0
    assert finish_time(16, DM_LIMITS, T0) == T0 + QUARTER


def test_a_dm_to_every_resident_of_jun_takes_about_two_and_a_half_days() -> None:
    eta = finish_time(3_500, DM_LIMITS, T0)

    assert eta - T0 == timedelta(days=2, minutes=15 * 41)


def test_attempts_already_made_in_the_window_push_the_eta() -> None:
    spent = {Limit(15, QUARTER): [T0 - timedelta(minutes=10)] * 15, Limit(1440, DAY): []}

    assert finish_time(1, spent, T0) == T0 + timedelta(minutes=5)


def test_a_batchs_progress_counts_only_its_own_items(
    engine: Engine, accounts: Accounts, clock: Clock, resident: str
) -> None:
    _queue_dms(engine, "notice:7:", 5, accounts.town, resident)
    _queue_dms(engine, "notice:70:", 3, accounts.town, resident)

    with session_scope(engine) as session:
        progress = batch_progress(session, "notice:7:", clock.now(), LIMITS)

    assert (progress.total, progress.sent, progress.waiting) == (5, 0, 5)
    assert progress.eta == clock.now() + 4 * timedelta(seconds=90)  # notices go 90 s apart
    assert not progress.done


def test_forty_dms_are_all_out_thirty_minutes_after_the_first(
    engine: Engine,
    sender: OutboxSender,
    accounts: Accounts,
    clock: Clock,
    resident: str,
) -> None:
    start = clock.now()
    _queue_dms(engine, "notice:8:", 40, accounts.town, resident, Priority.ACK)
    with session_scope(engine) as session:
        before = batch_progress(session, "notice:8:", start, LIMITS)

    sender.drain_once()

    with session_scope(engine) as session:
        after = batch_progress(session, "notice:8:", clock.now(), LIMITS)
    assert before.eta == after.eta == start + 2 * QUARTER
    assert (after.sent, after.waiting, after.failed, after.abandoned) == (15, 25, 0, 0)


def test_the_eta_counts_the_items_queued_ahead_on_the_same_account(
    engine: Engine, accounts: Accounts, clock: Clock, resident: str
) -> None:
    _queue_dms(engine, "notice:9:", 10, accounts.town, resident, Priority.NOTICE)
    _queue_dms(engine, "alert:1:", 10, accounts.town, resident, Priority.EMERGENCY)
    _queue_dms(engine, "police:", 10, accounts.police, resident, Priority.EMERGENCY)

    with session_scope(engine) as session:
        progress = batch_progress(session, "notice:9:", clock.now(), LIMITS)

    # the emergencies fill the notices' 10 of the window; then the notices go 90 s apart
    assert progress.eta == clock.now() + QUARTER + 9 * timedelta(seconds=90)


def test_a_finished_batch_has_no_eta(
    engine: Engine, sender: OutboxSender, accounts: Accounts, clock: Clock, resident: str
) -> None:
    _queue_dms(engine, "notice:10:", 2, accounts.town, resident)
    sender.drain_once()
    clock.step(timedelta(seconds=90))  # a notice's DM waits 90 s after the account's last
    sender.drain_once()

    with session_scope(engine) as session:
        progress = batch_progress(session, "notice:10:", clock.now(), LIMITS)

    assert progress.done
    assert progress.eta is None
    assert progress.sent == 2
