"""The send planner: an ETA for every waiting item in the sender's order (emergencies, answers to
residents, notices), the day's budget and its warning, and notices spread over days."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from jun_engine.channels.ports import Bucket, Limit
from jun_engine.channels.x.limits import DAY, QUARTER, X_LIMITS
from jun_engine.domain.messages import Channel
from jun_engine.domain.statuses import OutboxKind
from jun_engine.emulator.clock import Clock
from jun_engine.outbox.api import Priority, enqueue
from jun_engine.outbox.planner import BudgetWatch, day_budgets, plan, spread
from jun_engine.outbox.sender import OutboxSender
from jun_engine.store.session import session_scope
from jun_engine.store.tables import OutboxRow
from tests.outbox.conftest import Accounts

LIMITS = {Channel.X: X_LIMITS}
SMALL_DAY = {
    Bucket.DMS: (Limit(15, QUARTER), Limit(40, DAY, per_app=True)),
    Bucket.POSTS: (Limit(100, QUARTER),),
}
"""X's per-account window with a day of 40 DMs for the whole app, so a day fills in a test."""
SPACING = timedelta(seconds=90)
"""A notice DM's wait after the account's last DM: 15 minutes over the 10 of 15 notices may use."""


def queue(
    engine: Engine, prefix: str, count: int, account: str, recipient: str, priority: int
) -> list[int]:
    ids = []
    with session_scope(engine) as session:
        for n in range(count):
            item = enqueue(
                session,
                key=f"{prefix}{n}",
                account_id=account,
                kind=OutboxKind.DM,
                target=recipient,
                text=f"{prefix} {n}",
                priority=priority,
            )
            assert item is not None
            ids.append(item)
    return ids


def test_emergencies_then_answers_then_notices_each_with_its_eta(
    engine: Engine, accounts: Accounts, clock: Clock, resident: str
) -> None:
    # Given 20 notice DMs queued first, then 10 answers to residents, then 10 emergency DMs,
    # all from the town account (15 DMs per 15 minutes)
    notices = queue(engine, "notice-dm:1:", 20, accounts.town, resident, Priority.NOTICE)
    answers = queue(engine, "case:ack:", 10, accounts.town, resident, Priority.ACK)
    alerts = queue(engine, "alert:1:", 10, accounts.town, resident, Priority.EMERGENCY)
    now = clock.now()

    # When the planner lays the queue out
    with session_scope(engine) as session:
        etas = plan(session, now, LIMITS)

    # Then every waiting DM has an ETA: the emergencies and five answers now, the other answers
    # one window later; the notices stop short of the 5 DMs a window keeps for answers and go
    # one per 90 s after the last DM: five after those answers (ten DMs in the window), then
    # one every 90 s once the answers' window has passed
    assert len(etas) == 40
    assert {etas[i] for i in alerts} == {now}
    assert [etas[i] for i in answers] == [now] * 5 + [now + QUARTER] * 5
    assert [etas[i] for i in notices] == (
        [now + QUARTER + n * SPACING for n in range(1, 6)]
        + [now + 2 * QUARTER + n * SPACING for n in range(15)]
    )


def test_the_plan_is_what_the_sender_does(
    engine: Engine, sender: OutboxSender, accounts: Accounts, clock: Clock, resident: str
) -> None:
    # Given answers on two accounts and notices on the town account
    queue(engine, "notice-dm:2:", 12, accounts.town, resident, Priority.NOTICE)
    queue(engine, "case:ack:", 8, accounts.town, resident, Priority.ACK)
    queue(engine, "case:police:", 3, accounts.police, resident, Priority.EMERGENCY)
    with session_scope(engine) as session:
        planned_now = {
            i for i, at in plan(session, clock.now(), LIMITS).items() if at <= clock.now()
        }

    # When the sender sends what it may now
    sender.drain_once()

    # Then exactly the items planned for now went out
    with Session(engine) as session:
        sent = {r.id for r in session.exec(select(OutboxRow)) if r.sent_at is not None}
    assert sent == planned_now
    assert len(sent) == 8 + 3  # answers and emergencies; a notice waits 90 s after the last DM


def test_the_day_budget_warns_before_it_runs_out(
    engine: Engine,
    sender: OutboxSender,
    accounts: Accounts,
    clock: Clock,
    resident: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Given an app with 40 DMs a day, 30 of them spent and 12 more waiting
    queue(engine, "notice-dm:3:", 30, accounts.town, resident, Priority.NOTICE)
    watch = BudgetWatch({Channel.X: SMALL_DAY})
    for _ in range(30):  # notices: one per 90 s (10 a window, 5 of the 15 kept for answers)
        sender.drain_once()
        clock.step(SPACING)
    queue(engine, "case:ack:", 12, accounts.police, resident, Priority.ACK)

    # When the sender's watch looks after a send
    with caplog.at_level(logging.WARNING), session_scope(engine) as session:
        budget = watch.check(session, Channel.X, clock.now())
        again = watch.check(session, Channel.X, clock.now())

    # Then it says so once, in a WARNING, and the budget says what is left
    assert budget is not None
    assert again is not None
    assert (budget.limit, budget.used, budget.left, budget.waiting) == (40, 30, 10, 12)
    assert budget.running_out
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "30 of 40 used in the last 24 h, 10 left, 12 waiting" in warnings[0].getMessage()


def test_the_day_budget_with_room_is_no_warning(engine: Engine, clock: Clock) -> None:
    with session_scope(engine) as session:
        (budget,) = day_budgets(session, clock.now(), LIMITS)
    assert (budget.limit, budget.used, budget.waiting, budget.running_out) == (1440, 0, 0, False)


def test_a_notice_larger_than_its_share_of_the_day_is_spread_over_days(
    engine: Engine, accounts: Accounts, clock: Clock, resident: str
) -> None:
    # Given 5 DMs already waiting on an app of 40 DMs a day, notices taking at most half of it
    queue(engine, "case:ack:", 5, accounts.town, resident, Priority.ACK)
    now = clock.now()

    # When a notice to 50 residents is spread
    with session_scope(engine) as session:
        starts = spread(session, Channel.X, SMALL_DAY, 50, now, share=0.5)

    # Then 15 go today, 20 tomorrow and 15 the day after
    assert starts == [None] * 15 + [now + DAY] * 20 + [now + 2 * DAY] * 15


def test_a_notice_that_fits_today_starts_now(engine: Engine, clock: Clock) -> None:
    with session_scope(engine) as session:
        assert spread(session, Channel.X, X_LIMITS, 300, clock.now(), share=0.5) == [None] * 300


def test_spread_notices_have_etas_on_their_days(
    engine: Engine, accounts: Accounts, clock: Clock, resident: str
) -> None:
    now = clock.now()
    with session_scope(engine) as session:
        for n, start in enumerate(spread(session, Channel.X, SMALL_DAY, 30, now, share=0.5)):
            enqueue(
                session,
                key=f"notice-dm:4:{n}",
                account_id=accounts.town,
                kind=OutboxKind.DM,
                target=resident,
                text=f"aviso {n}",
                priority=Priority.NOTICE,
                not_before=start,
            )
    with session_scope(engine) as session:
        etas = sorted(plan(session, now, {Channel.X: SMALL_DAY}).values())
    assert etas[:15] == [now] * 15
    assert etas[15:20] == [now + QUARTER] * 5
    assert etas[20:] == [now + DAY] * 10
    assert max(etas) - now < DAY + timedelta(minutes=1)
