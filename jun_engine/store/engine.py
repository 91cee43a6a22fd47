"""Build the SQLAlchemy engine from a `--db` value, and turn driver failures into store errors.

SQLite gets WAL, foreign keys, a busy timeout and synchronous=NORMAL on every connection, and
real transactions (an explicit BEGIN, so savepoints and transactional DDL work). PostgreSQL goes
through psycopg 3. Statement parameters (a DM's text) are never put in SQLAlchemy's logs or error
messages. Nothing here is global: each caller owns the engine it builds.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
import sqlalchemy.exc as sa_exc
from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.pool import StaticPool

from jun_engine.store.errors import (
    DatabaseError,
    DatabaseUrlError,
    Fault,
    IntegrityViolationError,
)
from jun_engine.store.write_turns import TurnTakingConnection, WriteTurns

SQLITE_BUSY_TIMEOUT_MS = 30_000
"""How long a transaction waits for SQLite's write lock: for its turn among the process's
threads (`store.write_turns`), then, should that run out, as long again in SQLite's own wait.
Every transaction takes it at BEGIN (see `_on_begin`), so a reader waits behind the daemon's
writes; they last milliseconds, but one scheduler tick queueing a DM to every resident holds it
for seconds on a busy machine."""
POSTGRES_CONNECT_TIMEOUT_S = 5
POOL_SIZE = 5
POOL_OVERFLOW = 45
"""Connections kept, and opened beyond them at need. The daemon runs a thread per stream (two
dozen for a town on X), the processor, the sender, the scheduler and the LINE webhook's worker
threads, and each may hold a connection for one transaction at once: SQLAlchemy's default of 15
made a burst of webhooks starve every other stage for the pool's 30-second timeout."""
DISK_RESERVE_BYTES = 256 * 1024
"""Less free space than this beside an SQLite file is a full disk: a transaction, its WAL frames
and a checkpoint need a few hundred kilobytes at most."""
SUPPORTED = "an SQLite file path, sqlite:///PATH, or postgresql+psycopg://USER@HOST/DBNAME"


def parse_database_url(value: str) -> URL:
    """The URL for a `--db` value: a bare path means an SQLite file; postgresql means psycopg 3."""
    text = value.strip()
    if not text:
        raise DatabaseUrlError(value, f"empty; expected {SUPPORTED}")
    if "://" not in text:
        text = f"sqlite:///{Path(text).expanduser()}"
    try:
        url = make_url(text)
    except sa_exc.ArgumentError as exc:
        raise DatabaseUrlError(value, f"not a database URL; expected {SUPPORTED}") from exc
    if url.drivername in {"postgresql", "postgres"}:
        url = url.set(drivername="postgresql+psycopg")
    if url.drivername not in {"sqlite", "sqlite+pysqlite", "postgresql+psycopg"}:
        raise DatabaseUrlError(value, f"unsupported kind {url.drivername!r}; expected {SUPPORTED}")
    return url


def redacted(url: URL | str) -> str:
    """The URL as it may appear in messages and logs: never with its password."""
    parsed = url if isinstance(url, URL) else make_url(url)
    return parsed.render_as_string(hide_password=True)


def is_sqlite_memory(url: URL) -> bool:
    """`sqlite://` and `sqlite:///:memory:`: one shared in-memory database (tests)."""
    return url.get_backend_name() == "sqlite" and url.database in {None, "", ":memory:"}


def create_engine_from_url(value: str) -> Engine:
    """A new engine for an SQLite path or URL or a PostgreSQL URL; connects lazily."""
    url = parse_database_url(value)
    if url.get_backend_name() == "postgresql":
        return _postgres_engine(url)
    connect_args: dict[str, Any] = {"factory": TurnTakingConnection}
    if is_sqlite_memory(url):
        connect_args["check_same_thread"] = False
        engine = sa.create_engine(
            url, poolclass=StaticPool, connect_args=connect_args, hide_parameters=True
        )
    else:
        _check_folder(url)
        engine = sa.create_engine(
            url,
            connect_args=connect_args,
            hide_parameters=True,
            pool_size=POOL_SIZE,
            max_overflow=POOL_OVERFLOW,
        )
    _configure_sqlite(engine, WriteTurns())
    return engine


def _check_folder(url: URL) -> None:
    """SQLite creates the file but not its folder: say so, before it says "unable to open"."""
    folder = Path(url.database or "").parent
    if not folder.exists():
        reason = f"the folder {folder} does not exist; create it, or give --db a path in one"
    elif not folder.is_dir():
        reason = f"{folder} is not a folder"
    else:
        return
    raise DatabaseError(redacted(url), reason)


def _postgres_engine(url: URL) -> Engine:
    connect_args: dict[str, Any] = {}
    if "connect_timeout" not in url.query:
        connect_args["connect_timeout"] = POSTGRES_CONNECT_TIMEOUT_S
    return sa.create_engine(
        url,
        pool_pre_ping=True,
        connect_args=connect_args,
        hide_parameters=True,
        pool_size=POOL_SIZE,
        max_overflow=POOL_OVERFLOW,
    )


