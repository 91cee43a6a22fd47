"""Self-service in the real daemon: `jun-engine run` as a process against the emulator, killed
with SIGKILL between and during a resident's messages, and public answers to two residents.

Each daemon is a separate process running the real `jun-engine run`; the kills are real SIGKILLs.
What the resident received is read from the emulator's own record of the DMs and posts, and what
was booked from the database, after the last daemon settled and stopped cleanly.
"""

from __future__ import annotations

import os
import random
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from jun_engine.config.schema import Config
from jun_engine.domain.statuses import AppointmentStatus, OutboxStatus
from jun_engine.emulator.emulator import Emulator
from tests.daemon.harness import (
    Zygote,
    daemon_argv,
    daemon_env,
    daemon_process,
    lock_holder,
    running_town,
    stop_daemon,
    wait_until,
)
from tests.selfservice.live import (
    Neighbour,
    appointments_of,
    daemon_starts,
    dm_the_town,
    dms_from_town,
    mention_the_town,
    messages_stored,
    offered,
    outbox_statuses,
    replies_to,
    settled,
    verified_neighbour,
)

pytestmark = pytest.mark.slow

SPEED = 60
"""Emulated seconds per real second: the DMs stream is polled every ~1.3 real seconds."""
ASK = "quiero cita con el médico"
OFFERS = "Próximas citas libres en Consultorio de Salud:"
CONFIRMED = "Cita confirmada en Consultorio de Salud: "
ROUNDS = 5
KILL_WITHIN = 0.3
"""Real seconds after the answer is stored within which the daemon is killed: its processing,
the confirmation queued, sent, and marked sent all happen in that time (or after the restart)."""


@pytest.fixture
def zygote() -> Iterator[Zygote]:
    forks = Zygote()
    yield forks
    forks.close()


def _offered_slots(emulator: Emulator, config: Config, who: Neighbour) -> bool:
    """Whether the town's account DMed the resident a list of free slots."""
    return any(text.startswith(OFFERS) for text in dms_from_town(emulator, config, who))


