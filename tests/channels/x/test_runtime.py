"""X as the daemon runs it: every stream read, baselines once, yesterday's billing forgotten."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from jun_engine.channels.ports import Wiring
from jun_engine.channels.x.billing import Prices, Read, record_read
from jun_engine.channels.x.intake.streams import streams_of, timelines_of
from jun_engine.channels.x.runtime import XRuntime, x_runtime
from jun_engine.config.schema import Pricing
from jun_engine.domain.errors import MissingSecret
from jun_engine.emulator.emulator import Emulator
from jun_engine.service.outage import OutageWatch
from jun_engine.store.session import session_scope
from jun_engine.store.tables import BilledResourceRow, PollCheckpointRow


def wiring(engine: Engine, emulator: Emulator) -> Wiring:
    return Wiring(engine, emulator.clock, lambda: None, OutageWatch(), random.Random(0))


def checkpoints(engine: Engine) -> dict[tuple[str, str], str | None]:
    with Session(engine) as session:
        rows = session.exec(select(PollCheckpointRow)).all()
    return {(row.account_id, row.stream): row.cursor for row in rows}


@pytest.fixture
def runtime(x_emulator: Emulator) -> XRuntime:
    return x_runtime(x_emulator.config, x_emulator.credentials_env(), x_emulator.base_url)


def test_it_polls_every_stream_and_timeline_and_baselines_each_once(
    runtime: XRuntime, x_emulator: Emulator, engine: Engine
) -> None:
    config = x_emulator.config
    wired = wiring(engine, x_emulator)
    # When the daemon asks for X's pollers and lets X begin, twice (a restart)
    try:
        pollers = runtime.pollers(wired)
        runtime.begin(wired, x_emulator.clock.now())
        first = checkpoints(engine)
        runtime.begin(wired, x_emulator.clock.now() + timedelta(hours=1))
        again = checkpoints(engine)
    finally:
        runtime.close()
    # Then each account's mentions and DMs, then each department's timeline, has a poller
    refs = streams_of(config) + timelines_of(config)
    assert [p.ref for p in pollers] == refs
    # And each got its baseline once: a restart keeps where every stream started
    assert set(first) == {(r.account_id, r.stream) for r in refs}
    assert again == first


def test_housekeeping_forgets_the_resources_billed_on_earlier_days(
    runtime: XRuntime, x_emulator: Emulator, engine: Engine
) -> None:
    today = x_emulator.clock.now()
    prices = Prices(Pricing(), owns_app=True)
    read = Read("1130425167", "mentions", "APP", "post", ["1", "2"], owned=True)
    # Given resources billed yesterday and today
    with session_scope(engine) as session:
        record_read(session, read, prices, today - timedelta(days=1))
        record_read(session, read, prices, today)
    # When the heartbeat asks X's upkeep today
    runtime.housekeep(wiring(engine, x_emulator), today)
    # Then only today's are remembered: yesterday's are billable again
    with Session(engine) as session:
        days = {row.day for row in session.exec(select(BilledResourceRow))}
    assert days == {today.date()}


def test_a_missing_secret_is_refused_before_anything_is_built(x_emulator: Emulator) -> None:
    with pytest.raises(MissingSecret):
        x_runtime(x_emulator.config, {}, x_emulator.base_url)
