"""A simulated month on the emulator's clock: the daemon's scheduler and outbox sender are
stopped for random stretches, restarted from nothing but the database, and killed in the middle
of a tick; every scheduled post is made exactly once or skipped by the misfire policy, never twice.
"""

from __future__ import annotations

import random
from collections import Counter
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from jun_engine.channels.x.delivery import XDelivery, gateways_for
from jun_engine.channels.x.gateway import XGateway
from jun_engine.config.schema import Config
from jun_engine.domain.messages import Channel
from jun_engine.domain.statuses import MenuStatus, ScheduledStatus
from jun_engine.emulator.clock import Clock
from jun_engine.emulator.emulator import Emulator
from jun_engine.outbox.sender import OutboxSender
from jun_engine.scheduling.calendar import at_local_time, closed_reason, local_day
from jun_engine.scheduling.menu_checks import check_menus
from jun_engine.scheduling.menu_file import read_menu_file
from jun_engine.scheduling.menus import import_menus, queue_due_menus
from jun_engine.scheduling.notice_queue import queue_due_notices
from jun_engine.scheduling.notices import NoticeRequest, add_notice
from jun_engine.scheduling.recurrence import first_at_or_after, latest_due, parse_cron
from jun_engine.scheduling.scheduler import Scheduler
from jun_engine.store.session import session_scope
from jun_engine.store.tables import ScheduledItemRow, SchoolMenuRow

STEP = timedelta(minutes=30)
DAYS = 30
SEED = 20260302


class CrashError(Exception):
    """The process died in the middle of a tick."""


@dataclass
class Daemon:
    """The scheduler and the sender as one process would hold them: rebuilt at every start."""

    engine: Engine
    config: Config
    clock: Clock
    gateways: dict[str, XGateway]
    scheduler: Scheduler = field(init=False)
    sender: OutboxSender = field(init=False)

    def __post_init__(self) -> None:
        self.restart()

    def restart(self) -> None:
        self.scheduler = Scheduler(self.engine, self.config, self.clock)
        x = XDelivery(self.engine, self.gateways, self.config, self.clock)
        self.sender = OutboxSender(self.engine, {Channel.X: x}, self.clock)

    def crash_mid_tick(self) -> None:
        """Decide and queue everything due, then die before the transaction commits."""
        now = self.clock.now()
        with suppress(CrashError), session_scope(self.engine) as session:
            queue_due_menus(session, self.config, now)
            queue_due_notices(session, self.config, now)
            raise CrashError

    def work(self) -> None:
        self.scheduler.tick()
        self.sender.drain_once()


def month_of_menus(tmp_path: Path, config: Config, first: date) -> Path:
    lines = ["date,dishes,allergens"]
    for offset in range(DAYS):
        day = first + timedelta(days=offset)
        if closed_reason(config, "ceip_jun", day) is None:
            lines.append(f"{day},Lentejas del día {offset}; Fruta,gluten; lácteos")
    path = tmp_path / "marzo.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def outages(rng: random.Random, start: datetime) -> list[tuple[datetime, datetime]]:
    """Eight stretches of 1 to 40 hours when the daemon is down."""
    spans = []
    for _ in range(8):
        begin = start + timedelta(hours=rng.uniform(0, DAYS * 24))
        spans.append((begin, begin + timedelta(hours=rng.uniform(1, 40))))
    return spans


