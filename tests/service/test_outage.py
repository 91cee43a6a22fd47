"""A database that cannot be used: every loop backs off, the log says so once, and once more when
it is back; nothing is lost and nothing is sent twice.

In-process, with real SQLite locking: another connection holds the write lock (as another
process would) while the processor, the outbox sender and the scheduler's tick run in their
threads. The daemon as a real process through a stopped PostgreSQL and a full disk is in
tests/daemon/test_outage.py.
"""

from __future__ import annotations

import logging
import random
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from jun_engine.channels.x.delivery import XDelivery, gateways_for
from jun_engine.clock import FollowedClock
from jun_engine.config.schema import Config
from jun_engine.domain.messages import Channel, InboundMessage, MessageKind
from jun_engine.domain.statuses import MessageStatus, OutboxKind, OutboxStatus, PollStream
from jun_engine.emulator.emulator import Emulator
from jun_engine.emulator.testing import TEST_START
from jun_engine.outbox.api import enqueue
from jun_engine.outbox.sender import OutboxSender
from jun_engine.pipeline.process import Processor
from jun_engine.pipeline.turn import Outcome, Turn
from jun_engine.scheduling import desk_jobs as desk_module
from jun_engine.scheduling.desk_jobs import DeskJobs, run_desk
from jun_engine.scheduling.scheduler import Scheduler
from jun_engine.service.outage import BACKOFF_CAP_SECONDS, OutageWatch
from jun_engine.store.engine import create_engine_from_url
from jun_engine.store.errors import DatabaseError, Fault
from jun_engine.store.repository import Checkpoint, store_messages
from jun_engine.store.session import session_scope
from jun_engine.store.tables import InboundMessageRow, OutboxRow
from tests.daemon.harness import wait_until

TOWN = "1130425167"
LOOPS = ("processor", "outbox", "scheduler")


def test_the_backoff_doubles_from_one_second_to_a_cap_of_thirty() -> None:
    watch = OutageWatch(rng=random.Random(3))
    error = DatabaseError("sqlite:///jun.db", "database is locked", Fault.LOCKED)
    pauses = [watch.failed("processor", error).seconds for _ in range(9)]
    ceilings = [1, 2, 4, 8, 16, 30, 30, 30, 30]
    assert all(c / 2 <= p <= c for p, c in zip(pauses, ceilings, strict=True)), pauses
    assert BACKOFF_CAP_SECONDS == 30


def test_one_error_line_per_outage_and_one_when_it_is_over(
    caplog: pytest.LogCaptureFixture,
) -> None:
    watch = OutageWatch(first=0.0, cap=0.0)
    down = DatabaseError("postgresql+psycopg://jun@db/jun", "connection refused")
    full = DatabaseError("sqlite:///jun.db", "database or disk is full", Fault.DISK_FULL)
    with caplog.at_level(logging.DEBUG, logger="jun_engine"):
        for _ in range(50):  # an outage of any length
            for loop in LOOPS:
                watch.failed(loop, down)
        watch.succeeded("processor")
        watch.succeeded("outbox")
        assert watch.fault is Fault.UNREACHABLE  # the scheduler still waits
        watch.succeeded("scheduler")
        watch.succeeded("scheduler")
        for loop in LOOPS:  # a second outage, another cause
            watch.failed(loop, full)
        for loop in LOOPS:
            watch.succeeded(loop)
    loud = [(r.levelname, r.getMessage()[:40]) for r in caplog.records if r.levelno >= logging.INFO]
    assert loud == [
        ("ERROR", "database unreachable: cannot reach the d"),
        ("WARNING", "database back after 0 s (unreachable): e"),
        ("ERROR", "database disk full: the database sqlite:"),
        ("WARNING", "database back after 0 s (disk full): eve"),
    ]
    assert watch.outages == 2
    assert watch.fault is None


