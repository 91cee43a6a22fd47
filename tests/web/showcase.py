"""A presentable town for the README's pictures of the desk: ten weeks of cases from X, LINE and
Open311 across Jun's districts (some with photos and map pins), a LINE official account's month
of sends against its quota, and X's spend, stored as the engine stores them."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import vl_convert
from sqlalchemy.engine import Engine
from sqlmodel import Session

from jun_engine.attachments.media import MediaStore
from jun_engine.cases.opening import set_due_times
from jun_engine.config.schema import Config, LineSettings
from jun_engine.domain.attachments import PhotoStatus
from jun_engine.domain.messages import Channel, MessageKind
from jun_engine.domain.residents import Identity
from jun_engine.domain.statuses import CaseStatus, CastKind, CastStatus, Privacy
from jun_engine.residents.verification import bind
from jun_engine.store.tables import (
    ApiCallRow,
    CaseEventRow,
    CasePhotoRow,
    CasePlaceRow,
    CaseRow,
    InboundMessageRow,
    IncidentRow,
    LineCastRow,
    LineQuotaRow,
    LineSendRow,
    ResidentRow,
)

SHOWN_AT = datetime(2026, 3, 19, 9, 45, tzinfo=UTC)
"""10:45 in Jun on a Thursday: the desk's clock in the pictures."""
LINE_BOT = "U4af4980629e1c3a5b7d9f1e3a5c7b9d1"
OPEN311 = "open311"
DISTRICTS = {  # (south, west, north, east) of each district of docs/jun-districts.geojson
    "Centro": (37.216, -3.594, 37.224, -3.586),
    "Barrio Alto": (37.226, -3.608, 37.239, -3.572),
    "Los Llanos": (37.201, -3.608, 37.214, -3.572),
    "Urbanizaciones": (37.216, -3.609, 37.224, -3.596),
}
TEXTS: dict[tuple[str, str], tuple[str, ...]] = {
    ("public_works", "streetlights"): (
        "La farola de la calle Real está fundida",
        "Dos farolas apagadas en la plaza",
        "ไฟถนนหน้าร้านขนมปังดับมาสามคืนแล้ว",
    ),
    ("public_works", "potholes"): (
        "Un bache enorme en la avenida de Andalucía",
        "Socavón frente al colegio",
        "ถนนหน้าโรงเรียนมีหลุมใหญ่",
    ),
    ("public_works", "sidewalks"): ("Baldosas sueltas en la acera de la iglesia",),
    ("street_cleaning", "rubbish"): (
        "Bolsas de basura sin recoger desde el lunes",
        "มีขยะกองอยู่ข้างตลาด",
    ),
    ("street_cleaning", "bins"): ("El contenedor de vidrio está roto",),
    ("water", "leaks"): ("Fuga de agua en la calle Mayor", "Sale agua de una arqueta"),
    ("police", "noise"): ("Ruido de obras a las siete de la mañana",),
    ("culture_sport", "facilities"): ("La puerta del pabellón no cierra",),
    ("town_hall", "paperwork"): ("¿Qué horario tiene el registro?",),
}
NAMES = (
    ("Lola Martínez", "lola_jun"),
    ("Pepe Ruiz", "pepe_llanos"),
    ("Carmen Olmo", "carmen_olmo"),
    ("Antonio Gil", "antonio_gil"),
    ("Rocío Peña", "rocio_pena"),
    ("Somchai Jaidee", None),
    ("Malee Srisuk", None),
    ("Niran Thongchai", None),
)


RECENT = (  # this morning's public works reports, from each channel
    (3.5, "Lola Martínez", Channel.X, ("public_works", "potholes")),
    (2.0, "Malee Srisuk", Channel.LINE, ("public_works", "potholes")),
    (1.2, "Carmen Olmo", Channel.OPEN311, ("public_works", "sidewalks")),
)


@dataclass(frozen=True)
class Shown:
    """What the pictures show: the configuration with LINE, and the LINE case with a photo."""

    config: Config
    line_case: str


def with_line(config: Config) -> Config:
    """Jun with its LINE official account: the light plan (5,000 a month), capped at 3,000."""
    account = {
        "channel_id": "1600000001",
        "bot_user_id": LINE_BOT,
        "display_name": "Ayuntamiento de Jun",
        "channel_secret_env": "JUN_LINE_CHANNEL_SECRET",
        "access_token_env": "JUN_LINE_CHANNEL_ACCESS_TOKEN",
        "plan": "light",
        "monthly_quota_cap": 3000,
    }
    line = LineSettings.model_validate({"accounts": {"jun": account}})
    return config.model_copy(update={"line": line})