def _configure_sqlite(engine: Engine, turns: WriteTurns) -> None:
    """Set the pragmas on every new connection and let SQLAlchemy, not sqlite3, begin work, each
    transaction in its turn (`store.write_turns`)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # no implicit BEGINs from the sqlite3 module
        dbapi_connection.turns = turns
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
            return  # statements that must run outside a transaction (checkpoints, VACUUM)
        # IMMEDIATE takes the write lock at the start. A deferred transaction that reads and then
        # writes must upgrade its lock, and SQLite refuses that upgrade at once ("database is
        # locked", no busy wait) whenever another thread committed in between: the daemon's
        # threads would fail each other's transactions. Readers of the WAL are never blocked.
        dbapi_connection = connection.connection.dbapi_connection
        assert isinstance(dbapi_connection, TurnTakingConnection)
        dbapi_connection.take_turn(SQLITE_BUSY_TIMEOUT_MS / 1000)
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            dbapi_connection.give_turn_back()
            raise


def first_line(exc: BaseException) -> str:
    """The driver's message without PostgreSQL's DETAIL lines, which can quote a row's data."""
    original = getattr(exc, "orig", None) or exc
    lines = str(original).strip().splitlines()
    return lines[0] if lines else type(original).__name__


@contextmanager
def database_errors(engine: Engine) -> Iterator[None]:
    """Raise the store's own errors for a database that cannot be used now or a refused write.

    A driver error that is not about the database's state (a bad statement, a value too long)
    is raised as it is: it is a bug or a bad row, and waiting would not cure it.
    """
    try:
        yield
    except sa_exc.IntegrityError as exc:
        raise IntegrityViolationError(first_line(exc)) from exc
    except sa_exc.DBAPIError as exc:
        fault = classify(exc, sqlite_path(engine.url))
        if fault is None:
            raise
        raise DatabaseError(redacted(engine.url), first_line(exc), fault) from exc


POSTGRES_FAULTS = {"53100": Fault.DISK_FULL, "25006": Fault.READ_ONLY, "55P03": Fault.LOCKED}
"""PostgreSQL SQLSTATEs: disk_full, read_only_sql_transaction, lock_not_available."""
POSTGRES_UNREACHABLE = ("08", "57P")
"""Connection exceptions, and the server shutting down or crashing (admin_shutdown...)."""
MESSAGES = (
    ("database or disk is full", Fault.DISK_FULL),
    ("no space left on device", Fault.DISK_FULL),
    ("could not extend file", Fault.DISK_FULL),
    ("readonly database", Fault.READ_ONLY),
    ("read-only", Fault.READ_ONLY),
    ("database is locked", Fault.LOCKED),
    ("database table is locked", Fault.LOCKED),
)
"""Words of the drivers' messages (SQLite has no codes in Python's sqlite3 before 3.11)."""


def classify(exc: sa_exc.DBAPIError, sqlite_file: Path | None = None) -> Fault | None:
    """What is wrong with the database, from a driver error; None if the database is fine (the
    statement or its values are at fault)."""
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if isinstance(sqlstate, str):
        if sqlstate in POSTGRES_FAULTS:
            return POSTGRES_FAULTS[sqlstate]
        if sqlstate.startswith(POSTGRES_UNREACHABLE):
            return Fault.UNREACHABLE
    message = first_line(exc).lower()
    for words, fault in MESSAGES:
        if words in message:
            return fault
    if isinstance(exc, sa_exc.InterfaceError):
        return Fault.UNREACHABLE
    if not isinstance(exc, sa_exc.OperationalError):
        return None
    if "disk i/o error" in message and sqlite_file is not None and disk_full(sqlite_file):
        return Fault.DISK_FULL  # SQLite says I/O error when its -shm or WAL cannot grow
    if isinstance(exc.orig, sqlite3.Error):
        # SQLite's OperationalError also means "no such column" (a schema that does not match):
        # not an outage, but nothing can be done until a person fixes it, so it is waited out
        # the same way (nothing is set aside or lost meanwhile).
        return Fault.UNREACHABLE if "unable to open" in message else Fault.FAILING
    return Fault.UNREACHABLE if sqlstate is None else Fault.FAILING


def sqlite_path(url: URL) -> Path | None:
    """The file of an SQLite database URL; None for PostgreSQL and in-memory databases."""
    if url.get_backend_name() != "sqlite" or is_sqlite_memory(url) or not url.database:
        return None
    return Path(url.database)


def disk_full(path: Path) -> bool:
    """Whether the file system holding `path` has less room than a transaction needs."""
    try:
        return shutil.disk_usage(path.parent).free < DISK_RESERVE_BYTES
    except OSError:
        return False


def check_reachable(engine: Engine) -> None:
    """Open and close one connection; raise `DatabaseError` with the reason if that fails."""
    with database_errors(engine), engine.connect() as connection:
        connection.exec_driver_sql("SELECT 1")


def create_reader_engine(value: str) -> Engine:
    """An engine for commands that only read (`status`), usable on a database nobody can write.

    SQLite opens the file read-only, and takes no write lock at BEGIN. On a read-only file
    system without the WAL's shared-memory file (which SQLite cannot create there), the file is
    opened as immutable: nothing can write to it, so nothing can change under the reader.
    PostgreSQL gets the usual engine: its reads never need to write.
    """
    url = parse_database_url(value)
    path = sqlite_path(url)
    if path is None:
        return create_engine_from_url(value)
    _check_folder(url)
    flags = "immutable=1" if read_only_file_system(path) else "mode=ro"
    target = f"file:{quote(str(path.resolve()))}?{flags}"

    def connect() -> sqlite3.Connection:
        connection = sqlite3.connect(target, uri=True, check_same_thread=False)
        connection.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        return connection

    return sa.create_engine(url, creator=connect, hide_parameters=True)


def read_only_file_system(path: Path) -> bool:
    """Whether `path` (an SQLite file) lies on a file system mounted read-only."""
    try:
        return bool(os.statvfs(path.parent).f_flag & os.ST_RDONLY)
    except OSError:
        return False