@pytest.mark.slow
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_month_with_outages_and_crashes_posts_everything_once_or_skips_it(
    x_emulator: Emulator, x_emulator_config: Config, engine: Engine, tmp_path: Path
) -> None:
    config = x_emulator_config.model_copy(
        update={"air_quality": x_emulator_config.air_quality.model_copy(update={"enabled": False})}
    )
    clock = x_emulator.clock
    start = clock.now()
    first_day = local_day(config, start)
    rng = random.Random(SEED)
    down = outages(rng, start)
    # Given a month of menus, a notice three evenings a week, and one-off notices
    with session_scope(engine) as session:
        checked = check_menus(
            read_menu_file(month_of_menus(tmp_path, config, first_day)),
            config,
            school=None,
            today=first_day,
        )
        import_menus(session, checked, source="marzo.csv", now=start)
        recurring = add_notice(
            session,
            config,
            NoticeRequest("Mañana pasa el camión de enseres", cron="0 20 * * mon,wed,fri"),
            start,
        )
        one_offs = [
            add_notice(
                session,
                config,
                NoticeRequest(
                    f"Pleno municipal número {n}",
                    at=start + timedelta(days=n * 3, hours=1),
                    until=start + timedelta(days=n * 3, hours=7),
                ),
                start,
            )
            for n in range(1, 10)
        ]
    gateways = gateways_for(config, x_emulator.credentials_env(), x_emulator.base_url)
    daemon = Daemon(engine, config, clock, gateways)
    ticks_up: list[datetime] = []
    # When the month runs, with the daemon down now and then, restarted, and killed mid-tick
    try:
        while clock.now() < start + timedelta(days=DAYS):
            now = clock.now()
            if any(begin <= now < end for begin, end in down):
                if rng.random() < 0.1:
                    daemon.restart()  # it comes back as a new process, memory empty
            else:
                if rng.random() < 0.05:
                    daemon.crash_mid_tick()
                    daemon.restart()
                daemon.work()
                ticks_up.append(now)
            x_emulator.step(STEP.total_seconds())
        for _ in range(3):  # the last sends go out
            daemon.work()
    finally:
        for gateway in gateways.values():
            gateway.close()
    posts = x_emulator.sink.posts_by(config.town_account().user_id, start)
    posts += x_emulator.sink.posts_by(config.accounts["school"].user_id, start)
    texts = Counter(post.text for post in posts)
    # Then nothing was posted twice
    assert [text for text, count in texts.items() if count > 1] == []
    # And every menu was posted on its day if the daemon was up after its time that day,
    # and skipped otherwise
    with session_scope(engine) as session:
        menus = session.exec(select(SchoolMenuRow)).all()
        notices = {row.id: row for row in session.exec(select(ScheduledItemRow))}
    menu_days = Counter(
        local_day(config, post.created_at) for post in posts if post.text.startswith("Menú")
    )
    for menu in menus:
        window_start = at_local_time(config, menu.day, "08:00")
        window_end = at_local_time(config, menu.day + timedelta(days=1), "00:00")
        was_up = any(window_start <= tick < window_end for tick in ticks_up)
        assert menu.status is (MenuStatus.QUEUED if was_up else MenuStatus.SKIPPED), menu.day
        assert menu_days[menu.day] == (1 if was_up else 0), menu.day
    statuses = Counter(menu.status for menu in menus)
    assert statuses[MenuStatus.QUEUED] >= 10  # the month really ran...
    assert statuses[MenuStatus.SKIPPED] >= 1  # ...and the outages really cost some days
    # And each one-off notice was posted (late, within its validity) or skipped, never both
    for notice_id in one_offs:
        row = notices[notice_id]
        assert row.valid_until is not None
        was_up = any(row.run_at <= tick <= row.valid_until for tick in ticks_up)
        assert row.status is (ScheduledStatus.DONE if was_up else ScheduledStatus.SKIPPED)
        assert texts[row.text] == (1 if was_up else 0)
    # And the recurring notice posted each occurrence the daemon was up for, and after an
    # outage only the latest missed one: one catch-up, never a burst
    trigger = parse_cron("0 20 * * mon,wed,fri", config.town.timezone)
    first = first_at_or_after(trigger, start)
    assert first is not None
    expected = {latest_due(trigger, first, tick)[0] for tick in ticks_up if tick >= first}
    rubbish = [p for p in posts if p.text.startswith("Mañana pasa")]
    assert len(rubbish) == len(expected) >= 8
    assert notices[recurring].status is ScheduledStatus.SCHEDULED
