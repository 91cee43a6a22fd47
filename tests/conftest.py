"""Fixtures every area may use: a fresh database on SQLite and on PostgreSQL, migrated or not.

- `db_url`: the URL of an EMPTY database, once per backend: an SQLite file in tmp_path, and a
  PostgreSQL schema of its own (marked `postgres`) inside a database made for this test run
  (one per xdist worker), dropped at the end.
- `engine`: an engine on `db_url` after `jun-engine db upgrade` (the schema at head).
- `session`: a session on that engine; commit what the test needs committed.

PostgreSQL comes from JUN_TEST_PG_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test).
If it is down, postgres tests fail with how to start it; deselect them with `-m "not postgres"`.
"""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine, make_url
from sqlmodel import Session

from jun_engine.store.engine import create_engine_from_url
from jun_engine.store.migrate import heads, upgrade
from jun_engine.store.tables import METADATA

pytest_plugins = ["jun_engine.emulator.testing"]
"""The shipped emulator fixtures (`x_emulator` and friends), for every test area."""


@pytest.fixture(autouse=True)
def _logging_restored() -> Iterator[None]:
    """Leave the root logger as the test found it.

    A command run in-process (CliRunner) configures logging for the whole process, with a handler
    on the runner's captured stream, which is closed once the command returns; a later test in
    the same worker would log into that closed stream.
    """
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


def _admin_url() -> URL:
    return make_url(os.environ.get("JUN_TEST_PG_URL") or DEFAULT_PG_URL)


def _unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


def _admin_execute(url: URL, statement: str) -> None:
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql(statement)
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def pg_database() -> Iterator[URL]:
    """A PostgreSQL database for this test run (per xdist worker), dropped at the end."""
    admin = _admin_url()
    name = _unique(f"jun_test_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}")
    try:
        _admin_execute(admin, f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as exc:
        pytest.fail(
            f"PostgreSQL is not reachable at {admin.render_as_string()}: {exc.orig}. Start it "
            "(pg_ctlcluster --skip-systemctl-redirect <version> main start), set "
            "JUN_TEST_PG_URL, or deselect these tests with -m 'not postgres'.",
            pytrace=False,
        )
    yield admin.set(database=name)
    _admin_execute(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_schema_url(pg_database: URL) -> Iterator[str]:
    """An empty schema of this test's own, first on the search path of every connection."""
    schema = _unique("t")
    _admin_execute(pg_database, f'CREATE SCHEMA "{schema}"')
    # synchronous_commit=off: commits skip the fsync, which only a crash of the server could tell
    options = f"-csearch_path={schema} -csynchronous_commit=off"
    url = pg_database.update_query_dict({"options": options})
    yield url.render_as_string(hide_password=False)
    _admin_execute(pg_database, f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database: once on SQLite, once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'jun-engine.db'}"
    url: str = request.getfixturevalue("pg_schema_url")
    return url


@pytest.fixture(scope="session")
def sqlite_at_head(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file migrated to head once per run, copied by tests that need one."""
    path = tmp_path_factory.mktemp("template") / "head.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def head_revisions() -> tuple[str, ...]:
    """The revisions at head, read once per run."""
    return heads()


def _create_at_head(engine: Engine, revisions: tuple[str, ...]) -> None:
    """Build the head schema directly and stamp it: what `upgrade` builds on an empty database.

    tests/store/test_migrations.py proves the migrations and `tables.py` agree on both databases
    (and runs the real migrations); every other test gets its schema this way, ten times faster.
    """
    with engine.begin() as connection:
        METADATA.create_all(connection)
        connection.exec_driver_sql(
            "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)"
        )
        for revision in revisions:
            connection.exec_driver_sql(
                "INSERT INTO alembic_version (version_num) VALUES (%(v)s)", {"v": revision}
            )


@pytest.fixture
def engine(request: pytest.FixtureRequest, db_url: str) -> Iterator[Engine]:
    """An engine on a database whose schema is at head (`jun-engine db upgrade` has run)."""
    target = make_url(db_url)
    if target.get_backend_name() == "sqlite" and target.database:
        shutil.copyfile(request.getfixturevalue("sqlite_at_head"), target.database)
        built = create_engine_from_url(db_url)
    else:
        built = create_engine_from_url(db_url)
        _create_at_head(built, request.getfixturevalue("head_revisions"))
    yield built
    built.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on the migrated database; nothing is committed unless the test commits."""
    with Session(engine, expire_on_commit=False) as opened:
        yield opened
