"""Benchmark: the scheduler's tick that resolves a segmented DM notice over 3,000 residents and
queues one outbox item (and delivery row) per recipient, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from jun_engine.config.schema import Config
from jun_engine.domain.messages import Channel
from jun_engine.domain.statuses import ResidentStatus
from jun_engine.emulator.testing import emulator_test_config
from jun_engine.scheduling.notice_queue import queue_due_notices
from jun_engine.scheduling.notices import NoticeRequest, add_notice
from jun_engine.store.engine import create_engine_from_url
from jun_engine.store.migrate import upgrade
from jun_engine.store.session import session_scope
from jun_engine.store.tables import ResidentIdentityRow, ResidentRow, ResidentTopicRow

TITLE = "Scheduling: queueing a 3,000-resident segmented notice (SQLite vs PostgreSQL)"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
RESIDENTS = 3000
RUNS = 3
PG_URL = os.environ.get("JUN_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
RESIDENT_TABLE: sa.Table = ResidentRow.__table__  # type: ignore[attr-defined]
TOPIC_TABLE: sa.Table = ResidentTopicRow.__table__  # type: ignore[attr-defined]
IDENTITY_TABLE: sa.Table = ResidentIdentityRow.__table__  # type: ignore[attr-defined]


def run() -> str:
    """The figures, as a Markdown table."""
    config = emulator_test_config()
    backends: list[tuple[str, Callable[[], AbstractContextManager[Engine]]]] = [
        ("SQLite (file)", _scratch_sqlite),
        ("PostgreSQL", _scratch_pg),
    ]
    rows = [(name, _measure(config, scratch)) for name, scratch in backends]
    base = rows[0][1][0]
    lines = [
        f"One tick queues a DM notice for the topic `water_cuts` to every verified resident "
        f"(all {RESIDENTS:,} opted in, four districts): the segment is resolved and one outbox "
        f"item plus one delivery row is written per recipient, in one transaction. Median of "
        f"{RUNS} runs, each on a fresh database.\n",
        "| database | DMs queued | tick (s) | per DM (ms) | vs SQLite |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, (seconds, queued) in rows:
        lines.append(
            f"| {name} | {queued:,} | {seconds:.2f} | {1000 * seconds / max(queued, 1):.2f} "
            f"| {seconds / base:.2f}x |"
        )
    return "\n".join(lines) + "\n"


def _measure(
    config: Config, scratch: Callable[[], AbstractContextManager[Engine]]
) -> tuple[float, int]:
    timings, queued = [], 0
    for _ in range(RUNS):
        with scratch() as engine:
            _seed(engine, config)
            began = time.perf_counter()
            with session_scope(engine) as session:
                [decision] = queue_due_notices(session, config, START + timedelta(minutes=1))
            timings.append(time.perf_counter() - began)
            queued = decision.dms
    return statistics.median(timings), queued


def _seed(engine: Engine, config: Config) -> None:
    districts = config.town.districts
    people = [
        {
            "name": f"Vecino {n}",
            "district": districts[n % len(districts)],
            "birth_year": 1950 + n % 60,
            "language": "es",
            "status": ResidentStatus.VERIFIED,
            "enrolled_at": START,
            "verified_at": START,
        }
        for n in range(RESIDENTS)
    ]
    with session_scope(engine) as session:
        ids = session.execute(sa.insert(RESIDENT_TABLE).returning(RESIDENT_TABLE.c.id), people)
        resident_ids = [int(row[0]) for row in ids.all()]
        topics = [{"resident_id": rid, "topic": "water_cuts"} for rid in resident_ids]
        session.execute(sa.insert(TOPIC_TABLE), topics)
        accounts = [
            {"resident_id": rid, "channel": Channel.X, "user_id": str(10**12 + n),
             "handle": f"vecino{n}", "bound_at": START}
            for n, rid in enumerate(resident_ids)
        ]  # fmt: skip
        session.execute(sa.insert(IDENTITY_TABLE), accounts)
        text = "Corte de agua mañana de 9 a 13 h"
        request = NoticeRequest(text, at=START, dm=True, topic="water_cuts")
        add_notice(session, config, request, START)


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
    name = f"bench_sched_{os.getpid()}_{time.monotonic_ns() % 10**9}"
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
