"""The daemon: one poller thread per stream of every channel, the processing worker, the
scheduler, the outbox sender; wired, started, and stopped in order.

    each channel's pollers ──store──> inbound_message ──processor (pipeline.chain)──> outbox
      (X: mentions, DMs; department timelines ──> staff replies on cases)               │
    scheduler (menus, notices, alerts, air quality; the desk's escalations, digests) ──> outbox
    outbox ──sender──> each channel's Delivery;  every request: api_call, poll_checkpoint (health)

Each channel is a `ChannelRuntime` (`channels/ports.py`; X's is `channels/x/runtime.py`): the
daemon lends it a `Wiring`, runs its pollers, asks its upkeep from the heartbeat, sends through
its `Delivery` and closes it at stop.

`Daemon.start()` takes the database lock and starts the threads; `request_stop()` (the signal
handlers) asks them to end; `stop()` ends them in order and says what was done in one line.
`run_once()` does one sweep of every stream, processes and sends what is due, without threads:
for cron, and for tests that must never sleep.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import Session

from jun_engine.channels.ports import ChannelRuntime, PollLoop, Wiring
from jun_engine.clock import Clock
from jun_engine.config.schema import Config
from jun_engine.mail.delivery import ReportMailer
from jun_engine.mail.departments import DepartmentMailer
from jun_engine.outbox.sender import OutboxSender
from jun_engine.pipeline.chain import Chain
from jun_engine.pipeline.process import Processor, Stage, process_all
from jun_engine.places.districts import Districts
from jun_engine.routing.router import Router
from jun_engine.routing.setup import build_router
from jun_engine.scheduling.desk_jobs import DeskJobs, run_desk
from jun_engine.scheduling.scheduler import Scheduler
from jun_engine.service.outage import OutageWatch
from jun_engine.service.summary import Summary, last_message_id, summarise
from jun_engine.store.engine import database_errors
from jun_engine.store.errors import DatabaseError, StoreError
from jun_engine.store.lock import HEARTBEAT_SECONDS, DaemonLock, LockLostError

log = logging.getLogger(__name__)

Runnable = Callable[[], None]
JOIN_SECONDS = 12.0
"""How long shutdown waits for a thread's in-flight request (the read timeout is 10 s)."""


