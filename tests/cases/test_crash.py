"""SIGKILL while cases are being acknowledged and notified: on X, every case has exactly one
acknowledgement and, if its department asks for DMs (the police do), exactly one notification,
however often the daemon died.

The daemon is the real `jun-engine run`, forked from a process that has already imported it
(tests/daemon/zygote.py) so that 20 restarts fit in the test's time, and killed with a real
SIGKILL. The verdict is read from the emulator: what the engine's accounts actually posted and
sent, by reply target and recipient, checked against the cases the database opened.
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
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from jun_engine.cases.accounts import notification_recipient, town_id
from jun_engine.config.loading import load_config
from jun_engine.config.schema import Config
from jun_engine.domain.messages import Channel, MessageKind
from jun_engine.domain.residents import Identity
from jun_engine.domain.statuses import MessageStatus, OutboxStatus, Privacy
from jun_engine.emulator.emulator import Emulator
from jun_engine.emulator.records import DmEvent, Post
from jun_engine.emulator.town import SimulatedTown
from jun_engine.residents.verification import bind
from jun_engine.store.session import session_scope
from jun_engine.store.tables import CaseRow, InboundMessageRow, OutboxRow, ResidentRow
from tests.daemon.harness import (
    CONFIG,
    Zygote,
    daemon_argv,
    daemon_env,
    lock_holder,
    running_town,
    wait_until,
    wait_while_progressing,
)

pytestmark = pytest.mark.slow

KILLS = 20
SPEED = 240
"""Emulated seconds per real second: the town's DM limit (15 per 15 minutes) resets every 4 s."""
RATE_PER_HOUR = 20
"""Requests an emulated hour: well within the 60 DMs an hour the town account may send (each
police case costs a notification, private ones an acknowledgement too, and the desk sends
digests)."""


@pytest.fixture
def zygote() -> Iterator[Zygote]:
    forks = Zygote()
    yield forks
    forks.close()


@pytest.fixture(scope="module")
def town_config() -> Config:
    """The shipped accounts.yaml, which the emulator and the daemon both read."""
    return load_config(CONFIG).config


@pytest.fixture
def reader(engine: Engine, db_url: str) -> Iterator[Engine]:
    """The migrated database, read without the store's write lock (BEGIN IMMEDIATE): the test
    only watches, and must not queue behind the daemon's busy writers."""
    watching = sa.create_engine(db_url)
    yield watching
    watching.dispose()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_killed_20_times_while_acknowledging_each_case_is_acknowledged_and_notified_once(
    town_config: Config,
    engine: Engine,
    reader: Engine,
    db_url: str,
    tmp_path: Path,
    zygote: Zygote,
) -> None:
    log = tmp_path / "daemon.log"
    dice = random.Random(2026)
    # Given a town whose residents the town hall desk has enrolled and verified
    with running_town(town_config, speed=SPEED, rate_per_hour=RATE_PER_HOUR) as (emulator, town):
        wait_until(lambda: bool(town.residents), 30, "the town's residents")
        enrol_everyone(engine, town, emulator)
        argv = daemon_argv(emulator, db_url, tmp_path, "--backfill")
        env = daemon_env(emulator)
        # When the daemon is killed with SIGKILL 20 times, each a random instant after it
        # started sending acknowledgements or notifications, and restarted each time
        busy = 0
        for _ in range(KILLS):
            pid = zygote.spawn(argv, env, log)
            wait_until(lambda: lock_holder(reader) == pid, 60, "the daemon to start")  # noqa: B023
            sent_before = case_outbox(reader, OutboxStatus.SENT)
            wait_until(
                lambda: case_outbox(reader, OutboxStatus.SENT) > sent_before,  # noqa: B023
                30,
                "an acknowledgement or notification to go out",
            )
            time.sleep(dice.uniform(0.0, 0.5))  # the random instant of the kill
            busy += case_outbox(reader, OutboxStatus.PENDING, OutboxStatus.SENDING) > 0
            os.kill(pid, signal.SIGKILL)
            assert zygote.wait(pid) == -signal.SIGKILL
        # And then runs undisturbed until everything the town wrote so far has been handled
        written = {m.platform_id for m in town.sent}
        pid = zygote.spawn(argv, env, log)
        # (started first: a SIGTERM before its signal handlers are in place would kill it)
        wait_until(lambda: lock_holder(reader) == pid, 60, "the last daemon to start")
        wait_while_progressing(
            lambda: all_handled(reader, written),
            lambda: progress(reader, written),
            45,
            "every request handled and sent",
        )
        os.kill(pid, signal.SIGTERM)
        code = zygote.wait(pid)
        on_x = EngineOnX.of(emulator, town_config)
    # Then kills hit the daemon while it had acknowledgements or notifications to send (how many
    # depends on the machine's load; a few are enough for the checks below to mean something)
    assert busy >= 3, f"only {busy} of {KILLS} kills landed with case messages queued"
    # And every case of those requests has exactly one acknowledgement and one notification on X
    cases = cases_of(reader, written)
    assert len(cases) >= KILLS
    problems = [p for case, message in cases for p in on_x.problems(case, message, town_config)]
    assert problems == []
    # And no request opened two cases, and the last run stopped cleanly
    assert set(Counter(case.message_id for case in all_cases(reader)).values()) == {1}
    assert code == 0, log.read_text(errors="replace")[-3000:]


