"""SQLite's write lock in turns within the process: first come, first served, handed straight to
the next in line when a transaction ends, however it ends; never a wait behind oneself."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from jun_engine.store.engine import create_engine_from_url
from jun_engine.store.write_turns import TurnTakingConnection, WriteTurns

WAIT = 30.0
"""Seconds a test waits for something that happens at once when the code is right."""


def _queued(turns: WriteTurns, count: int) -> None:
    """Wait until `count` threads are in line (each test thread queues before the next starts)."""
    event = threading.Event()
    while turns.waiting() < count:
        event.wait(0.001)


def test_turns_are_given_in_the_order_they_were_asked_for() -> None:
    turns = WriteTurns()
    assert turns.acquire(WAIT)
    order: list[int] = []

    def take(number: int) -> None:
        assert turns.acquire(WAIT)
        order.append(number)
        turns.release()

    threads = [threading.Thread(target=take, args=(n,)) for n in range(5)]
    for number, thread in enumerate(threads):
        thread.start()
        _queued(turns, number + 1)
    turns.release()
    for thread in threads:
        thread.join(WAIT)
    assert order == [0, 1, 2, 3, 4]
    assert turns.acquire(WAIT)  # free again once the line is through


def test_the_holder_asking_again_does_not_wait_behind_itself() -> None:
    turns = WriteTurns()
    assert turns.acquire(WAIT)
    assert not turns.acquire(WAIT)  # returns at once: SQLite's own rules apply to that one
    turns.release()
    assert turns.acquire(WAIT)


def test_a_wait_that_runs_out_leaves_the_line_and_the_turn_still_passes_on() -> None:
    turns = WriteTurns()
    assert turns.acquire(WAIT)
    outcome: list[bool] = []
    impatient = threading.Thread(target=lambda: outcome.append(turns.acquire(0.01)))
    impatient.start()
    impatient.join(WAIT)
    assert outcome == [False]
    assert turns.waiting() == 0
    turns.release()
    other = threading.Thread(target=lambda: outcome.append(turns.acquire(WAIT)))
    other.start()
    other.join(WAIT)
    assert outcome == [False, True]


@pytest.mark.parametrize("ending", ["commit", "rollback", "raise"])
def test_every_way_a_transaction_ends_hands_the_turn_on(tmp_path: Path, ending: str) -> None:
    engine = create_engine_from_url(str(tmp_path / "town.db"))
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        with engine.connect() as connection:
            raw = connection.connection.dbapi_connection
            assert isinstance(raw, TurnTakingConnection)
            turns = raw.turns
        assert turns is not None
        for _ in range(3):
            _end_a_transaction(engine, ending)
            assert _free_for_another_thread(turns)
    finally:
        engine.dispose()


def _free_for_another_thread(turns: WriteTurns) -> bool:
    """Whether another thread gets the turn (a turn kept by mistake would make it wait)."""
    got: list[bool] = []

    def take() -> None:
        got.append(turns.acquire(WAIT))
        if got[-1]:
            turns.release()

    other = threading.Thread(target=take)
    other.start()
    other.join(2 * WAIT)
    return got == [True]


def _end_a_transaction(engine: sa.Engine, ending: str) -> None:
    connection = engine.connect()
    try:
        transaction = connection.begin()
        connection.exec_driver_sql("INSERT INTO t VALUES (1)")
        if ending == "commit":
            transaction.commit()
        elif ending == "rollback":
            transaction.rollback()
        else:
            with pytest.raises(sa.exc.OperationalError):
                connection.exec_driver_sql("INSERT INTO no_such_table VALUES (1)")
    finally:
        connection.close()  # back to the pool: the pool's reset rolls back what is left


class _InterruptedError(Exception):
    """What the test's signal handler raises into a waiting thread."""


def _interrupt(_signum: int, _frame: object) -> None:
    raise _InterruptedError


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs POSIX interval timers")
def test_a_wait_cut_short_by_a_signal_leaves_the_line_and_loses_no_turn() -> None:
    turns = WriteTurns()
    holding, done = threading.Event(), threading.Event()

    def hold() -> None:
        assert turns.acquire(WAIT)
        holding.set()
        done.wait(WAIT)
        turns.release()

    holder = threading.Thread(target=hold)
    holder.start()
    holding.wait(WAIT)
    previous = signal.signal(signal.SIGALRM, _interrupt)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.05)
        with pytest.raises(_InterruptedError):
            turns.acquire(WAIT)  # the main thread waits; the alarm cuts the wait short
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert turns.waiting() == 0
    done.set()
    holder.join(WAIT)
    assert _free_for_another_thread(turns)


@pytest.mark.parametrize(
    ("where", "writers", "each"),
    [
        ("file", 4, 100),
        ("memory", 3, 50),  # the in-memory database: one connection shared by every thread
    ],
)
def test_threads_writing_at_once_each_get_every_transaction_through(
    tmp_path: Path, where: str, writers: int, each: int
) -> None:
    engine = create_engine_from_url(str(tmp_path / "town.db") if where == "file" else "sqlite://")
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE t (writer INTEGER, n INTEGER)")
        failures: list[BaseException] = []

        def write(writer: int) -> None:
            try:
                for n in range(each):
                    with engine.begin() as connection:
                        connection.exec_driver_sql(f"INSERT INTO t VALUES ({writer}, {n})")
            except BaseException as error:
                failures.append(error)

        threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert failures == []
        with engine.connect() as connection:
            count = connection.exec_driver_sql("SELECT count(*) FROM t").scalar()
            assert count == writers * each
    finally:
        engine.dispose()
