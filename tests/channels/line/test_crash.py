"""SIGKILL during LINE webhook bursts: the real `jun-engine run` (forked from a process that has
already imported it, tests/daemon/zygote.py) is killed while LINE users write; the LINE emulator
redelivers what got no 200. Judged from the emulator's delivery record and the database: every
event LINE sent was answered 200 at last, every message is stored once and processed once."""

from __future__ import annotations

import os
import random
import signal
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from jun_engine.config.loading import load_config
from jun_engine.config.schema import Config
from jun_engine.domain.statuses import MessageStatus
from jun_engine.emulator.emulator import Emulator
from jun_engine.emulator.line.emulator import LineEmulator
from jun_engine.emulator.line.webhooks import Redelivery
from jun_engine.store.tables import InboundMessageRow
from tests.channels.line.conftest import free_port
from tests.daemon.harness import (
    CONFIG,
    Zygote,
    daemon_argv,
    daemon_env,
    lock_holder,
    roomy_config,
    running_town,
    stored_ids,
    wait_until,
    wait_while_progressing,
)
from tests.emulator.line.clients import admin, friend

pytestmark = pytest.mark.slow

KILLS = 5
BURST = 20
"""Texts LINE users send at once, before each kill."""
SPEED = 5
"""Emulated seconds a real second: LINE's six attempts (10 s doubling) span about a real minute,
longer than a restart (an event whose attempts all fail is lost by LINE itself)."""


@pytest.fixture
def zygote() -> Iterator[Zygote]:
    forks = Zygote()
    yield forks
    forks.close()


def line_section(line: LineEmulator, port: int) -> str:
    """accounts.yaml's `line:` section for the emulator's channel."""
    return (
        "\nline:\n"
        f"  webhook: {{host: 127.0.0.1, port: {port}}}\n"
        "  accounts:\n"
        "    jun:\n"
        f"      channel_id: '{line.state.channel.channel_id}'\n"
        f"      bot_user_id: {line.state.channel.bot_user_id}\n"
        "      channel_secret_env: JUN_LINE_CHANNEL_SECRET\n"
        "      access_token_env: JUN_LINE_CHANNEL_ACCESS_TOKEN\n"
        "      language: th\n"
    )


PATIENT = Redelivery(attempts=16, longest_wait=timedelta(seconds=60))
"""LINE retrying long enough for five kills and restarts on a loaded machine (a restart can take
many seconds there), and never more than a minute of the clock (12 real seconds) apart."""


def statuses(engine: Engine) -> Counter[MessageStatus]:
    with Session(engine) as session:
        return Counter(session.exec(select(col(InboundMessageRow.status))).all())


def unprocessed(engine: Engine) -> int:
    return statuses(engine)[MessageStatus.NEW]


@contextmanager
def town_and_line(config: Config) -> Iterator[tuple[Emulator, LineEmulator]]:
    """X's emulator (the daemon follows its clock) and LINE's on the same clock."""
    with (
        running_town(config, speed=SPEED, rate_per_hour=1) as (emulator, _town),
        LineEmulator(seed=3, clock=emulator.clock, redelivery=PATIENT) as line,
    ):
        yield emulator, line


def started(engine: Engine, pid: int, log: Path) -> None:
    """Wait for the daemon `pid` to hold the database; its log in the failure otherwise."""
    try:
        wait_until(lambda: lock_holder(engine) == pid, 60, "the daemon to start")
    except AssertionError as error:
        raise AssertionError(f"{error}: {log.read_text(errors='replace')[-3000:]}") from None


@pytest.fixture(scope="module")
def town_config() -> Config:
    """The shipped accounts.yaml, which the X emulator and the daemon both read."""
    return load_config(CONFIG).config


@pytest.fixture
def db(engine: Engine, db_url: str) -> str:
    """The URL of a database at head (the `engine` fixture migrated it)."""
    return db_url


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_killed_during_webhook_bursts_every_event_is_stored_and_processed_once(
    town_config: Config, engine: Engine, db: str, tmp_path: Path, zygote: Zygote
) -> None:
    log = tmp_path / "daemon.log"
    dice = random.Random(14)
    port = free_port()
    # Given LINE on the X emulator's clock, posting webhooks to the daemon's address
    with town_and_line(town_config) as (emulator, line):
        line.state.webhook.url = f"http://127.0.0.1:{port}/line/webhook"
        config = roomy_config(tmp_path)
        config.write_text(config.read_text() + line_section(line, port), encoding="utf-8")
        argv = daemon_argv(emulator, db, tmp_path, "--no-send")
        env = {**daemon_env(emulator), **line.credentials_env()}
        users = [friend(line, f"ผู้ใช้ {n}") for n in range(5)]
        sent: list[str] = []
        # When the daemon is killed with SIGKILL while each of five bursts of texts arrives
        for round_ in range(KILLS):
            pid = zygote.spawn(argv, env, log)
            started(engine, pid, log)
            for n in range(BURST):
                text = {"text": f"ไฟดับ รอบ {round_} ข้อ {n}"}
                sent.append(admin(line, "POST", f"users/{users[n % 5]}/text", text)["messageId"])
            before = len(stored_ids(engine))
            wait_until(lambda: len(stored_ids(engine)) > before, 60, "the burst to arrive")  # noqa: B023
            time.sleep(dice.uniform(0.0, 0.3))  # the random instant of the kill
            os.kill(pid, signal.SIGKILL)
            assert zygote.wait(pid) == -signal.SIGKILL
        # And then runs undisturbed while LINE redelivers what got no 200
        pid = zygote.spawn(argv, env, log)
        started(engine, pid, log)
        wait_while_progressing(
            lambda: set(sent) <= set(stored_ids(engine)) and unprocessed(engine) == 0,
            lambda: (len(stored_ids(engine)), unprocessed(engine)),
            120,  # LINE's last redelivery comes 32 real seconds after the one before
            "every message stored and processed",
        )
        wait_until(  # LINE's redeliveries of events stored before a kill cut the 200 off
            lambda: admin(line, "GET", "deliveries")["pending"] == 0,
            120,
            "LINE to have nothing left to redeliver",
        )
        record = admin(line, "GET", "deliveries")["deliveries"]
        os.kill(pid, signal.SIGTERM)
        code = zygote.wait(pid)
    # Then LINE saw a 200 for every event it sent, some only after redelivery
    answered = {e for d in record if d["status"] == 200 for e in d["eventIds"]}
    every = {e for d in record for e in d["eventIds"]}
    unanswered = [d for d in record if set(d["eventIds"]) & (every - answered)]
    assert answered == every, unanswered
    assert len(every) == len(sent)
    assert any(d["redelivery"] for d in record)
    # And every message is stored once and processed (none left new)
    stored = Counter(stored_ids(engine))
    assert set(stored) == set(sent)
    assert set(stored.values()) == {1}
    assert set(statuses(engine)) <= {MessageStatus.PROCESSED, MessageStatus.WAITING_VERIFICATION}
    assert code == 0, log.read_text(errors="replace")[-3000:]