def photo() -> bytes:
    """A picture of a streetlight out at night (a PNG drawn from SVG)."""
    svg = """<svg xmlns="http://www.w3.org/2000/svg" width="480" height="360">
<defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1">
<stop offset="0" stop-color="#0b1a3a"/><stop offset="1" stop-color="#33466e"/>
</linearGradient></defs>
<rect width="480" height="360" fill="url(#sky)"/>
<rect x="0" y="150" width="150" height="150" fill="#e9dcc4"/>
<rect x="330" y="120" width="150" height="180" fill="#efe6d2"/>
<rect x="20" y="180" width="36" height="48" fill="#f4c96b"/><rect x="90" y="180" width="36"
 height="48" fill="#3b3b3b"/><rect x="360" y="160" width="36" height="48" fill="#f4c96b"/>
<rect x="0" y="300" width="480" height="60" fill="#4a4a4a"/>
<rect x="0" y="296" width="480" height="8" fill="#9a9a9a"/>
<rect x="236" y="90" width="10" height="210" fill="#2b2b2b"/>
<path d="M241 92 q0 -22 40 -22 h10 v8 h-10 q-32 0 -32 14z" fill="#2b2b2b"/>
<ellipse cx="288" cy="82" rx="18" ry="7" fill="#555"/>
<circle cx="60" cy="40" r="2" fill="#fff"/><circle cx="410" cy="60" r="1.5" fill="#fff"/>
<circle cx="200" cy="30" r="1.5" fill="#fff"/><circle cx="300" cy="25" r="1" fill="#fff"/>
</svg>"""
    return bytes(vl_convert.svg_to_png(svg))


def seed_showcase(engine: Engine, config: Config, media_dir: Path) -> Shown:
    """The town's cases, LINE's month and X's spend, committed."""
    rng = random.Random(19)
    shown = with_line(config)
    with Session(engine, expire_on_commit=False) as session:
        people = _residents(session, rng)
        number = 0
        for week in range(10):
            for _n in range(4 + week):  # more reports as residents learn the channels
                number += 1
                age = timedelta(days=7 * (9 - week) + rng.uniform(0, 7))
                _case(session, shown, rng, number, rng.choice(people), max(age, timedelta(0)))
        for hours, who, channel, topic in RECENT:
            number += 1
            person = next(p for p in people if p.name == who)
            age = timedelta(hours=hours)
            _case(session, shown, rng, number, person, age, topic=topic, channel=channel)
        _incident(session, shown, rng, people, number)
        number += 10
        line_case = _line_case(session, shown, people, number, MediaStore(media_dir))
        _line_month(session, rng)
        _x_spend(session, rng)
        session.commit()
    return Shown(shown, line_case)


def _residents(session: Session, rng: random.Random) -> list[ResidentRow]:
    people = []
    for n, (name, handle) in enumerate(NAMES):
        row = ResidentRow(name=name, district=rng.choice(list(DISTRICTS)), language="es")
        session.add(row)
        session.flush()
        if handle is None:
            row.language = "th"
            bind(session, row, Identity(Channel.LINE, f"U{n:032x}", None), now=SHOWN_AT)
        else:
            bind(session, row, Identity(Channel.X, f"90000000{n:02d}", handle), now=SHOWN_AT)
        people.append(row)
    return people


def _case(
    session: Session,
    config: Config,
    rng: random.Random,
    number: int,
    resident: ResidentRow,
    age: timedelta,
    *,
    topic: tuple[str, str] | None = None,
    text: str | None = None,
    channel: Channel | None = None,
) -> CaseRow:
    line = resident.language == "th"
    channel = channel or (
        Channel.LINE if line else rng.choice([Channel.X, Channel.X, Channel.OPEN311])
    )
    topic = topic or rng.choice(list(TEXTS))
    texts = [t for t in TEXTS[topic] if _thai(t) == line] or list(TEXTS[topic])
    opened = SHOWN_AT - age - timedelta(minutes=5)
    author = f"U{number:032x}" if line else f"9000000{number:03d}"
    message = InboundMessageRow(
        channel=channel,
        kind=MessageKind.DM if line else MessageKind.MENTION,
        platform_id=f"{channel.value}-{number}",
        account_id={Channel.LINE: LINE_BOT, Channel.OPEN311: OPEN311}.get(
            channel, config.accounts["town"].user_id
        ),
        author_id=author,
        author_handle=dict(NAMES).get(resident.name or "") if channel is Channel.X else None,
        text=text or rng.choice(texts),
        created_at=opened,
        received_at=opened,
    )
    session.add(message)
    session.flush()
    row = CaseRow(
        reference=f"JUN-2026-{number:06d}",
        resident_id=None if channel is Channel.OPEN311 else resident.id,
        message_id=message.id,
        department=topic[0],
        category=topic[1],
        channel=channel,
        privacy=Privacy.PUBLIC,
        status=CaseStatus.ACKNOWLEDGED,
        opened_at=opened,
        acknowledged_at=opened,
        author_id=author,
        language="th" if line else "es",
    )
    set_due_times(row, config)
    _progress(row, rng, age)
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
                detail=f"model {rng.uniform(0.7, 0.97):.2f}: {topic[1]}",
            ),
        ]
    )
    if channel is not Channel.X and rng.random() < 0.6:
        session.add(_place(row.id, rng, resident.district or "Centro", opened))
    return row


