"""Fixtures of the web desk's tests: one seeded database per module and backend (SQLite and
PostgreSQL), the desk's app on it with a fixed clock, and signed-in HTTP clients per role."""

from __future__ import annotations

import re
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
import uvicorn
from sqlalchemy.engine import URL, Engine
from starlette.applications import Starlette

from jun_engine.config.schema import Config
from jun_engine.emulator.testing import emulator_test_config
from jun_engine.store.engine import create_engine_from_url
from jun_engine.store.migrate import upgrade
from jun_engine.web.app import create_app
from jun_engine.web.settings import WebSettings
from tests.web.town import FAST, NOW, PASSWORD, Seeded, seed

SECRET = "test-session-key-" + "k" * 40
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class Town:
    """The seeded database and what is in it."""

    config: Config
    engine: Engine
    cases: Seeded
    url: str


def _admin(url: URL, statement: str) -> None:
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql(statement)
    finally:
        engine.dispose()


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def town(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_at_head: Path,
) -> Iterator[Town]:
    """A seeded database at head, shared by the tests of one module (per backend)."""
    config = emulator_test_config()
    cleanup: Callable[[], None] = lambda: None  # noqa: E731
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("web") / "desk.db"
        shutil.copy(sqlite_at_head, path)
        url = f"sqlite:///{path}"
    else:
        database: URL = request.getfixturevalue("pg_database")
        schema = f"w_{uuid.uuid4().hex[:12]}"
        _admin(database, f'CREATE SCHEMA "{schema}"')
        url = database.update_query_dict(
            {"options": f"-csearch_path={schema} -csynchronous_commit=off"}
        ).render_as_string(hide_password=False)
        upgrade(url)
        cleanup = lambda: _admin(database, f'DROP SCHEMA "{schema}" CASCADE')  # noqa: E731
    engine = create_engine_from_url(url)
    try:
        yield Town(config, engine, seed(engine, config), url)
    finally:
        engine.dispose()
        cleanup()


@pytest.fixture(scope="module")
def app(town: Town) -> Starlette:
    """The desk on the seeded town, its clock fixed at the tests' Monday."""
    settings = WebSettings(secret_key=SECRET, secure_cookies=False, poll_seconds=5, passwords=FAST)
    return create_app(town.config, town.engine, settings, clock=lambda: NOW)


def csrf_of(html: str) -> str:
    """The form token in a page."""
    match = CSRF.search(html)
    assert match is not None, "the page has no form token"
    return match.group(1)


def sign_in(client: httpx.Client, username: str, password: str = PASSWORD) -> httpx.Client:
    """Sign `client` in as `username` (asserting it worked)."""
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:300]
    return client


@contextmanager
def served(app: Starlette) -> Iterator[str]:
    """`app` served by uvicorn on a free loopback port, in a thread; its base URL."""
    # IPPROTO_TCP named: asyncio sets TCP_NODELAY only on such sockets' connections (without
    # it every response waits ~40 ms on Nagle and the client's delayed ACK).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive(), "the desk stopped while starting"
        assert time.monotonic() < deadline, "the desk did not start within a minute"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


@pytest.fixture(scope="module")
def live(app: Starlette) -> Iterator[str]:
    """The desk served by uvicorn on a free loopback port, in a thread; its base URL."""
    with served(app) as url:
        yield url


def new_client(base_url: str) -> httpx.Client:
    """An HTTP client of the live desk (not signed in)."""
    return httpx.Client(base_url=base_url, timeout=60, follow_redirects=True)


@pytest.fixture(scope="module")
def clients(live: str) -> Iterator[Callable[[str], httpx.Client]]:
    """A signed-in client per username, made on first use and shared by the module."""
    made: dict[str, httpx.Client] = {}

    def client(username: str) -> httpx.Client:
        if username not in made:
            made[username] = sign_in(new_client(live), username)
        return made[username]

    yield client
    for each in made.values():
        each.close()