class Daemon:
    """The running engine for one town: built from the config, engine, channels and a clock."""

    def __init__(
        self,
        config: Config,
        engine: Engine,
        channels: Sequence[ChannelRuntime],
        clock: Clock,
        *,
        backfill: bool = False,
        stage: Stage | None = None,
        router: Router | None = None,
        send: bool = True,
        schedule: bool = True,
        air_client: httpx.Client | None = None,
        rng: random.Random | None = None,
        report_mailer: ReportMailer | None = None,
        department_mailer: DepartmentMailer | None = None,
        districts: Districts | None = None,
    ) -> None:
        self._config = config
        self._engine = engine
        self._clock = clock
        self._rng = rng or random.Random()  # noqa: S311 (jitter, not secrets)
        self._report_mailer = report_mailer
        self._department_mailer = department_mailer
        self.channels = list(channels)
        self.lock = DaemonLock(engine)
        self.lock_lost = False
        """Another daemon took the lock over: this one stopped (`jun-engine run` exits 4)."""
        self.outage = OutageWatch(rng=random.Random(self._rng.random()))  # noqa: S311 (jitter)
        chain = stage or Chain.build(
            config, router or build_router(config, Path.cwd()), districts=districts
        )
        self.processor = Processor(
            engine, clock, config, chain, self.outage, on_processed=self._wake_sender
        )
        self._wiring = Wiring(engine, clock, self.processor.wake, self.outage, self._rng, backfill)
        self.pollers: list[PollLoop] = [
            poller for channel in self.channels for poller in channel.pollers(self._wiring)
        ]
        self.sender = (
            OutboxSender(
                engine,
                {c.channel: c.delivery(self._wiring) for c in self.channels},
                clock,
                outage=self.outage,
                gates={c.channel: g for c in self.channels if (g := c.gate()) is not None},
            )
            if send
            else None
        )
        self.scheduler = (
            Scheduler(
                engine,
                config,
                clock,
                air_client=air_client,
                desk=DeskJobs(report_mailer, department_mailer),
                outage=self.outage,
            )
            if schedule
            else None
        )
        self._stop_pollers = threading.Event()
        self._stop_scheduler = threading.Event()
        self._stop_processor = threading.Event()
        self._stop_sender = threading.Event()
        self._stopping = threading.Event()
        self._threads: dict[str, list[threading.Thread]] = {}
        self._started = time.monotonic()
        self._started_at = clock.now()
        self._last_message_id = 0
        """Messages stored with greater ids were stored by this run (taken at start)."""

    # --- lifecycle -----------------------------------------------------------------------------

    def start(self) -> None:
        """Take the database lock (LockHeldError if another daemon has it), start every thread."""
        self.lock.acquire()
        self._started, self._started_at = time.monotonic(), self._clock.now()
        self._begin()
        self._spawn("heartbeat", [self._heartbeat])
        self._spawn("processor", [lambda: self.processor.run(self._stop_processor)])
        if self.scheduler is not None:
            scheduler = self.scheduler
            self._spawn("scheduler", [lambda: scheduler.run(self._stop_scheduler)])
        if self.sender is not None:
            sender = self.sender
            self._spawn("sender", [lambda: sender.run(self._stop_sender)])
        self._spawn("pollers", [self._poll_loop(p) for p in self.pollers])
        log.info(
            "daemon started: %d stream(s) polled, spend cap $%.2f a day",
            len(self.pollers),
            self._config.x.daily_spend_cap_usd,
        )

    def request_stop(self) -> None:
        """Ask the daemon to stop (signal handlers call this); `wait()` then returns."""
        self._stopping.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until a stop is requested; True if it was."""
        return self._stopping.wait(timeout)

    def stop(self) -> Summary:
        """Stop in order, each step letting in-flight work finish, and return the summary."""
        self._stopping.set()
        # 1. Pollers first: nothing new comes in; a sweep in flight stores its page and commits.
        self._stop_pollers.set()
        self._join("pollers")
        # 2. The scheduler lets a running tick commit: no new posts are queued after this.
        self._stop_scheduler.set()
        self._join("scheduler")
        # 3. The processor finishes the message in hand (one transaction) and stops.
        self._stop_processor.set()
        self.processor.wake()
        self._join("processor")
        # 4. The sender completes its in-flight request and records it (never half sent).
        self._stop_sender.set()
        self._join("sender")
        # 5. Only now give the database up to another daemon, and close the channels' sessions.
        self._join("heartbeat")
        for channel in self.channels:
            channel.close()
        try:
            self.lock.release()
        except StoreError as error:
            log.warning("could not release the database lock: %s", error)
        try:
            summary = self.summary()
        except DatabaseError as error:
            log.warning("stopped; the run's figures cannot be read: %s", error)
            return Summary({}, self.processor.processed, 0, self._uptime())
        log.info("%s", summary.text())
        return summary

    def run_once(self) -> Summary:
        """One sweep of every stream, then process and send what is due; no threads."""
        self.lock.acquire()
        self._started, self._started_at = time.monotonic(), self._clock.now()
        self._begin()
        try:
            for poller in self.pollers:
                poller.turn()
            self.processor.processed += process_all(
                self._engine, self._clock, self._config, self.processor.stage
            )
            if self.scheduler is not None:
                self.scheduler.tick()
                run_desk(
                    self._engine,
                    self._config,
                    self._clock.now(),
                    mailer=self._report_mailer,
                    department_mailer=self._department_mailer,
                )
            if self.sender is not None:
                self.sender.drain_once()
        finally:
            self.lock.release()
        summary = self.summary()
        log.info("%s", summary.text().replace("stopped", "one pass done", 1))
        return summary

    def summary(self) -> Summary:
        """What this run has done so far."""
        with database_errors(self._engine), Session(self._engine) as session:
            return summarise(
                session,
                [channel.channel for channel in self.channels],
                self._last_message_id,
                self._started_at,
                processed=self.processor.processed,
                uptime_seconds=self._uptime(),
            )

    def _wake_sender(self) -> None:
        """A message was processed: the answer it queued goes out now, not at the next look."""
        if self.sender is not None:
            self.sender.wake()

    def _uptime(self) -> float:
        return time.monotonic() - self._started

    def _begin(self) -> None:
        """What each channel does once, before any poller runs (X: its streams' baselines)."""
        try:
            with database_errors(self._engine), Session(self._engine) as session:
                self._last_message_id = last_message_id(session)
            for channel in self.channels:
                channel.begin(self._wiring, self._started_at)
        except BaseException:
            self.lock.release()
            raise

    # --- threads -------------------------------------------------------------------------------

    def _poll_loop(self, poller: PollLoop) -> Runnable:
        def loop() -> None:
            poller.run(self._stop_pollers)
            if poller.stopped:
                log.error("%s: stream stopped until restart; see `jun-engine status`", poller.ref)

        return loop

    def _heartbeat(self) -> None:
        while not self._stop_sender.wait(HEARTBEAT_SECONDS):
            try:
                self.lock.heartbeat()
                for channel in self.channels:
                    channel.housekeep(self._wiring, self._clock.now())
            except LockLostError as error:
                log.error("%s; stopping", error)
                self.lock_lost = True
                self.request_stop()
                return
            except DatabaseError as error:  # the outage's one ERROR line is the watch's
                self.outage.failed("heartbeat", error)
                continue
            except StoreError as error:
                log.warning("heartbeat failed: %s", error)
                continue
            self.outage.succeeded("heartbeat")

    def _spawn(self, group: str, targets: list[Runnable]) -> None:
        threads = [
            threading.Thread(target=target, name=f"jun-{group}-{n}", daemon=True)
            for n, target in enumerate(targets)
        ]
        self._threads[group] = threads
        for thread in threads:
            thread.start()

    def _join(self, group: str) -> None:
        deadline = time.monotonic() + JOIN_SECONDS
        for thread in self._threads.get(group, []):
            thread.join(max(deadline - time.monotonic(), 0.0))
            if thread.is_alive():
                log.warning(
                    "%s is still in a request; leaving it (nothing was committed)", thread.name
                )
