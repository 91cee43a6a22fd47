"""Setting the demo up and taking it down: the emulator with its seeded town on a free port, a
fresh SQLite database upgraded to head, residents verified through the real flow, the school's
menus and notices scheduled, and the real `Daemon` running in this process on the emulator's time.

    DemoRun.start()  emulator + town people -> database -> enrol + code DMs -> schedule
                     -> daemon started -> the town starts writing
    quiet()          the town stops writing (the grace period before the end)
    drained()        everything the town wrote is stored, processed, and answered
    stop()           the daemon stops in its own order; then the emulator
"""

from __future__ import annotations

import logging
import math
import socket
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from jun_engine.channels.line.runtime import line_runtime
from jun_engine.channels.ports import ChannelRuntime
from jun_engine.channels.x.runtime import x_runtime
from jun_engine.config.schema import Config
from jun_engine.daemon import Daemon
from jun_engine.demo.line_side import LineSide
from jun_engine.demo.schedule import seed_schedule
from jun_engine.demo.town import (
    CodeDm,
    GatedTown,
    populate,
    preverify_residents,
    verify_residents,
)
from jun_engine.domain.statuses import MessageStatus, OutboxStatus
from jun_engine.emulator.clock import Clock
from jun_engine.emulator.emulator import Emulator
from jun_engine.emulator.town import SimulatedTown
from jun_engine.service.summary import Summary
from jun_engine.store.engine import create_engine_from_url
from jun_engine.store.migrate import upgrade
from jun_engine.store.tables import InboundMessageRow, OutboxRow

log = logging.getLogger(__name__)

START = datetime(2026, 3, 2, 6, 30, tzinfo=UTC)
"""A Monday, 07:30 in Jun: the town wakes up, the school menu goes out at 08:00."""
DATABASE_FILE = "demo.sqlite3"
DAY_SECONDS = 86_400.0
LINE_RESIDENTS = 12
"""The town's residents on LINE (Thai speakers, as Hat Yai's people write)."""
DEFAULT_SEED = 1
"""A town whose verified residents write to every department within a 20-second run."""

MIN_SLEEP_SECONDS = 0.5
"""The shortest real wait of the daemon's sleeps on the emulator's clock. At a day a minute a poll
interval of five emulated seconds is three real milliseconds; a dozen pollers doing that would
spend the machine on empty polls. At speed 1440 it is under five emulated minutes: a busy machine
waking a thread late, as any machine may, and the daemon's rate-limit arithmetic is untouched."""


@dataclass(frozen=True, slots=True)
class DemoSettings:
    """How the demo runs: real seconds, town speed and seed, and how busy the town is."""

    duration: float = 60.0
    speed: float = 1440.0
    seed: int = DEFAULT_SEED
    rate_per_hour: float = 6.0
    """Requests an emulated hour the simulated town sends."""
    population: int = 40
    start: datetime = START
    line: bool = True
    """Run the town's LINE official account too (the LINE emulator's Thai residents)."""
    dm_share: float | None = None
    """The share of the town's messages sent by DM (None: the simulated town's own mix)."""
    preverified: bool = False
    """Residents verified before the run (as a real town's, days earlier) instead of DMing
    their codes at its start, which spends the town account's DMs on confirmations."""

    @property
    def quiet_seconds(self) -> float:
        """Real seconds before the end in which the town sends nothing, so the engine finishes
        what it has (a quarter of the run, 4 to 15 s)."""
        return min(max(self.duration / 4, 4.0), 15.0)

    @property
    def emulated_days(self) -> int:
        """Days of the town's time the demo covers (for the menus)."""
        return math.ceil(self.duration * self.speed / DAY_SECONDS) + 1


