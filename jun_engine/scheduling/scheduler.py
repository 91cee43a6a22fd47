"""The one module that uses APScheduler (3.x): a background scheduler whose only job is the tick.

The database is the source of truth, not APScheduler: schedules live in `school_menu` and
`scheduled_item`, and the job store is an in-memory one rebuilt at every start. The job is a
module-level function given plain arguments (python-telegram-bot's JobQueue pattern). APScheduler
only says *when to look*, on the wall clock; *what is due* is computed from the database with the
daemon's `Clock`, which may follow an emulator running sixty times faster. So correctness never
depends on APScheduler's notion of time, and a restart catches up by the misfire policy.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.engine import Engine

from jun_engine.clock import Clock
from jun_engine.config.schema import Config
from jun_engine.scheduling.air_watch import AirQualityWatch
from jun_engine.scheduling.tick import TickReport, run_tick
from jun_engine.service.outage import Gate, OutageWatch
from jun_engine.store.errors import DatabaseError

log = logging.getLogger(__name__)

TICK_SECONDS = 5.0
"""Real seconds between two ticks: a post is at most this late (times the clock's speed)."""
TICK_JOB = "tick"

APSCHEDULER_LOG = "apscheduler.scheduler"


class _BusyTickFilter(logging.Filter):
    """Drops APScheduler's warning that a tick was skipped because the last is still running.

    A tick waiting on a locked or unreachable database outlasts the interval, and APScheduler
    would warn at every skipped run: a line every few seconds through an outage, which the
    `OutageWatch` already reports once. Skipping is what a busy tick should do (coalescing).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return "maximum number of running instances reached" not in record.getMessage()


Desk = Callable[[Engine, Config, datetime], object]
"""Further periodic work run after each tick (the case desk's escalations, digests, reminders)."""


def tick_job(
    engine: Engine,
    config: Config,
    clock: Clock,
    air: AirQualityWatch | None,
    desk: Desk | None,
    gate: Gate | None = None,
) -> None:
    """The job APScheduler runs: one tick at the clock's now, then the desk's jobs; failures
    are logged, not raised. While the database is out (`gate` closed) ticks are skipped."""
    if gate is not None and gate.closed():
        return
    try:
        _tick(engine, config, clock, air, desk)
    except DatabaseError as error:  # the next open tick does it all again; nothing half-done
        if gate is None:
            raise
        gate.failed(error)
        return
    if gate is not None:
        gate.succeeded()


def _tick(
    engine: Engine, config: Config, clock: Clock, air: AirQualityWatch | None, desk: Desk | None
) -> None:
    try:
        run_tick(engine, config, clock.now(), air)
    except DatabaseError:
        raise
    except Exception:  # the next tick tries again; nothing was half-committed
        log.exception("scheduler tick failed; trying again at the next one")
    if desk is not None:
        desk(engine, config, clock.now())  # logs its own failures, job by job


class Scheduler:
    """Runs the tick every `tick_seconds` in a background thread until shut down."""

    def __init__(
        self,
        engine: Engine,
        config: Config,
        clock: Clock,
        *,
        air_client: httpx.Client | None = None,
        tick_seconds: float = TICK_SECONDS,
        desk: Desk | None = None,
        outage: OutageWatch | None = None,
    ) -> None:
        self._engine = engine
        self._config = config
        self._clock = clock
        self._air = AirQualityWatch(config, air_client) if air_client is not None else None
        self._tick_seconds = tick_seconds
        self._desk = desk
        self._gate = Gate(outage or OutageWatch(), "scheduler")
        self._scheduler: BackgroundScheduler | None = None
        self._busy_filter = _BusyTickFilter()

    def tick(self) -> TickReport:
        """Run one tick now, in the caller's thread (tests, `jun-engine notices` catch-up)."""
        return run_tick(self._engine, self._config, self._clock.now(), self._air)

    def start(self) -> None:
        """Build the job store afresh and start ticking (the first tick at once)."""
        scheduler = BackgroundScheduler(
            jobstores={"default": MemoryJobStore()},
            executors={"default": ThreadPoolExecutor(max_workers=1)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
            timezone=UTC,
        )
        scheduler.add_job(
            tick_job,
            IntervalTrigger(seconds=self._tick_seconds, timezone=UTC),
            args=[self._engine, self._config, self._clock, self._air, self._desk, self._gate],
            id=TICK_JOB,
            next_run_time=datetime.now(UTC),
        )
        logging.getLogger(APSCHEDULER_LOG).addFilter(self._busy_filter)
        scheduler.start()
        self._scheduler = scheduler
        log.info("scheduler started: a tick every %.1f s", self._tick_seconds)

    def wake(self) -> None:
        """Tick as soon as possible (after an alert was queued, say)."""
        if self._scheduler is not None:
            self._scheduler.modify_job(TICK_JOB, next_run_time=datetime.now(UTC))

    def shutdown(self, wait: bool = True) -> None:
        """Stop ticking; with `wait`, let a running tick finish first."""
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=wait)
            self._scheduler = None
            logging.getLogger(APSCHEDULER_LOG).removeFilter(self._busy_filter)
            log.info("scheduler stopped")

    def run(self, stop: threading.Event) -> None:
        """Tick until `stop` is set (the daemon's thread entry point)."""
        self.start()
        try:
            stop.wait()
        finally:
            self.shutdown()
