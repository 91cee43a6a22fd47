"""What a finished demo leaves to explore: a town clock that ends today, a web-desk login, and
the command that opens the desk on the demo's database."""

from __future__ import annotations

import math
import secrets
import shlex
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from jun_engine.config.schema import Config
from jun_engine.domain.statuses import StaffRole
from jun_engine.staff import accounts
from jun_engine.staff.passwords import Passwords
from jun_engine.store.session import session_scope

WAKING = time(7, 30)
"""The town's time when the demo starts: it wakes up, the school menu goes out at 08:00."""
DEMO_USERNAME = "demo"
DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class DeskLogin:
    """A web-desk account made for the demo's database, and how to open the desk on it."""

    username: str
    password: str
    command: str

    def lines(self) -> list[str]:
        """What the demo prints at its end."""
        return [
            "explore the town on the web desk:",
            f"  {self.command}",
            f"  then open http://127.0.0.1:8080 and sign in as {self.username} "
            f"with the password {self.password} (made for this demo's database only)",
        ]


def start_ending_today(config: Config, seconds: float, speed: float, now: datetime) -> datetime:
    """When the town's clock starts so that a run of `seconds` at `speed` ends on the town's
    date at `now`.

    It starts at 07:30 in the town's zone, as many whole days before today as the run covers,
    so the desk opened afterwards shows SLA clocks running, not a year of overdue cases.
    """
    zone = ZoneInfo(config.town.timezone)
    days = math.floor(seconds * speed / DAY.total_seconds())
    first = now.astimezone(zone).date() - timedelta(days=days)
    return datetime.combine(first, WAKING, tzinfo=zone).astimezone(UTC)


def make_login(engine: Engine, config: Config, config_path: Path, database: Path) -> DeskLogin:
    """An admin account with a fresh random password on the demo's database."""
    password = secrets.token_urlsafe(12)
    with session_scope(engine) as session:
        accounts.add(
            session,
            DEMO_USERNAME,
            StaffRole.ADMIN,
            None,
            password,
            config=config,
            now=datetime.now(UTC),
            passwords=Passwords(),
        )
    words = ["jun-engine", "--config", str(config_path), "--db", f"sqlite:///{database}", "web"]
    return DeskLogin(DEMO_USERNAME, password, shlex.join(words))
