"""What the `menus`, `notices` and `alert` commands share: the town, its database, its clock,
local times read from the command line, and refusals turned into one line and an exit code."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import typer
from sqlalchemy.engine import Engine

from jun_engine.cli import console
from jun_engine.cli.context import global_options
from jun_engine.cli.exit_codes import ExitCode
from jun_engine.clock import Clock, ClockError, FollowedClock, SystemClock
from jun_engine.config import ConfigError, load_config
from jun_engine.config.schema import Config
from jun_engine.outbox.errors import OutboxError
from jun_engine.scheduling.errors import InvalidNoticeError, SchedulingError
from jun_engine.store.engine import create_engine_from_url
from jun_engine.store.errors import DatabaseError, DatabaseUrlError, SchemaError, StoreError
from jun_engine.store.migrate import ensure_schema_current

BASE_URL_ENV = "JUN_X_BASE_URL"
"""When set (the daemon runs against an emulator), commands live on the emulator's clock too."""
TIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d")


@dataclass(frozen=True, slots=True)
class Desk:
    """The town's configuration, its database and the clock the daemon lives on."""

    config: Config
    engine: Engine
    clock: Clock

    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.config.town.timezone)

    def local(self, moment: datetime | None) -> str:
        """`2026-03-02 10:00` in the town's time (a table's caption names the zone)."""
        return console.local(moment, self.zone())


@contextmanager
def desk(ctx: typer.Context) -> Iterator[Desk]:
    """Load accounts.yaml and open the database (schema current), or exit 2 / 3 saying why."""
    options = global_options(ctx)
    try:
        config = load_config(options.config_path).config
    except ConfigError as exc:
        fail(ExitCode.USAGE, str(exc))
    except OSError as exc:
        fail(ExitCode.USAGE, f"cannot read {options.config_path}: {exc.strerror or exc}")
    try:
        engine = create_engine_from_url(options.db_url)
        ensure_schema_current(engine)
    except DatabaseUrlError as exc:
        fail(ExitCode.USAGE, str(exc))
    except (DatabaseError, SchemaError) as exc:
        fail(ExitCode.DATABASE, str(exc))
    try:
        yield Desk(config, engine, _clock())
    finally:
        engine.dispose()


def _clock() -> Clock:
    base_url = os.environ.get(BASE_URL_ENV)
    if not base_url:
        return SystemClock()
    try:
        return FollowedClock(base_url)
    except ClockError:
        return SystemClock()


@contextmanager
def refusals() -> Iterator[None]:
    """The scheduler's and the store's refusals as one line on stderr and an exit code."""
    try:
        yield
    except (InvalidNoticeError, OutboxError) as exc:
        fail(ExitCode.USAGE, str(exc))
    except SchedulingError as exc:
        fail(ExitCode.FAILURE, str(exc))
    except (DatabaseError, SchemaError) as exc:
        fail(ExitCode.DATABASE, str(exc))
    except StoreError as exc:
        fail(ExitCode.FAILURE, str(exc))


def parse_time(value: str, zone: ZoneInfo, option: str) -> datetime:
    """`2026-03-05 20:00` (town time), or ISO 8601 with an offset; exit 2 if unreadable."""
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = _local_form(text, option)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def _local_form(text: str, option: str) -> datetime:
    for form in TIME_FORMATS:
        try:
            return datetime.strptime(text, form)
        except ValueError:
            continue
    return fail(ExitCode.USAGE, f"{option} {text!r}: write a local time such as '2026-03-05 20:00'")


fail = console.fail
out = console.out
