"""The engine factory: which URLs it accepts, the SQLite settings on every connection, clear
errors for unreachable databases, and the unit of work."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import select

from jun_engine.store.engine import (
    SQLITE_BUSY_TIMEOUT_MS,
    check_reachable,
    create_engine_from_url,
    create_reader_engine,
    parse_database_url,
)
from jun_engine.store.errors import DatabaseError, DatabaseUrlError, IntegrityViolationError
from jun_engine.store.session import session_scope
from jun_engine.store.tables import DaemonLockRow


def _pragma(engine: sa.Engine, name: str) -> object:
    with engine.connect() as connection:
        return connection.exec_driver_sql(f"PRAGMA {name}").scalar()


def test_sqlite_file_connections_use_wal_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    engine = create_engine_from_url(str(tmp_path / "town.db"))
    try:
        assert _pragma(engine, "journal_mode") == "wal"
        assert _pragma(engine, "foreign_keys") == 1
        assert _pragma(engine, "busy_timeout") == SQLITE_BUSY_TIMEOUT_MS
        assert _pragma(engine, "synchronous") == 1  # NORMAL
    finally:
        engine.dispose()


def test_in_memory_sqlite_is_one_database_shared_by_every_connection() -> None:
    engine = create_engine_from_url("sqlite://")
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
            connection.exec_driver_sql("INSERT INTO t VALUES (7)")
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT x FROM t").scalar() == 7
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("town.db", "sqlite:///town.db"),
        ("sqlite:////var/lib/jun/town.db", "sqlite:////var/lib/jun/town.db"),
        ("postgresql://jun@db/jun", "postgresql+psycopg://jun@db/jun"),
        ("postgres://jun@db/jun", "postgresql+psycopg://jun@db/jun"),
        ("postgresql+psycopg://jun@db/jun", "postgresql+psycopg://jun@db/jun"),
    ],
)
def test_accepted_database_values(given: str, expected: str) -> None:
    assert parse_database_url(given).render_as_string() == expected


@pytest.mark.parametrize(
    ("given", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("mysql://jun@db/jun", "unsupported kind 'mysql'"),
        ("postgresql+psycopg2://jun@db/jun", "unsupported kind 'postgresql+psycopg2'"),
        ("::not a url://", "not a database URL"),
    ],
)
def test_refused_database_values_say_why(given: str, reason: str) -> None:
    with pytest.raises(DatabaseUrlError, match=re.escape(reason)):
        create_engine_from_url(given)


def test_an_unreachable_postgres_is_a_database_error_without_the_password() -> None:
    engine = create_engine_from_url("postgresql+psycopg://jun:s3cret@127.0.0.1:1/jun")
    try:
        with pytest.raises(DatabaseError) as caught:
            check_reachable(engine)
    finally:
        engine.dispose()
    assert "cannot reach the database postgresql+psycopg://jun:***@127.0.0.1:1/jun" in str(
        caught.value
    )
    assert "s3cret" not in str(caught.value)


def test_an_sqlite_file_in_a_missing_directory_is_a_database_error(tmp_path: Path) -> None:
    missing = tmp_path / "missing"
    with pytest.raises(DatabaseError, match=f"the folder {missing} does not exist"):
        create_engine_from_url(str(missing / "town.db"))
    with pytest.raises(DatabaseError, match=f"the folder {missing} does not exist"):
        create_reader_engine(str(missing / "town.db"))


def test_check_reachable_passes_on_a_live_database(engine: sa.Engine) -> None:
    check_reachable(engine)


def _lock(pid: int) -> DaemonLockRow:
    return DaemonLockRow(holder="daemon", host="town-hall", pid=pid)


def test_session_scope_commits_when_the_block_ends(engine: sa.Engine) -> None:
    _save_locks(engine, _lock(pid=41))
    with session_scope(engine) as session:
        assert [row.pid for row in session.exec(select(DaemonLockRow))] == [41]


def _save_locks(engine: sa.Engine, *locks: DaemonLockRow, then_raise: bool = False) -> None:
    with session_scope(engine) as session:
        for lock in locks:
            session.add(lock)
            session.flush()
        if then_raise:
            raise RuntimeError("stop")


def test_session_scope_rolls_back_everything_when_the_block_raises(engine: sa.Engine) -> None:
    with pytest.raises(RuntimeError, match="stop"):
        _save_locks(engine, _lock(pid=41), then_raise=True)
    with session_scope(engine) as session:
        assert session.exec(select(DaemonLockRow)).all() == []


def test_a_refused_write_is_an_integrity_violation_and_keeps_nothing(engine: sa.Engine) -> None:
    # The daemon lock has one row at most (id = 1)
    second = _lock(pid=42)
    second.id = 2
    with pytest.raises(IntegrityViolationError, match="nothing was saved"):
        _save_locks(engine, _lock(pid=41), second)
    with session_scope(engine) as session:
        assert session.exec(select(DaemonLockRow)).all() == []


def test_errors_never_quote_the_values_written(engine: sa.Engine) -> None:
    # A DM's text must not reach a log through an error message
    private = DaemonLockRow(
        holder="DNI 12345678Z", host="h", pid=1, heartbeat_at=datetime(2026, 1, 1)
    )
    with pytest.raises(sa.exc.StatementError) as caught:
        _save_locks(engine, private)
    assert "12345678Z" not in str(caught.value)
