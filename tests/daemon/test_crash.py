"""SIGKILL at random instants: intake is at-least-once, storage exactly-once, nothing lost.

The daemon is restarted after every kill; restarts are forked from a process that has already
imported jun-engine (tests/daemon/zygote.py), so 20 of them fit in the test's time. Each is a
separate process running `jun-engine run`, and each kill is a real SIGKILL.
"""

from __future__ import annotations

import os
import random
import signal
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from jun_engine.config.schema import Config
from tests.daemon.harness import (
    Zygote,
    daemon_argv,
    daemon_env,
    lock_holder,
    running_town,
    stored_ids,
    wait_until,
)

pytestmark = pytest.mark.slow

KILLS = 20
MESSAGES = 2000
FAULTS = "5xx=0.03,truncate=0.01,timeout=0.005:2s,late=0.2:20s,repeat=0.02"


@pytest.fixture
def zygote() -> Iterator[Zygote]:
    forks = Zygote()
    yield forks
    forks.close()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_killed_20_times_while_2000_messages_arrive_every_one_is_stored_once(
    town_config: Config, engine: Engine, db: str, tmp_path: Path, zygote: Zygote
) -> None:
    log = tmp_path / "daemon.log"
    dice = random.Random(2026)
    # Given a busy town (about 35 messages a real second) with late arrivals and faults on
    with running_town(town_config, speed=120, rate_per_hour=1100, faults=FAULTS) as (
        emulator,
        town,
    ):
        argv = daemon_argv(emulator, db, tmp_path, "--backfill", "--no-send")
        env = daemon_env(emulator)
        # When the daemon is killed with SIGKILL at 20 random instants after it came up
        for _ in range(KILLS):
            pid = zygote.spawn(argv, env, log)
            wait_until(lambda: lock_holder(engine) == pid, 60, "the daemon to start")  # noqa: B023
            time.sleep(dice.uniform(0.0, 2.0))  # the random instant of the kill
            os.kill(pid, signal.SIGKILL)
            assert zygote.wait(pid) == -signal.SIGKILL
        stored_while_killing = len(stored_ids(engine))
        # And then runs undisturbed until the town has sent 2,000 messages, all stored
        pid = zygote.spawn(argv, env, log)
        wait_until(lambda: len(town.sent) >= MESSAGES, 90, f"{MESSAGES} messages from the town")
        sent = {m.platform_id for m in town.sent}
        wait_until(lambda: sent <= set(stored_ids(engine)), 60, "every message stored")
        os.kill(pid, signal.SIGTERM)
        code = zygote.wait(pid)
        everything = {m.platform_id for m in town.sent}
    # Then no message was lost and none is stored twice, and the last run stopped cleanly
    stored = Counter(stored_ids(engine))
    assert len(sent) >= MESSAGES
    assert stored_while_killing > 0
    assert set(stored.values()) == {1}
    assert sent <= set(stored) <= everything
    assert code == 0, log.read_text(errors="replace")[-3000:]