def enrol_everyone(engine: Engine, town: SimulatedTown, emulator: Emulator) -> None:
    """Enrol and verify every resident as the town hall desk does, in the database."""
    now = emulator.clock.now()
    with session_scope(engine) as session:
        for resident in town.residents:
            row = ResidentRow(
                name=resident.name, district="Centro", language=resident.language, enrolled_at=now
            )
            session.add(row)
            session.flush()
            bind(session, row, Identity(Channel.X, resident.user_id, resident.handle), now=now)


def case_outbox(engine: Engine, *statuses: OutboxStatus) -> int:
    """How many of the case desk's outbox items are in one of `statuses`."""
    with Session(engine) as session:
        rows = session.exec(
            select(OutboxRow.id).where(
                col(OutboxRow.case_id).is_not(None), col(OutboxRow.status).in_(statuses)
            )
        ).all()
    return len(rows)


def progress(engine: Engine, platform_ids: set[str]) -> tuple[int, int]:
    """How many of these messages are processed, and how many case messages went out."""
    with Session(engine) as session:
        processed = session.exec(
            select(InboundMessageRow.id).where(
                col(InboundMessageRow.platform_id).in_(platform_ids),
                col(InboundMessageRow.status) != MessageStatus.NEW,
            )
        ).all()
    return len(processed), case_outbox(engine, OutboxStatus.SENT, OutboxStatus.ABANDONED)


def all_handled(engine: Engine, platform_ids: set[str]) -> bool:
    """Every one of these messages processed, and all their cases have to say is said."""
    with Session(engine) as session:
        statuses = session.exec(
            select(InboundMessageRow.status).where(
                col(InboundMessageRow.platform_id).in_(platform_ids)
            )
        ).all()
        waiting = session.exec(
            select(OutboxRow.id)
            .join(CaseRow, col(OutboxRow.case_id) == col(CaseRow.id))
            .join(InboundMessageRow, col(CaseRow.message_id) == col(InboundMessageRow.id))
            .where(
                col(InboundMessageRow.platform_id).in_(platform_ids),
                col(OutboxRow.status).not_in([OutboxStatus.SENT, OutboxStatus.ABANDONED]),
            )
        ).all()
    processed = len(statuses) == len(platform_ids) and MessageStatus.NEW not in statuses
    return processed and not waiting


def cases_of(engine: Engine, platform_ids: set[str]) -> list[tuple[CaseRow, InboundMessageRow]]:
    """The cases opened for these messages, each with its message."""
    with Session(engine) as session:
        rows = session.exec(
            select(CaseRow, InboundMessageRow)
            .join(InboundMessageRow, col(CaseRow.message_id) == col(InboundMessageRow.id))
            .where(col(InboundMessageRow.platform_id).in_(platform_ids))
        ).all()
    return [(case, message) for case, message in rows]


def all_cases(engine: Engine) -> list[CaseRow]:
    with Session(engine) as session:
        return list(session.exec(select(CaseRow)).all())


class EngineOnX:
    """What the engine's accounts posted and sent through the API, read from the emulator."""

    def __init__(self, posts: list[Post], dms: list[DmEvent]) -> None:
        self.posts = posts
        self.dms = dms

    @classmethod
    def of(cls, emulator: Emulator, config: Config) -> EngineOnX:
        own = [account.user_id for account in config.accounts.values()]
        state = emulator.state
        posts = [p for user in own for p in state.posts_by(user) if p.via_api]
        dms = [e for user in own for e in state.dms_sent_by(user) if e.via_api]
        return cls(posts, dms)

    def replies_to(self, post_id: str) -> list[Post]:
        return [p for p in self.posts if p.in_reply_to_id == post_id]

    def notifications(self, sender: str, recipient: str, reference: str) -> list[DmEvent]:
        """DMs announcing the case: its reference on the first line ("Nuevo caso REF · ...");
        digests list references on later lines, escalations write "REF (...)"."""
        return [
            e
            for e in self.dms
            if e.sender_id == sender
            and e.recipient_id == recipient
            and f"{reference} ·" in e.text.partition("\n")[0]
        ]

    def problems(self, case: CaseRow, message: InboundMessageRow, config: Config) -> list[str]:
        """What is wrong with this case's acknowledgement and notification on X (nothing: [])."""
        ref = case.reference
        replies = self.replies_to(message.platform_id)
        ack_dms = [e for e in self.dms if e.recipient_id == message.author_id and ref in e.text]
        if message.kind is MessageKind.DM:
            wanted = {"public replies": (len(replies), 0), "acknowledgement DMs": (len(ack_dms), 1)}
        else:
            private = int(case.privacy is Privacy.PRIVATE)
            wanted = {
                "public replies": (len(replies), 1),
                "acknowledgement DMs": (len(ack_dms), private),
            }
        recipient = notification_recipient(config, case.department)
        if recipient is not None:
            notes = self.notifications(town_id(config), recipient, ref)
            by_dm = config.departments[case.department].notify_by_dm
            wanted["notifications"] = (len(notes), int(by_dm))
        return [
            f"{ref} ({message.kind.value}, {case.department}): {n} {what}, wanted {want}"
            for what, (n, want) in wanted.items()
            if n != want
        ]
