"""The demo's town: the seeded simulated town behind a gate the demo closes before the end, and
its verified residents enrolled and verified through the real flow (enrol, code, DM, daemon)."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from jun_engine.config.schema import Config
from jun_engine.domain.messages import Channel
from jun_engine.domain.residents import Identity, IssuedCode
from jun_engine.emulator.town import Resident, SimulatedTown
from jun_engine.emulator.town_api import TownSink
from jun_engine.residents.enrolment import enrol
from jun_engine.residents.verification import bind
from jun_engine.store.session import session_scope
from jun_engine.store.tables import ResidentRow

ACTOR = "demo"
VERIFIED_BEFORE = timedelta(days=3)
"""How long before the run pre-verified residents were verified (a visit to the registry)."""
CODE_DMS = {
    "es": "Hola, soy {name}. Mi código de verificación es {code}",
    "en": "Hello, this is {name}. My verification code is {code}",
    "th": "สวัสดีค่ะ {name} รหัสยืนยันของฉันคือ {code}",
}
"""What a resident types when DMing the code the town hall handed them."""


class GatedTown:
    """A `TownDriver` that lets the simulated town act until `close()`, then holds it still."""

    def __init__(self, town: SimulatedTown) -> None:
        self.town = town
        self._open = threading.Event()
        self._open.set()

    def advance(self, now: datetime, sink: TownSink) -> None:
        """Let the town act up to `now`, unless the gate is closed."""
        if self._open.is_set():
            self.town.advance(now, sink)

    def close(self) -> None:
        """From now on nobody in the town writes (the demo's quiet period before the end)."""
        self._open.clear()

    @property
    def closed(self) -> bool:
        """Whether the gate is closed."""
        return not self._open.is_set()


@dataclass(frozen=True, slots=True)
class CodeDm:
    """A resident's DM of their code to the town account (private: never shown or logged)."""

    resident_id: str
    platform_id: str


def populate(town: SimulatedTown, sink: TownSink) -> tuple[Resident, ...]:
    """Create the town's people on X now (the town's first step; nobody has written yet)."""
    town.advance(sink.now(), sink)
    return town.residents


def verify_residents(
    engine: Engine,
    config: Config,
    residents: tuple[Resident, ...],
    sink: TownSink,
    town_account_id: str,
    *,
    seed: int,
) -> list[CodeDm]:
    """Enrol each resident the town means to be verified and DM their code to the town account,
    as they would after a visit to the registry; the daemon does the verifying."""
    rng = random.Random(seed)  # noqa: S311 (a simulation's choice of districts)
    sent: list[CodeDm] = []
    for resident in residents:
        if not resident.verified:
            continue
        with session_scope(engine) as session:
            issued = _enrol(session, config, resident, rng, sink.now())
        template = CODE_DMS.get(resident.language, CODE_DMS["es"])
        text = template.format(name=resident.name.split()[0], code=issued.code)
        sent.append(CodeDm(resident.user_id, sink.dm(resident.user_id, town_account_id, text)))
    return sent


def preverify_residents(
    engine: Engine,
    config: Config,
    residents: tuple[Resident, ...],
    now: datetime,
    *,
    seed: int,
) -> None:
    """Enrol each resident the town means to be verified and bind their X account, as the
    registry did days before the run: no code DMs, so no confirmations spend the town's DMs."""
    rng = random.Random(seed)  # noqa: S311 (a simulation's choice of districts)
    then = now - VERIFIED_BEFORE
    for resident in residents:
        if not resident.verified:
            continue
        with session_scope(engine) as session:
            issued = _enrol(session, config, resident, rng, then)
            row = session.get(ResidentRow, issued.resident_id)
            assert row is not None
            identity = Identity(Channel.X, resident.user_id, resident.handle)
            bind(session, row, identity, now=then)


def _enrol(
    session: Session, config: Config, resident: Resident, rng: random.Random, now: datetime
) -> IssuedCode:
    """Enrol `resident` in the town's register at `now`, in a district `rng` picks."""
    return enrol(
        session,
        config,
        name=resident.name,
        district=rng.choice(config.town.districts),
        now=now,
        actor=ACTOR,
        language=resident.language if resident.language in config.town.languages else None,
    )