class DemoRun:
    """Everything the demo runs, started in order and stopped in the reverse order."""

    def __init__(self, config: Config, settings: DemoSettings, directory: Path) -> None:
        self.config = config
        self.settings = settings
        self.database = directory / DATABASE_FILE
        self.emulator = Emulator(
            config,
            seed=settings.seed,
            clock=Clock(settings.start, speed=settings.speed, min_sleep=MIN_SLEEP_SECONDS),
        )
        self.town = SimulatedTown(
            config,
            seed=settings.seed,
            rate_per_hour=settings.rate_per_hour,
            population=settings.population,
            dm_share=settings.dm_share,
        )
        self.gate = GatedTown(self.town)
        self.clock = self.emulator.clock
        self.line = (
            LineSide(
                self.clock,
                seed=settings.seed,
                rate_per_hour=settings.rate_per_hour,
                per_city=LINE_RESIDENTS,
            )
            if settings.line
            else None
        )
        self.code_dms: list[CodeDm] = []
        self.started_at = settings.start
        self._stack = ExitStack()
        self._engine: Engine | None = None
        self._daemon: Daemon | None = None
        self.daemon_summary: Summary | None = None

    # --- lifecycle -----------------------------------------------------------------------------

    def start(self) -> None:
        """Start every part; on any failure, stop what was started and re-raise."""
        with ExitStack() as undo:
            undo.callback(self.close)
            self.emulator.start()
            self._stack.callback(self.emulator.stop)
            channels = self._line_first()
            self.engine = self._database()
            self.started_at = self.clock.now()
            town_id = self.config.accounts[self.config.town.account].user_id
            residents = populate(self.town, self.emulator.sink)
            if self.settings.preverified:
                preverify_residents(self.engine, self.config, residents, self.clock.now(),
                                    seed=self.settings.seed)  # fmt: skip
            else:
                self.code_dms = verify_residents(
                    self.engine, self.config, residents, self.emulator.sink, town_id,
                    seed=self.settings.seed,
                )  # fmt: skip
            seed_schedule(self.engine, self.config, self.clock.now(), self.settings.emulated_days)
            x = x_runtime(self.config, self.emulator.credentials_env(), self.emulator.base_url)
            self._stack.callback(x.close)
            channels.insert(0, x)
            self._daemon = Daemon(self.config, self.engine, channels, self.clock, backfill=True)
            self._daemon.start()
            self.emulator.attach_town(self.gate)
            if self.line is not None:
                self.line.open(self.engine, self.config, self._webhook_url())
            undo.pop_all()
        log.info("demo started: town at %s, speed %g", self.started_at, self.settings.speed)

    def quiet(self) -> None:
        """The town stops writing; what it wrote is still served."""
        if self.line is not None:
            self.line.close_gate()
        if not self.gate.closed:
            self.gate.close()
            log.info("the town is quiet now: the engine finishes what it has")

    def stop(self) -> Summary | None:
        """Stop the daemon in its order (pollers, processor, sender); its summary."""
        daemon, self._daemon = self._daemon, None
        if daemon is not None:
            self.daemon_summary = daemon.stop()
        return self.daemon_summary

    def close(self) -> None:
        """Stop everything still running, the daemon first, the emulator last."""
        self.stop()
        self._stack.close()

    def __enter__(self) -> DemoRun:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- state ---------------------------------------------------------------------------------

    @property
    def engine(self) -> Engine:
        """The demo's database engine (after start)."""
        if self._engine is None:
            raise RuntimeError("the demo has not started")
        return self._engine

    @engine.setter
    def engine(self, value: Engine) -> None:
        self._engine = value

    @property
    def running(self) -> bool:
        """Whether the daemon is running."""
        return self._daemon is not None

    def handle_of(self, user_id: str) -> str | None:
        """The handle X shows for a user id (the emulator knows everyone in the town)."""
        user = self.emulator.state.find_user(user_id)
        return None if user is None else user.username

    def drained(self) -> bool:
        """Whether everything written to the town's accounts is stored, processed, and every
        reply due has left the outbox."""
        wanted = {m.platform_id for m in self.town.sent} | {d.platform_id for d in self.code_dms}
        due = sa.or_(
            col(OutboxRow.not_before).is_(None), col(OutboxRow.not_before) <= self.clock.now()
        )
        unsent = col(OutboxRow.status).in_([OutboxStatus.PENDING, OutboxStatus.SENDING])
        with Session(self.engine) as session:
            stored = set(session.exec(select(InboundMessageRow.platform_id)).all())
            new = _count(
                session, InboundMessageRow, col(InboundMessageRow.status) == MessageStatus.NEW
            )
            waiting = _count(session, OutboxRow, sa.and_(unsent, due))
            line = self.line is None or self.line.drained(session)
        return wanted <= stored and new == 0 and waiting == 0 and line

    # --- parts ---------------------------------------------------------------------------------

    def _line_first(self) -> list[ChannelRuntime]:
        """Serve the LINE emulator and point accounts.yaml's `line` section at it (the webhook
        on a free port); LINE's runtime, or none when the demo runs X alone."""
        if self.line is None:
            return []
        url = self.line.start()
        self._stack.callback(self.line.stop)
        self.config = self.line.configured(self.config, _free_port())
        runtime = line_runtime(
            self.config, self.line.environment(), url, config_dir=self.database.parent
        )
        if runtime is None:  # cannot happen: the section was just written
            return []
        self._stack.callback(runtime.close)
        return [runtime]

    def _webhook_url(self) -> str:
        settings = self.config.line
        assert settings is not None
        path = next(iter(settings.accounts.values())).webhook_path
        return f"http://{settings.webhook.host}:{settings.webhook.port}{path}"

    def _database(self) -> Engine:
        url = f"sqlite:///{self.database}"
        upgrade(url)
        engine = create_engine_from_url(url)
        self._stack.callback(engine.dispose)
        return engine


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _count(session: Session, table: type, condition: sa.ColumnElement[bool]) -> int:
    statement = sa.select(sa.func.count()).select_from(table).where(condition)
    return int(session.execute(statement).scalar_one())