def _incident(
    session: Session, config: Config, rng: random.Random, people: list[ResidentRow], after: int
) -> None:
    """Last week's burst pipe in Centro: one incident, many reports."""
    started = SHOWN_AT - timedelta(days=6, hours=3)
    incident = IncidentRow(
        department="water",
        key="fuga-calle-mayor",
        opened_at=started,
        closed_at=started + timedelta(hours=9),
    )
    session.add(incident)
    session.flush()
    for n in range(7):
        age = SHOWN_AT - started - timedelta(minutes=20 * n)
        row = _case(
            session,
            config,
            rng,
            after + 1 + n,
            people[n % len(people)],
            age,
            topic=("water", "leaks"),
        )
        row.incident_id = incident.id
        session.add(row)


def _thai(text: str) -> bool:
    return any("\u0e00" <= ch <= "\u0e7f" for ch in text)


def _progress(row: CaseRow, rng: random.Random, age: timedelta) -> None:
    """Older cases answered, resolved and rated; this week's partly."""
    if age < timedelta(days=2) and rng.random() < 0.7:
        return
    row.first_response_at = row.opened_at + timedelta(hours=rng.uniform(0.3, 30))
    row.status = CaseStatus.ANSWERED
    if age > timedelta(days=4):
        row.resolved_at = row.first_response_at + timedelta(hours=rng.uniform(2, 90))
        row.status = CaseStatus.RESOLVED
        row.satisfaction = rng.choice([3, 4, 4, 5, 5, 5])


def _place(case_id: int, rng: random.Random, district: str, at: datetime) -> CasePlaceRow:
    south, west, north, east = DISTRICTS[district]
    return CasePlaceRow(
        case_id=case_id,
        latitude=rng.uniform(south, north),
        longitude=rng.uniform(west, east),
        district=district,
        at=at,
    )


def _line_case(
    session: Session, config: Config, people: list[ResidentRow], number: int, media: MediaStore
) -> str:
    """This morning's LINE report of a streetlight out, with its photo and map pin."""
    somchai = next(p for p in people if p.name == "Somchai Jaidee")
    somchai.district = "Centro"
    row = _case(
        session,
        config,
        random.Random(1),
        number,
        somchai,
        timedelta(minutes=40),
        topic=("public_works", "streetlights"),
        text="ไฟถนนหน้าบ้านเลขที่ 12 ถนนเรอัล ดับมาสามคืนแล้ว มืดมากตอนกลางคืน",
    )
    assert row.id is not None
    kept = media.put(photo(), "image/png")
    session.add(
        CasePhotoRow(
            channel=Channel.LINE,
            content_id=f"content-{number}",
            account_id=LINE_BOT,
            author_id=row.author_id or "",
            case_id=row.id,
            status=PhotoStatus.STORED,
            path=kept.path,
            size=kept.size,
            content_type="image/png",
            sha256=kept.sha256,
            received_at=row.opened_at,
            stored_at=row.opened_at,
        )
    )
    session.add(
        CasePlaceRow(
            case_id=row.id,
            latitude=37.22034,
            longitude=-3.58961,
            label="Calle Real, 12",
            district="Centro",
            at=row.opened_at,
        )
    )
    return row.reference


def _line_month(session: Session, rng: random.Random) -> None:
    """LINE's March so far: pushes every day, a notice multicast on the 9th, and the meter
    LINE last read."""
    spent = 0
    first = datetime(2026, 2, 28, 15, 0, tzinfo=UTC)  # 00:00 on March 1 in Tokyo
    for day in range(19):
        for _n in range(rng.randint(15, 45)):
            at = first + timedelta(days=day, hours=rng.uniform(8, 14))
            reply = rng.random() < 0.5
            session.add(
                LineSendRow(
                    account_id=LINE_BOT,
                    user_id=f"U{rng.getrandbits(128):032x}",
                    via="reply" if reply else "push",
                    quota=0 if reply else 1,
                    sent_at=at,
                )
            )
            spent += 0 if reply else 1
    session.add(
        LineCastRow(
            key="notice-water-cut",
            account_id=LINE_BOT,
            how=CastKind.MULTICAST,
            text="Corte de agua el jueves de 9:00 a 13:00 en Centro",
            retry_key="3f2b8c1e-0000-4000-8000-000000000001",
            status=CastStatus.SENT,
            sent_at=first + timedelta(days=8, hours=10),
            delivered=420,
        )
    )
    spent += 420
    session.add(
        LineQuotaRow(
            account_id=LINE_BOT,
            month="2026-03",
            spent=spent,
            reported_used=spent,
            reported_limit=5000,
            reported_at=SHOWN_AT - timedelta(minutes=30),
        )
    )


def _x_spend(session: Session, rng: random.Random) -> None:
    """X's ledger over the last 30 days: a few billed calls a day."""
    for day in range(30):
        for _n in range(rng.randint(3, 8)):
            at = SHOWN_AT - timedelta(days=day, hours=rng.uniform(0, 9))
            session.add(
                ApiCallRow(
                    at=at,
                    account_id="town",
                    endpoint="/2/users/:id/mentions",
                    method="GET",
                    status_code=200,
                    resources=rng.randint(5, 60),
                    cost_usd=Decimal(rng.randint(2, 30)) / 100,
                )
            )