def _answered_for_good(engine: Engine, posts: list[str]) -> bool:
    """Whether every post has its answer queued and each is sent or given up on."""
    statuses = [outbox_statuses(engine, post) for post in posts]
    final = {OutboxStatus.SENT, OutboxStatus.ABANDONED}
    return all(queued and set(queued) <= final for queued in statuses)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_booking_dialogue_survives_sigkill_of_the_daemon_between_the_resident_s_messages(
    config: Config, engine: Engine, db_url: str, tmp_path: Path
) -> None:
    log = tmp_path / "daemon.log"
    with running_town(config, speed=SPEED, rate_per_hour=0) as (emulator, _town):
        lola = verified_neighbour(emulator, engine, "lola_jun")
        # Given a daemon that offered Lola the next free slots by DM
        with daemon_process(emulator, db_url, log, "--backfill") as first:
            dm_the_town(emulator, config, lola, ASK)
            wait_until(lambda: len(dms_from_town(emulator, config, lola)) == 1, 60, "the offers")
            # When the daemon is killed with SIGKILL
            first.send_signal(signal.SIGKILL)
            assert first.wait(timeout=30) == -signal.SIGKILL
        # And a new daemon starts, and Lola answers "2"
        with daemon_process(emulator, db_url, log) as second:
            wait_until(lambda: lock_holder(engine) == second.pid, 60, "the new daemon to start")
            dm_the_town(emulator, config, lola, "2")
            wait_until(lambda: len(dms_from_town(emulator, config, lola)) >= 2, 60, "an answer")
            wait_until(lambda: settled(engine, lola), 60, "everything sent")
            code = stop_daemon(second)
        dms = dms_from_town(emulator, config, lola)
    # Then the slot she picked is booked, and confirmed exactly once
    assert code == 0, log.read_text(errors="replace")[-3000:]
    assert len(dms) == 2, dms
    offers, confirmation = dms
    assert confirmation.startswith(CONFIRMED + offered(offers)[2])
    [appointment] = appointments_of(engine, lola)
    assert appointment.status is AppointmentStatus.BOOKED
    assert appointment.reference in confirmation


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_killed_at_random_after_the_answer_each_booking_is_confirmed_exactly_once(
    config: Config, engine: Engine, db_url: str, tmp_path: Path, zygote: Zygote
) -> None:
    log = tmp_path / "daemon.log"
    dice = random.Random(2026)
    neighbours: list[Neighbour] = []
    with running_town(config, speed=SPEED, rate_per_hour=0) as (emulator, _town):
        argv = daemon_argv(emulator, db_url, tmp_path, "--backfill")
        env = daemon_env(emulator)
        pid = zygote.spawn(argv, env, log)
        for number in range(ROUNDS):
            # Given a resident who was offered slots by DM
            who = verified_neighbour(emulator, engine, f"vecina{number}")
            neighbours.append(who)
            dm_the_town(emulator, config, who, ASK)
            wait_until(lambda: _offered_slots(emulator, config, who), 60, "the offers")  # noqa: B023
            # When she answers "2" and the daemon is killed at a random instant after it read it
            dm_the_town(emulator, config, who, "2")
            wait_until(lambda: messages_stored(engine, who) == 2, 60, "the answer")  # noqa: B023
            time.sleep(dice.uniform(0.0, KILL_WITHIN))  # the random instant of the kill
            os.kill(pid, signal.SIGKILL)
            assert zygote.wait(pid) == -signal.SIGKILL
            # And a new daemon starts
            pid = zygote.spawn(argv, env, log)
            wait_until(lambda: lock_holder(engine) == pid, 60, "the new daemon")  # noqa: B023
            wait_until(lambda: settled(engine, who), 60, "her answer handled")  # noqa: B023
        wait_until(lambda: daemon_starts(log) == ROUNDS + 1, 60, "the last daemon fully up")
        os.kill(pid, signal.SIGTERM)
        code = zygote.wait(pid)
        received = {n: dms_from_town(emulator, config, n) for n in neighbours}
    # Then each resident got one offer and one confirmation, and holds one appointment
    assert code == 0, log.read_text(errors="replace")[-3000:]
    slots = []
    for who, dms in received.items():
        assert len(dms) == 2, dms
        assert dms[1].startswith(CONFIRMED + offered(dms[0])[2]), dms
        [appointment] = appointments_of(engine, who)
        assert appointment.status is AppointmentStatus.BOOKED
        assert appointment.reference in dms[1]
        slots.append(appointment.slot_id)
    # And no slot was booked twice
    assert len(set(slots)) == ROUNDS


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_two_residents_asking_the_opening_hours_in_public_both_get_their_reply(
    config: Config, engine: Engine, db_url: str, tmp_path: Path
) -> None:
    log = tmp_path / "daemon.log"
    with running_town(config, speed=SPEED, rate_per_hour=0) as (emulator, _town):
        ana = verified_neighbour(emulator, engine, "ana_jun")
        blas = verified_neighbour(emulator, engine, "blas_jun")
        with daemon_process(emulator, db_url, log, "--backfill") as daemon:
            # Given two residents who ask the same question in public, one after the other
            asked = [
                mention_the_town(emulator, config, who, "¿A qué hora abre el consultorio?")
                for who in (ana, blas)
            ]
            # When the daemon has answered both, for good (sent, or refused by X)
            wait_until(lambda: _answered_for_good(engine, asked), 60, "both answers sent")
            code = stop_daemon(daemon)
        replies = [replies_to(emulator, config, post) for post in asked]
    # Then X took both answers: neither was refused as duplicate content
    assert code == 0, log.read_text(errors="replace")[-3000:]
    assert [outbox_statuses(engine, post) for post in asked] == [[OutboxStatus.SENT]] * 2
    # And each resident got one public reply with the opening hours, distinct from the other
    assert [len(r) for r in replies] == [1, 1], replies
    first, second = replies[0][0], replies[1][0]
    assert first.startswith("Horario de Consultorio de Salud: ")
    assert second.startswith("Horario de Consultorio de Salud: ")
    assert first != second
