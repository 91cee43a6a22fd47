"""Benchmark: the intake. X requests and billed resources per 1,000 incoming messages against
the minimum, storage throughput against a bare batch insert (SQLite and PostgreSQL), and the
peak memory of reading 100,000 messages."""

from __future__ import annotations

import json
import math
import os
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from jun_engine.channels.results import Page
from jun_engine.channels.x import XGateway, credentials_for
from jun_engine.channels.x.billing import Prices
from jun_engine.channels.x.intake.streams import StreamRef, own_account_ids, streams_of
from jun_engine.channels.x.intake.sweep import StreamReader, fetcher, snowflake_at
from jun_engine.clock import FollowedClock
from jun_engine.domain.messages import Channel, InboundMessage, MessageKind
from jun_engine.domain.statuses import MessageStatus, PollStream
from jun_engine.emulator.clock import Clock as EmulatorClock
from jun_engine.emulator.emulator import Emulator
from jun_engine.emulator.testing import emulator_test_config
from jun_engine.store.engine import create_engine_from_url
from jun_engine.store.migrate import upgrade
from jun_engine.store.repository import MESSAGES

TITLE = "Intake: requests per 1,000 messages, storage throughput, peak memory"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MESSAGES_PER_RUN = 1000
THROUGHPUT_ROWS = 20_000
MEMORY_ROWS = 100_000
PG_URL = os.environ.get("JUN_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def run() -> str:
    """Every figure, as Markdown tables."""
    return "\n".join([_requests_section(), _throughput_section(), _memory_section()])


# --- requests and billed resources ---------------------------------------------------------------


def _requests_section() -> str:
    rows = [
        _requests_row("bursts: 4 x 250 mentions, each between two sweeps", steady=False),
        _requests_row("steady: 1,000 mentions over 2 hours, polled every 25 s", steady=True),
    ]
    return "\n".join(
        [
            f"### X requests per {MESSAGES_PER_RUN:,} incoming mentions (the town account)\n",
            "The minimum is ceil(n/100) pages and no lookup of any author. A steady stream also "
            "needs one request per poll, found or not; the overlap (1 min) reads recent "
            "mentions again, which X does not bill twice the same day.\n",
            "| scenario | requests | minimum pages | requests / minimum | resources returned "
            "| resources billed | author lookups | cost (USD) |",
            "|---|---|---|---|---|---|---|---|",
            *rows,
            "",
        ]
    )


def _requests_row(label: str, *, steady: bool) -> str:
    config = emulator_test_config()
    with (
        Emulator(config, seed=1, clock=EmulatorClock.stepped(START)) as emulator,
        _scratch_sqlite() as engine,
    ):
        emulator.limiter.enforce = False
        paths: list[str] = []
        returned: list[int] = []
        emulator.observe(lambda e: paths.append(e.request.path))
        emulator.observe(lambda e: returned.append(_result_count(e.body)))
        town = config.accounts[config.town.account]
        ref = next(r for r in streams_of(config) if r.account_id == town.user_id)
        credentials = credentials_for(config, config.town.account, emulator.credentials_env())
        clock = FollowedClock(emulator.base_url, resync_seconds=3600)
        with XGateway(credentials, base_url=emulator.base_url) as gateway:
            reader = StreamReader(
                ref,
                fetcher(gateway, ref),
                engine,
                clock,
                Prices.of(config),
                own_account_ids(config),
            )
            reader.sweep()
            paths.clear()
            resident = emulator.sink.add_user("bench", "Bench")
            if steady:
                _steady(emulator, reader, resident, clock)
            else:
                for burst in range(4):
                    for n in range(MESSAGES_PER_RUN // 4):
                        emulator.sink.tweet(resident, f"@{town.handle} aviso {burst} {n}")
                    emulator.step(120)  # past the overlap: each burst is read once
                    clock.resync()
                    while not reader.sweep().finished:
                        pass
        line = emulator.ledger.snapshot()[town.user_id]["mentions"]
    requests = len(paths)
    minimum = math.ceil(MESSAGES_PER_RUN / 100)
    lookups = sum(1 for p in paths if "/mentions" not in p)
    return (
        f"| {label} | {requests} | {minimum} | {requests / minimum:.1f} | "
        f"{sum(returned)} | {line.resources} | {lookups} | {line.usd:.3f} |"
    )


def _steady(
    emulator: Emulator, reader: StreamReader, resident: str, follower: FollowedClock
) -> None:
    town_handle = emulator.config.accounts[emulator.config.town.account].handle
    interval = 25.0
    every = 2 * 3600 / MESSAGES_PER_RUN
    sent, clock = 0, 0.0
    while sent < MESSAGES_PER_RUN:
        clock += interval
        while sent < MESSAGES_PER_RUN and sent * every < clock:
            emulator.sink.tweet(resident, f"@{town_handle} aviso {sent}")
            sent += 1
        emulator.step(interval)
        follower.resync()  # the emulator's clock was stepped: read it once, not on every call
        reader.sweep()
    emulator.step(interval)
    follower.resync()
    reader.sweep()


def _result_count(body: bytes) -> int:
    try:
        meta = json.loads(body).get("meta", {})
    except ValueError:
        return 0
    count = meta.get("result_count", 0) if isinstance(meta, dict) else 0
    return count if isinstance(count, int) else 0


# --- storage throughput ---------------------------------------------------------------------------


def _throughput_section() -> str:
    lines = [
        f"### Storage throughput, {THROUGHPUT_ROWS:,} mentions in pages of 100, one process\n",
        "The intake path per page: one transaction with the request's cost (api_call, "
        "billed_resource), INSERT .. ON CONFLICT DO NOTHING of the messages, the checkpoint "
        "and the sweep's progress; the network is left out (pages come from memory). The bare "
        "insert writes the same rows, 100 per INSERT and per transaction, nothing else.\n",
        "| database | intake (messages/s) | bare insert (rows/s) | intake / bare |",
        "|---|---|---|---|",
    ]
    for name, opener in (("SQLite (file, WAL)", _scratch_sqlite), ("PostgreSQL", _scratch_pg)):
        try:
            with opener() as engine:
                intake = _intake_rate(engine, THROUGHPUT_ROWS)
            with opener() as engine:
                bare = _bare_rate(engine, THROUGHPUT_ROWS)
        except sa.exc.OperationalError as error:
            lines.append(f"| {name} | unavailable: {type(error).__name__} | | |")
            continue
        lines.append(f"| {name} | {intake:,.0f} | {bare:,.0f} | {intake / bare:.2f} |")
    return "\n".join([*lines, ""])


def _intake_rate(engine: Engine, count: int) -> float:
    reader = _memory_reader(engine, count)
    began = time.perf_counter()
    while not reader.sweep().finished:
        pass
    return count / (time.perf_counter() - began)


def _bare_rate(engine: Engine, count: int) -> float:
    rows = [_row(m) for m in _messages(count)]
    began = time.perf_counter()
    for start in range(0, count, 100):
        with engine.begin() as connection:
            connection.execute(sa.insert(MESSAGES).values(rows[start : start + 100]))
    return count / (time.perf_counter() - began)


# --- memory -------------------------------------------------------------------------------------


def _memory_section() -> str:
    with _scratch_sqlite() as engine:
        reader = _memory_reader(engine, MEMORY_ROWS)
        tracemalloc.start()
        while not reader.sweep().finished:
            pass
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return "\n".join(
        [
            f"### Peak memory reading {MEMORY_ROWS:,} mentions (SQLite)\n",
            "Python allocations traced during the sweeps (pages are built on demand, as X "
            "sends them; each is stored and dropped).\n",
            "| messages | peak traced memory (MiB) |",
            "|---|---|",
            f"| {MEMORY_ROWS:,} | {peak / 2**20:.1f} |",
            "",
        ]
    )


# --- helpers --------------------------------------------------------------------------------------


def _memory_reader(engine: Engine, count: int) -> StreamReader:
    """A backfilling reader whose pages of 100 are made in memory, newest first."""
    ref = StreamRef("town", "1130425167", PollStream.MENTIONS, "BENCH_APP")

    def fetch(since: str | None, token: str | None, size: int) -> Page[InboundMessage]:
        top = int(token) if token is not None else count
        numbers = range(top, max(top - size, 0), -1)
        floor = int(since) if since is not None else 0
        page = list(map(_message, numbers))
        items = tuple(m for m in page if int(m.platform_id) > floor)
        # As X does with `since_id`: the results end at the first post at or below it
        more = top - size > 0 and len(items) == len(page)
        next_token = str(top - size) if more else None
        return Page(items=items, result_count=len(items), next_token=next_token)

    config = emulator_test_config()
    return StreamReader(
        ref,
        fetch,
        engine,
        EmulatorClock.stepped(START + timedelta(seconds=count, hours=1)),  # all in the past
        Prices.of(config),
        frozenset(),
        backfill=True,
    )


def _messages(count: int) -> Iterator[InboundMessage]:
    return (_message(n) for n in range(count, 0, -1))


def _message(n: int) -> InboundMessage:
    moment = START + timedelta(seconds=n)
    return InboundMessage(
        channel=Channel.X,
        kind=MessageKind.MENTION,
        platform_id=str(snowflake_at(moment) + n % 4096),
        account_id="1130425167",
        author_id=str(10_000 + n % 500),
        text=f"@AytoJun la farola de la calle {n} no funciona",
        created_at=moment,
        mentioned_ids=("1130425167",),
        raw='{"data": {}}',
    )


def _row(message: InboundMessage) -> dict[str, object]:
    return {
        "channel": message.channel,
        "kind": message.kind,
        "platform_id": message.platform_id,
        "account_id": message.account_id,
        "author_id": message.author_id,
        "text": message.text,
        "created_at": message.created_at,
        "received_at": START,
        "mentioned_ids": " ".join(message.mentioned_ids),
        "hashtags": "",
        "raw": message.raw,
        "status": MessageStatus.NEW,
    }


@contextmanager
def _scratch_sqlite() -> Iterator[Engine]:
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{Path(scratch) / 'bench.db'}"
        upgrade(url)
        engine = create_engine_from_url(url)
        try:
            yield engine
        finally:
            engine.dispose()


@contextmanager
def _scratch_pg() -> Iterator[Engine]:
    name = f"bench_{os.getpid()}_{time.monotonic_ns() % 10**9}"
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{name}"')
    url = sa.engine.make_url(PG_URL).update_query_dict({"options": f"-csearch_path={name}"})
    text = url.render_as_string(hide_password=False)
    try:
        upgrade(text)
        engine = create_engine_from_url(text)
        try:
            yield engine
        finally:
            engine.dispose()
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{name}" CASCADE')
        admin.dispose()
