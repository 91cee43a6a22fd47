"""A real `jun-engine run` killed with SIGKILL at random instants over weeks of the emulator's
time: every menu and notice occurrence is posted exactly once or skipped by the misfire policy,
never twice, judged from what the emulator says each account posted.

The daemon ticks every 5 real seconds (APScheduler's wall clock) and reads *what is due* from the
emulator's clock, which runs SPEED times faster; a restart ticks at once. While the daemon is
dead the test sometimes jumps the emulator's clock a day or more ahead: a long outage, which the
misfire policy must absorb (skip the days that passed, post a still-valid notice late, post only
the latest missed occurrence of a recurring one).

Nothing is judged by how fast the machine is: each daemon starts with the emulator's clock
standing still, and the clock runs again only once that daemon has surely ticked (a probe notice
due at that instant was decided). Those instants are the evidence of when the daemon worked;
times are judged on the engine's own clock (when it decided, when it began sending).
"""

from __future__ import annotations

import os
import random
import signal
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from jun_engine.config.loading import load_config
from jun_engine.config.schema import Config
from jun_engine.domain.statuses import MenuStatus, OutboxStatus, ScheduledStatus
from jun_engine.emulator.clock import Clock
from jun_engine.emulator.emulator import Emulator
from jun_engine.emulator.town_api import PostView
from jun_engine.scheduling.calendar import at_local_time, closed_reason, local_day, zone
from jun_engine.scheduling.menu_checks import check_menus
from jun_engine.scheduling.menu_file import read_menu_file
from jun_engine.scheduling.menus import import_menus, menu_key
from jun_engine.scheduling.notices import NoticeRequest, add_notice
from jun_engine.scheduling.recurrence import first_at_or_after, parse_cron
from jun_engine.scheduling.texts import spanish_date
from jun_engine.store.session import session_scope
from jun_engine.store.tables import (
    OutboxAttemptRow,
    OutboxRow,
    ScheduledItemRow,
    SchoolMenuRow,
)
from tests.daemon.harness import (
    START,
    Zygote,
    daemon_argv,
    daemon_env,
    lock_holder,
    roomy_config,
    wait_until,
)

pytestmark = pytest.mark.slow

SPEED = 7200.0
"""Two emulated hours per real second: a tick every 10 emulated hours while the daemon is up."""
KILLS = 10
DAYS = 21
"""Menus and notices are set up for three weeks; the run covers about two of them."""
PROBE_VALIDITY = timedelta(days=60)
RECURRING = "0 20 * * *"
SEED = 7_2026


@dataclass(frozen=True, slots=True)
class Uptime:
    """When, on the emulator's clock, one daemon process surely held the database."""

    start: datetime
    end: datetime

    def overlap(self, begin: datetime, end: datetime) -> timedelta:
        return max(min(self.end, end) - max(self.start, begin), timedelta(0))


@pytest.fixture
def zygote() -> Iterator[Zygote]:
    forks = Zygote()
    yield forks
    forks.close()


def surely_ticked(uptimes: list[Uptime], begin: datetime, end: datetime) -> bool:
    """Whether a daemon surely ticked inside [begin, end): one of them started there."""
    return any(begin <= up.start < end for up in uptimes)


