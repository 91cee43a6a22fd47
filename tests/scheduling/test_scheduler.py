"""The APScheduler wrapper: started from an empty job store, it ticks in the background on the
clock it is given, and stops cleanly."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import select

from jun_engine.config.schema import Config
from jun_engine.domain.statuses import MenuStatus
from jun_engine.emulator.clock import Clock
from jun_engine.scheduling.menu_checks import CheckedMenus, MenuDay
from jun_engine.scheduling.menus import import_menus
from jun_engine.scheduling.scheduler import Scheduler
from jun_engine.store.session import session_scope
from jun_engine.store.tables import SchoolMenuRow
from tests.scheduling.conftest import MONDAY, MONDAY_0900


def _menu_status(engine: Engine) -> MenuStatus:
    with session_scope(engine) as session:
        return MenuStatus(session.exec(select(SchoolMenuRow.status)).one())


def _wait_for(check: Callable[[], bool], seconds: float = 10.0) -> bool:
    """Wait until `check()` holds (a condition, not a fixed sleep); False after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        threading.Event().wait(0.02)
    return False


def test_the_background_tick_queues_what_is_due_on_the_given_clock(
    engine: Engine, config: Config
) -> None:
    # Given today's menu, and a clock at 07:00 in Madrid (before the 08:00 posting time)
    with session_scope(engine) as session:
        day = MenuDay("ceip_jun", MONDAY, ("Sopa",), ())
        import_menus(session, CheckedMenus("ceip_jun", (day,), ()), source="a.csv", now=MONDAY_0900)
    clock = Clock.stepped(MONDAY_0900 - timedelta(hours=3))
    scheduler = Scheduler(engine, config, clock, tick_seconds=0.05)
    scheduler.start()
    try:
        # When ticks run: nothing is due yet
        assert _wait_for(lambda: _menu_status(engine) is MenuStatus.SCHEDULED)
        # Then once the clock passes 08:00 in Madrid, a tick queues the menu
        clock.step(timedelta(hours=3))
        scheduler.wake()
        assert _wait_for(lambda: _menu_status(engine) is MenuStatus.QUEUED)
    finally:
        scheduler.shutdown()


def test_run_returns_when_stopped(engine: Engine, config: Config) -> None:
    stop = threading.Event()
    scheduler = Scheduler(engine, config, Clock.stepped(MONDAY_0900), tick_seconds=0.05)
    runner = threading.Thread(target=scheduler.run, args=(stop,))
    runner.start()
    stop.set()
    runner.join(timeout=60)
    assert not runner.is_alive()