@contextmanager
def write_locked(engine: Engine) -> Iterator[None]:
    """Another process's connection holds SQLite's write lock for the duration."""
    assert engine.url.database
    holder = sqlite3.connect(engine.url.database, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        yield
        holder.execute("ROLLBACK")
    finally:
        holder.close()


def _impatient(engine: Engine) -> None:
    """Wait 50 ms for the write lock instead of 30 s, so the test sees many tries."""

    @event.listens_for(engine, "connect")
    def _short_busy_timeout(connection: sqlite3.Connection, _record: object) -> None:
        connection.execute("PRAGMA busy_timeout=50")

    engine.dispose()


def _failures(caplog: pytest.LogCaptureFixture, loop: str) -> int:
    return sum(
        1
        for r in caplog.records
        if r.name == "jun_engine.service.outage" and r.getMessage().startswith(f"{loop}: ")
    )


def _mark_processed(_message: InboundMessage, _turn: Turn) -> Outcome:
    return Outcome(MessageStatus.PROCESSED, "test")


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_every_loop_backs_off_through_a_locked_database_and_loses_nothing(
    x_emulator: Emulator,
    x_emulator_config: Config,
    engine: Engine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Given a stored message to process and a post to send
    _impatient(engine)
    with session_scope(engine) as session:
        store_messages(
            session,
            [_mention()],
            Checkpoint(TOWN, PollStream.MENTIONS, None, TEST_START),
        )
        enqueue(
            session, key="notice-1", account_id=TOWN, kind=OutboxKind.POST, text="Corte de agua"
        )
    watch = OutageWatch(first=0.02, cap=0.1)
    clock = FollowedClock(x_emulator.base_url, resync_seconds=0.05)
    gateways = gateways_for(x_emulator_config, x_emulator.credentials_env(), x_emulator.base_url)
    processor = Processor(engine, clock, x_emulator_config, _mark_processed, watch)
    x = XDelivery(engine, gateways, x_emulator_config, clock)
    sender = OutboxSender(engine, {Channel.X: x}, clock, outage=watch)
    scheduler = Scheduler(
        engine, x_emulator_config, clock, tick_seconds=0.05, desk=run_desk, outage=watch
    )
    checker = create_engine_from_url(str(engine.url))  # patient: waits out the loops' writes
    stop = threading.Event()
    threads = [
        threading.Thread(target=loop, args=(stop,))
        for loop in (processor.run, sender.run, scheduler.run)
    ]
    try:
        with caplog.at_level(logging.DEBUG, logger="jun_engine"), write_locked(engine):
            # When every loop runs while another process holds the database's write lock
            for thread in threads:
                thread.start()
            wait_until(
                lambda: all(_failures(caplog, loop) >= 5 for loop in LOOPS),
                60,
                "every loop to have tried again five times",
            )
            during = list(caplog.records)
        # And the lock is let go
        with caplog.at_level(logging.DEBUG, logger="jun_engine"):
            wait_until(lambda: _done(checker), 60, "the message processed and the post sent")
            wait_until(lambda: watch.fault is None, 60, "every loop to be back")
    finally:
        stop.set()
        processor.wake()
        for thread in threads:
            thread.join(30)
        for gateway in gateways.values():
            gateway.close()
        checker.dispose()
    # Then the outage was one ERROR line, and one line when it was over, with no traceback
    loud = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [(r.levelname, r.getMessage().split(" after ")[0].split(":")[0]) for r in loud] == [
        ("ERROR", "database locked"),
        ("WARNING", "database back"),
    ], [r.getMessage() for r in loud]
    assert "(locked)" in loud[1].getMessage()
    assert not any(r.exc_info for r in caplog.records)
    assert "is locked by another process" in loud[0].getMessage()
    assert len([r for r in during if r.levelno >= logging.INFO]) <= 3  # started lines + ERROR
    # And nothing was lost, nothing sent twice
    posts = [p.text for p in x_emulator.state.posts_by(TOWN)]
    assert posts == ["Corte de agua"]


def _mention() -> InboundMessage:
    return InboundMessage(
        channel=Channel.X,
        kind=MessageKind.MENTION,
        platform_id="9001",
        account_id=TOWN,
        author_id="77",
        text="@AytoJun la farola de la plaza",
        created_at=TEST_START,
        mentioned_ids=(TOWN,),
    )


def _done(engine: Engine) -> bool:
    with Session(engine) as session:
        message = session.exec(select(InboundMessageRow)).one()
        outbox = session.exec(select(OutboxRow.status)).all()
    return message.status is MessageStatus.PROCESSED and list(outbox) == [OutboxStatus.SENT]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_desk_job_that_keeps_failing_is_logged_once_not_at_every_tick(
    engine: Engine,
    x_emulator_config: Config,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    broken = {"yes": True}

    def job(_session: Session, _config: Config, _now: datetime) -> int:
        if broken["yes"]:
            raise KeyError("a bug in this job")
        return 0

    monkeypatch.setattr(desk_module, "JOBS", (("weekly reports", job),))
    jobs = DeskJobs()
    with caplog.at_level(logging.INFO, logger="jun_engine"):
        for _ in range(30):  # 30 ticks
            jobs(engine, x_emulator_config, TEST_START)
        broken["yes"] = False
        jobs(engine, x_emulator_config, TEST_START)
    loud = [(r.levelname, r.getMessage(), bool(r.exc_info)) for r in caplog.records]
    assert loud == [
        ("ERROR", "desk job 'weekly reports' failed; it runs again at each tick", True),
        ("WARNING", "desk job 'weekly reports' works again", False),
    ]
