"""Pollers through X's failures: each turn is driven by the test, stepping the emulator's clock
by exactly the wait the poller asked for, so the loop runs as in the daemon, without sleeping."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from jun_engine.channels.x import XGateway, credentials_for
from jun_engine.channels.x.billing import Prices
from jun_engine.channels.x.intake.poller import Poller
from jun_engine.channels.x.intake.streams import own_account_ids
from jun_engine.channels.x.intake.sweep import StreamReader, fetcher
from jun_engine.clock import FollowedClock
from jun_engine.config.schema import Config
from jun_engine.domain.statuses import PollStream
from jun_engine.emulator.emulator import Emulator
from jun_engine.emulator.faults import FaultSpec
from jun_engine.emulator.wire import Exchange
from jun_engine.store.tables import PollCheckpointRow
from tests.channels.x.intake.helpers import ref_of, stored_ids


@contextmanager
def poller_for(
    emulator: Emulator,
    config: Config,
    engine: Engine,
    account_key: str = "town",
    *,
    environ: dict[str, str] | None = None,
    cap: float = 5.0,
) -> Iterator[Poller]:
    env = environ if environ is not None else emulator.credentials_env()
    credentials = credentials_for(config, account_key, env)
    with XGateway(credentials, base_url=emulator.base_url, timeout=(1.0, 1.0)) as gateway:
        ref = ref_of(config, account_key, PollStream.MENTIONS)
        clock = FollowedClock(emulator.base_url, resync_seconds=3600)
        reader = StreamReader(
            ref, fetcher(gateway, ref), engine, clock, Prices.of(config), own_account_ids(config)
        )
        yield Poller(reader, engine, clock, daily_cap_usd=cap, rng=random.Random(1))


def run_turns(emulator: Emulator, poller: Poller, turns: int) -> None:
    """The daemon's loop, with the test's hand on the clock."""
    for _ in range(turns):
        wait = poller.turn()
        if wait is None:
            return
        assert isinstance(wait, timedelta), f"the database is out: {wait}"
        emulator.step(max(wait.total_seconds(), 0.001))
        if isinstance(poller.clock, FollowedClock):
            poller.clock.resync()  # the poller sees the step at once


def post_mentions(emulator: Emulator, count: int) -> list[str]:
    lola = emulator.sink.add_user("lola", "Lola")
    return [emulator.sink.tweet(lola, f"@AytoJun aviso número {n}") for n in range(count)]


def test_a_429_storm_is_waited_out_without_a_request_before_the_reset(
    x_emulator: Emulator, x_emulator_config: Config, engine: Engine
) -> None:
    # Given 429 storms in the last 2 minutes of every 5 (emulated), and mentions arriving
    x_emulator.dice.spec = FaultSpec(
        storm_for=timedelta(minutes=2), storm_every=timedelta(minutes=5)
    )
    seen: list[tuple[datetime, Exchange]] = []
    x_emulator.observe(lambda e: seen.append((x_emulator.clock.now(), e)))
    with poller_for(x_emulator, x_emulator_config, engine) as poller:
        run_turns(x_emulator, poller, 1)
        posted = post_mentions(x_emulator, 30)
        # When the poller runs through three storms
        run_turns(x_emulator, poller, 60)
    # Then after every 429, the next request waited for the reset X announced
    storms = [(at, e) for at, e in seen if e.status == 429]
    assert storms
    for at, refused in storms:
        reset = datetime.fromtimestamp(int(refused.headers["x-rate-limit-reset"]), at.tzinfo)
        later = [when for when, _ in seen if when > at]
        assert not later or min(later) >= reset
    # And everything was stored anyway
    assert sorted(stored_ids(engine)) == sorted(posted)


def test_5xx_bursts_timeouts_and_truncated_json_are_retried_until_all_is_stored(
    x_emulator: Emulator, x_emulator_config: Config, engine: Engine
) -> None:
    # Given an X that fails a quarter of the requests: 503s, cut-off bodies, hung connections
    x_emulator.dice.spec = FaultSpec(
        server_error=0.12, truncate=0.1, timeout=0.04, timeout_for=timedelta(seconds=1.2)
    )
    statuses: list[int] = []
    x_emulator.observe(lambda e: statuses.append(e.status))
    with poller_for(x_emulator, x_emulator_config, engine) as poller:
        run_turns(x_emulator, poller, 1)
        posted = post_mentions(x_emulator, 150)
        # When the poller runs on through them
        run_turns(x_emulator, poller, 40)
    # Then it met failures, backed off, and stored every mention once
    assert 503 in statuses
    assert sorted(stored_ids(engine)) == sorted(posted)
    assert not poller.stopped


def test_a_401_stops_that_stream_loudly_and_says_so(
    x_emulator: Emulator, x_emulator_config: Config, engine: Engine
) -> None:
    env = x_emulator.credentials_env()
    token = x_emulator_config.accounts["public_works"].access_token_env
    env[token] = env[token][:-4] + "XXXX"
    with poller_for(x_emulator, x_emulator_config, engine, "public_works", environ=env) as poller:
        run_turns(x_emulator, poller, 2)  # the first turn starts from now; the second asks X
        assert poller.turn() is None or poller.stopped
    assert poller.stopped
    with Session(engine) as session:
        account_id = x_emulator_config.accounts["public_works"].user_id
        row = session.get(PollCheckpointRow, (account_id, "mentions"))
    assert row is not None
    assert row.stopped_at is not None
    assert row.last_error is not None
    assert "authentication failed" in row.last_error


def test_the_daily_spend_cap_pauses_polling_until_the_next_utc_day(
    x_emulator: Emulator, x_emulator_config: Config, engine: Engine
) -> None:
    with poller_for(x_emulator, x_emulator_config, engine, cap=0.01) as poller:
        run_turns(x_emulator, poller, 1)
        post_mentions(x_emulator, 20)  # 20 owned reads: $0.02, over the cap of $0.01
        run_turns(x_emulator, poller, 1)
        wait = poller.turn()
    assert isinstance(wait, timedelta)
    now = x_emulator.clock.now()
    assert (now + wait).time() == datetime.min.time()
    assert (now + wait).date() == now.date() + timedelta(days=1)