def menu_file(directory: Path, config: Config, first: date) -> Path:
    lines = ["date,dishes,allergens"]
    for offset in range(DAYS):
        day = first + timedelta(days=offset)
        if closed_reason(config, "ceip_jun", day) is None:
            lines.append(f"{day},Potaje del día {offset}; Fruta,gluten")
    path = directory / "menus.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def schedule_everything(engine: Engine, config: Config, directory: Path) -> list[int]:
    """Three weeks of menus, a nightly recurring notice, and a one-off notice every 40 hours
    valid for 8; returns the one-offs' ids."""
    first = local_day(config, START)
    with session_scope(engine) as session:
        menus = read_menu_file(menu_file(directory, config, first))
        checked = check_menus(menus, config, school=None, today=first)
        import_menus(session, checked, source="menus.csv", now=START)
        add_notice(session, config, NoticeRequest("Recogida de enseres", cron=RECURRING), START)
        return [
            add_notice(
                session,
                config,
                NoticeRequest(
                    f"Aviso número {n}",
                    at=START + timedelta(hours=40 * n),
                    until=START + timedelta(hours=40 * n + 8),
                ),
                START,
            )
            for n in range(1, DAYS * 24 // 40)
        ]


@dataclass(frozen=True, slots=True)
class Run:
    """What every start of the daemon needs."""

    emulator: Emulator
    engine: Engine
    config: Config
    zygote: Zygote
    argv: list[str]
    log: Path


def start_ticked(run: Run, number: int) -> tuple[int, datetime]:
    """Start a daemon while the emulator's clock stands still; once it has surely ticked (its
    probe notice, due at that instant, was decided), let the clock run: (pid, that instant)."""
    clock = run.emulator.clock
    clock.set_speed(0.0)
    now = clock.now()
    with session_scope(run.engine) as session:
        due = now.replace(microsecond=0)  # the emulator tells its time to the millisecond
        probe = NoticeRequest(f"Sonda de arranque {number}", at=due, until=due + PROBE_VALIDITY)
        probe_id = add_notice(session, run.config, probe, now)
    pid = run.zygote.spawn(run.argv, daemon_env(run.emulator), run.log)
    wait_until(lambda: lock_holder(run.engine) == pid, 120, "the daemon to start")
    wait_until(lambda: decided(run.engine, probe_id), 120, "the daemon's first tick")
    clock.set_speed(SPEED)
    return pid, now


def decided(engine: Engine, notice_id: int) -> bool:
    with Session(engine) as session:
        row = session.get(ScheduledItemRow, notice_id)
        return row is not None and row.status is not ScheduledStatus.SCHEDULED


def kill_at_random(run: Run) -> list[Uptime]:
    """Start, kill -9 at a random instant, restart (a third of the time after a long outage)."""
    dice = random.Random(SEED)
    uptimes = []
    for number in range(KILLS):
        pid, began = start_ticked(run, number)
        time.sleep(dice.uniform(0.5, 4.0))  # the random instant of the kill
        os.kill(pid, signal.SIGKILL)
        uptimes.append(Uptime(began, run.emulator.clock.now()))
        assert run.zygote.wait(pid) == -signal.SIGKILL
        if dice.random() < 1 / 3:
            run.emulator.clock.step(timedelta(hours=dice.uniform(20, 60)))
    return uptimes


def settled(engine: Engine) -> bool:
    """Whether every queued post has been sent (or given up on)."""
    busy = (OutboxStatus.PENDING, OutboxStatus.SENDING, OutboxStatus.FAILED)
    with Session(engine) as session:
        return (
            session.exec(select(OutboxRow.id).where(col(OutboxRow.status).in_(busy))).first()
            is None
        )


def last_run(run: Run) -> Uptime:
    """An undisturbed run until the outbox is empty, stopped with SIGTERM."""
    pid, began = start_ticked(run, KILLS)
    wait_until(lambda: settled(run.engine), 120, "every queued post sent")
    end = run.emulator.clock.now()
    os.kill(pid, signal.SIGTERM)
    assert run.zygote.wait(pid) == 0, run.log.read_text(errors="replace")[-3000:]
    return Uptime(began, end)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_daemon_killed_10_times_posts_every_occurrence_once_or_skips_it(
    engine: Engine, db_url: str, tmp_path: Path, zygote: Zygote
) -> None:
    config = load_config(roomy_config(tmp_path)).config
    log = tmp_path / "daemon.log"
    emulator = Emulator(config, seed=SEED, clock=Clock(START, speed=SPEED))
    # Given three weeks of menus, a nightly notice and one-off notices, stored before the start
    one_offs = schedule_everything(engine, config, tmp_path)
    with emulator:
        run = Run(emulator, engine, config, zygote, daemon_argv(emulator, db_url, tmp_path), log)
        # When the daemon is killed with SIGKILL 10 times, some restarts after a long outage
        uptimes = kill_at_random(run)
        # And a last run sends whatever was queued
        uptimes.append(last_run(run))
        end = emulator.clock.now()
        town = config.town_account().user_id
        school = config.accounts[config.schools["ceip_jun"].account].user_id
        posts = emulator.sink.posts_by(town, START) + emulator.sink.posts_by(school, START)
    texts = Counter(post.text for post in posts)
    # Then nothing was posted twice, and the run spanned more than a week of outages and work
    assert [text for text, count in texts.items() if count > 1] == []
    assert end - START > timedelta(days=7)
    with Session(engine) as session:
        menus = list(session.exec(select(SchoolMenuRow)))
        notices = {row.id: row for row in session.exec(select(ScheduledItemRow))}
        outbox = {row.idempotency_key: row for row in session.exec(select(OutboxRow))}
        attempts: dict[int, list[datetime]] = {}
        for attempt in session.exec(select(OutboxAttemptRow)):
            attempts.setdefault(attempt.outbox_id, []).append(attempt.started_at)
    check_menus_posted(config, menus, posts, uptimes, end, outbox, attempts)
    check_one_offs(config, [notices[n] for n in one_offs], texts, uptimes, end, outbox)
    check_recurring(config, texts, uptimes, end)


def check_menus_posted(
    config: Config,
    menus: list[SchoolMenuRow],
    posts: list[PostView],
    uptimes: list[Uptime],
    end: datetime,
    outbox: dict[str, OutboxRow],
    attempts: dict[int, list[datetime]],
) -> None:
    """Each menu day: queued on its day after its time and sent once, every attempt begun on its
    day (the engine's clock), or expired unposted (killed after queueing it, back only after its
    day), or skipped once its day passed (never when the daemon surely ticked during its day)."""
    statuses = Counter(menu.status for menu in menus)
    for menu in menus:
        opens = at_local_time(config, menu.day, config.schools[menu.school].menu_time)
        closes = at_local_time(config, menu.day + timedelta(days=1), "00:00")
        made = [post.created_at for post in posts if post.text.startswith(menu_heading(menu))]
        if menu.status is MenuStatus.SCHEDULED:
            assert closes > end, menu.day
            assert made == [], menu.day
            continue
        decided = menu.decided_at
        assert decided is not None
        if menu.status is MenuStatus.QUEUED:
            assert opens <= decided < closes, (menu.day, decided)
            item = outbox[menu_key(menu.school, menu.day)]
            if item.status is OutboxStatus.ABANDONED:  # its day ended before it could go out
                assert (item.failure, made) == ("expired", []), menu.day
            else:
                # The sender checked the clock just before its request (tests/outbox covers that
                # check); the post's own time on X adds the request's flight, which at SPEED
                # emulated seconds per real second on a loaded machine can cross midnight: the
                # moment is judged by what the engine knew, not by the machine's speed.
                assert len(made) == 1, menu.day
                assert item.sent_at is not None, menu.day
                assert item.id is not None
                assert all(opens <= at < closes for at in attempts[item.id]), menu.day
        else:
            assert menu.status is MenuStatus.SKIPPED, menu.day
            assert decided >= closes, (menu.day, decided)
            assert made == [], menu.day
            assert not surely_ticked(uptimes, opens, closes), menu.day
    assert statuses[MenuStatus.QUEUED] >= 3, statuses  # the daemon really worked...
    assert statuses[MenuStatus.SKIPPED] >= 1, statuses  # ...and the outages really cost days


def menu_heading(menu: SchoolMenuRow) -> str:
    return f"Menú del comedor de CEIP de Jun, {spanish_date(menu.day)}:"


def check_one_offs(
    config: Config,
    rows: list[ScheduledItemRow],
    texts: Counter[str],
    uptimes: list[Uptime],
    end: datetime,
    outbox: dict[str, OutboxRow],
) -> None:
    """Each one-off notice: posted once (late, within its validity), or queued but expired
    unposted, or skipped past it; never skipped when the daemon surely ticked while valid."""
    statuses = Counter(row.status for row in rows)
    for row in rows:
        assert row.valid_until is not None
        valid = surely_ticked(uptimes, row.run_at, row.valid_until)
        if row.status is ScheduledStatus.DONE:
            assert row.last_run_at is not None
            assert row.run_at <= row.last_run_at <= row.valid_until, row.text
            items = [r for k, r in outbox.items() if k.startswith(f"notice:{row.id}:")]
            expired = [r for r in items if r.failure == "expired"]
            assert texts[row.text] == (0 if expired else 1), row.text
        elif row.status is ScheduledStatus.SKIPPED:
            assert row.last_run_at is not None
            assert row.last_run_at > row.valid_until, row.text
            assert texts[row.text] == 0, row.text
            assert not valid, row.text
        else:
            assert row.status is ScheduledStatus.SCHEDULED, row.text
            assert texts[row.text] == 0, row.text
            assert not valid, row.text
            assert row.run_at > max(up.start for up in uptimes), row.text
    # something was decided (how much depends on when the kills fell on a loaded machine)
    assert statuses[ScheduledStatus.DONE] + statuses[ScheduledStatus.SKIPPED] >= 1, statuses


def check_recurring(
    config: Config, texts: Counter[str], uptimes: list[Uptime], end: datetime
) -> None:
    """The nightly notice: every occurrence the daemon surely ticked after (before the next one)
    is posted; one missed in an outage is never posted later, except as the latest due one."""
    trigger = parse_cron(RECURRING, config.town.timezone)
    occurrence = first_at_or_after(trigger, START)
    slack = timedelta(seconds=2.0 * SPEED)
    posted = missed = 0
    while occurrence is not None and occurrence < end:
        following = first_at_or_after(trigger, occurrence + timedelta(seconds=1))
        assert following is not None
        day = occurrence.astimezone(zone(config)).date()
        made = texts[f"Recogida de enseres\n({spanish_date(day)})"]
        if surely_ticked(uptimes, occurrence, following):
            assert made == 1, day
        if made:  # decided by a tick between this occurrence and the next: no late burst
            assert any(up.overlap(occurrence - slack, following + slack) for up in uptimes), day
        posted, missed = posted + made, missed + (1 - made)
        occurrence = following
    assert posted >= 2, (posted, missed)
    assert missed >= 1, (posted, missed)
