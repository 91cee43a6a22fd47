"""The demo's run loop: show the run until `--duration` ends (or Ctrl-C), let the town fall quiet
before the end so the engine finishes what it has, stop the daemon, and measure.

On a loaded machine the engine may not have finished when `--duration` ends: the run then goes
on, the town still quiet, until everything the town sent is stored, processed and answered, for
at most `FINISH_GRACE_SECONDS`, so that "lost" and "unacknowledged" mean that, not "slow"."""

from __future__ import annotations

import threading
import time
from datetime import datetime
from pathlib import Path

from jun_engine.demo.dashboard import REFRESH_PER_SECOND, Moment
from jun_engine.demo.feed import Feed
from jun_engine.demo.measure import Evidence, measure
from jun_engine.demo.orchestrate import DemoRun
from jun_engine.demo.record import XRecord
from jun_engine.demo.summary import DemoSummary
from jun_engine.demo.views import View, save_svg

TICK_SECONDS = 1 / REFRESH_PER_SECOND
INTERRUPTED_GRACE_SECONDS = 3.0
"""After Ctrl-C: how long the engine may finish what it has before it is stopped."""
FINISH_GRACE_SECONDS = 60.0
"""After `--duration`: how much longer (real seconds) a slow machine's engine may take to finish."""


def play(run: DemoRun, view: View, stop: threading.Event, svg: Path | None = None) -> DemoSummary:
    """Run the started demo to its end and return the judged summary (the daemon is stopped)."""
    settings = run.settings
    feed = Feed(run.engine, run.config, handles=run.handle_of)
    quiet_at = settings.duration - settings.quiet_seconds
    started = time.monotonic()
    try:
        while not stop.wait(TICK_SECONDS):
            elapsed = time.monotonic() - started
            moment = Moment(run.clock.now(), settings.speed, elapsed, settings.duration, quiet_at)
            feed.read(
                len(run.town.sent),
                run.emulator.ledger.total_usd(),
                codes=len(run.code_dms),
                staff_posted=len(run.town.staff_replies),
            )
            view.show(feed, moment)
            if elapsed >= quiet_at and not run.gate.closed:
                if svg is not None:
                    save_svg(feed, moment, run.config.town.name, svg)
                run.quiet()
            if elapsed >= settings.duration and _finished(run, elapsed - settings.duration):
                break
        interrupted = stop.is_set()
        if interrupted:
            _finish_quickly(run)
    finally:
        view.close()
    ended_at = run.clock.now()
    run.stop()
    return measure(run.engine, _evidence(run, time.monotonic() - started, interrupted, ended_at))


def _finished(run: DemoRun, overtime: float) -> bool:
    """Whether the run may stop: the engine has answered everything, or the grace is over."""
    return overtime >= FINISH_GRACE_SECONDS or run.drained()


def _finish_quickly(run: DemoRun) -> None:
    """Ctrl-C: the town falls quiet and the engine gets a moment to finish what it has."""
    run.quiet()
    deadline = time.monotonic() + INTERRUPTED_GRACE_SECONDS
    while time.monotonic() < deadline and not run.drained():
        time.sleep(TICK_SECONDS)  # a check interval between two looks at the database


def _evidence(run: DemoRun, real_seconds: float, interrupted: bool, ended_at: datetime) -> Evidence:
    settings = run.settings
    return Evidence(
        config=run.config,
        seed=settings.seed,
        speed=settings.speed,
        duration_s=real_seconds,
        quiet_s=settings.quiet_seconds,
        started_at=run.started_at,
        ended_at=ended_at,
        interrupted=interrupted,
        sent=run.town.sent,
        staff_replies=run.town.staff_replies,
        code_dm_ids=tuple(dm.platform_id for dm in run.code_dms),
        verified_residents=frozenset(dm.resident_id for dm in run.code_dms),
        record=XRecord.of(run.emulator, run.config),
        line=run.line,
    )
