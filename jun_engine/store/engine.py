"""Build the SQLAlchemy engine from a `--db` value, and turn driver failures into store errors.

SQLite gets WAL, foreign keys, a busy timeout and synchronous=NORMAL on every connection, and
real transactions (an explicit BEGIN, so savepoints and transactional DDL work). PostgreSQL goes
through psycopg 3. Statement parameters (a DM's text) are never put in SQLAlchemy's logs or error
messages. Nothing here is global: each caller owns the engine it builds.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import sqlalchemy.exc as sa_exc
from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.pool import StaticPool

from jun_engine.store.errors import DatabaseError, DatabaseUrlError, IntegrityViolationError

SQLITE_BUSY_TIMEOUT_MS = 30_000
"""How long a transaction waits for SQLite's write lock. Every transaction takes it at BEGIN (see
`_on_begin`), so a reader waits behind the daemon's writes; they last milliseconds, but one
scheduler tick queueing a DM to every resident holds it for seconds on a busy machine."""
POSTGRES_CONNECT_TIMEOUT_S = 5
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
    if is_sqlite_memory(url):
        engine = sa.create_engine(
            url,
            poolclass=StaticPool,
            connect_args={"check_same_thread": False},
            hide_parameters=True,
        )
    else:
        engine = sa.create_engine(url, hide_parameters=True)
    _configure_sqlite(engine)
    return engine


def _postgres_engine(url: URL) -> Engine:
    connect_args: dict[str, Any] = {}
    if "connect_timeout" not in url.query:
        connect_args["connect_timeout"] = POSTGRES_CONNECT_TIMEOUT_S
    return sa.create_engine(
        url, pool_pre_ping=True, connect_args=connect_args, hide_parameters=True
    )


def _configure_sqlite(engine: Engine) -> None:
    """Set the pragmas on every new connection and let SQLAlchemy, not sqlite3, begin work."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # no implicit BEGINs from the sqlite3 module
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
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def first_line(exc: BaseException) -> str:
    """The driver's message without PostgreSQL's DETAIL lines, which can quote a row's data."""
    original = getattr(exc, "orig", None) or exc
    lines = str(original).strip().splitlines()
    return lines[0] if lines else type(original).__name__


@contextmanager
def database_errors(engine: Engine) -> Iterator[None]:
    """Raise the store's own errors for an unreachable database or a refused write."""
    try:
        yield
    except sa_exc.IntegrityError as exc:
        raise IntegrityViolationError(first_line(exc)) from exc
    except (sa_exc.OperationalError, sa_exc.InterfaceError) as exc:
        raise DatabaseError(redacted(engine.url), first_line(exc)) from exc


def check_reachable(engine: Engine) -> None:
    """Open and close one connection; raise `DatabaseError` with the reason if that fails."""
    with database_errors(engine), engine.connect() as connection:
        connection.exec_driver_sql("SELECT 1")
