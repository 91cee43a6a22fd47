"""A small seeded town for the web desk's tests: staff of every role, and cases of several
departments (public, private, hostile text, the triage desk's), stored as the engine stores them."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from jun_engine.cases.opening import set_due_times
from jun_engine.config.schema import Config
from jun_engine.domain.messages import Channel, MessageKind
from jun_engine.domain.residents import Identity
from jun_engine.domain.statuses import CaseStatus, Privacy, StaffRole
from jun_engine.residents.repository import find_row, load_resident
from jun_engine.residents.verification import bind
from jun_engine.staff import accounts
from jun_engine.staff.passwords import Hashing, Passwords
from jun_engine.store.tables import CaseEventRow, CaseRow, InboundMessageRow, ResidentRow

NOW = datetime(2026, 3, 2, 11, 30, tzinfo=UTC)
"""12:30 in Jun on a working Monday: the desk's clock in these tests."""
PASSWORD = "correct horse battery staple"
FAST = Passwords(Hashing(time_cost=1, memory_kib=64, parallelism=1))
"""argon2id at its cheapest, for tests only (the desk's own default is RFC 9106's profile)."""
HOSTILE = (
    "<script>alert('x')</script><img src=x onerror=alert(2)> **bold** "
    "[click](javascript:alert(3)) \u202eevil\u202c {{ 7*7 }} &amp; \x07bell"
)
PRIVATE_TIP = "Venden droga en el parque de Los Llanos cada noche, el del coche rojo"
HEALTH_TEXT = "Necesito mis resultados de la analítica de sangre, tengo diabetes"
STAFF = {
    "ana": (StaffRole.DEPARTMENT, "public_works"),
    "pol": (StaffRole.DEPARTMENT, "police"),
    "tri": (StaffRole.TRIAGE, None),
    "alcaldia": (StaffRole.MAYOR, None),
    "admin": (StaffRole.ADMIN, None),
    "lockme": (StaffRole.DEPARTMENT, "water"),
}


@dataclass(frozen=True)
class Seeded:
    """The references of the seeded cases."""

    streetlight: str
    tip: str
    hostile: str
    triage: str
    health: str
    pothole: str


_numbers = itertools.count(1)


def case(
    session: Session,
    config: Config,
    text: str,
    department: str,
    category: str | None,
    *,
    resident: ResidentRow,
    kind: MessageKind = MessageKind.MENTION,
    privacy: Privacy = Privacy.PUBLIC,
    to: str = "town",
    hours_ago: float = 2,
    urgency: str | None = None,
) -> str:
    """Store a message and the acknowledged case it opened; its reference."""
    number = next(_numbers)
    opened = NOW - timedelta(hours=hours_ago)
    account = config.accounts[to].user_id
    [author] = load_resident(session, resident).identities
    message = InboundMessageRow(
        channel=Channel.X,
        kind=kind,
        platform_id=str(1_900_000_000_000_000_000 + number),
        account_id=account,
        author_id=author.user_id,
        author_handle=author.handle,
        text=text,
        created_at=opened,
        received_at=opened,
        mentioned_ids=account if kind is MessageKind.MENTION else "",
    )
    session.add(message)
    session.flush()
    row = CaseRow(
        reference=f"JUN-2026-{number:06d}",
        resident_id=resident.id,
        message_id=message.id,
        department=department,
        category=category,
        channel=Channel.X,
        privacy=privacy,
        status=CaseStatus.ACKNOWLEDGED,
        opened_at=opened,
        acknowledged_at=opened,
        author_id=author.user_id,
        language="es",
        urgency=urgency,
    )
    set_due_times(row, config)
    session.add(row)
    session.flush()
    assert row.id is not None
    session.add_all(
        [
            CaseEventRow(
                case_id=row.id, at=opened, kind="opened", actor="engine", to_status=CaseStatus.OPEN
            ),
            CaseEventRow(
                case_id=row.id,
                at=opened,
                kind="routed",
                actor="engine",
                from_status=CaseStatus.OPEN,
                to_status=CaseStatus.ROUTED,
                detail=f"model 0.83: {category or department}",
            ),
        ]
    )
    return row.reference


def resident(session: Session, handle: str) -> ResidentRow:
    """The seeded resident with this handle."""
    return find_row(session, f"@{handle}")


def seed(engine: Engine, config: Config) -> Seeded:
    """Staff accounts and six cases, committed."""
    with Session(engine, expire_on_commit=False) as session:
        for name, (role, department) in STAFF.items():
            accounts.add(
                session, name, role, department, PASSWORD, config=config, now=NOW, passwords=FAST
            )
        lola = ResidentRow(name="Lola Martínez", district="Centro", language="es")
        pepe = ResidentRow(name="Pepe Ruiz", district="Los Llanos", language="es")
        session.add_all([lola, pepe])
        session.flush()
        bind(session, lola, Identity(Channel.X, "9000000001", "lola_jun"), now=NOW)
        bind(session, pepe, Identity(Channel.X, "9000000002", "pepe_llanos"), now=NOW)

        seeded = Seeded(
            streetlight=case(
                session,
                config,
                "La farola de la calle Real está fundida",
                "public_works",
                "streetlights",
                resident=lola,
            ),
            tip=case(
                session,
                config,
                PRIVATE_TIP,
                "police",
                "tips",
                resident=pepe,
                kind=MessageKind.DM,
                privacy=Privacy.PRIVATE,
                to="police",
            ),
            hostile=case(
                session, config, HOSTILE, "public_works", "potholes", resident=pepe, hours_ago=100
            ),
            triage=case(
                session,
                config,
                "Hola, ¿a quién pregunto por lo mío?",
                "town_hall",
                None,
                resident=lola,
            ),
            health=case(
                session,
                config,
                HEALTH_TEXT,
                "health",
                None,
                resident=lola,
                kind=MessageKind.DM,
                privacy=Privacy.PRIVATE,
                to="health",
            ),
            pothole=case(
                session,
                config,
                "Un bache enorme en la avenida",
                "public_works",
                "potholes",
                resident=lola,
                hours_ago=1,
            ),
        )
        session.commit()
    return seeded
