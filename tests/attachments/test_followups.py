"""A LINE report's photos and map pin through the daemon's whole chain, on every database: the
category's needs asked for with quick replies, a pin and a photo joining the resident's recent
case (with the pin's district), a pin outside the town kept without one, a pin sent before the
report, FixMyStreet's 250 m "is this the same?" (yes groups, no keeps apart), and erasure
deleting the photo files."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from jun_engine.attachments.media import MediaStore
from jun_engine.attachments.repository import place_of
from jun_engine.config.schema import Config
from jun_engine.domain.attachments import PhotoStatus
from jun_engine.domain.choices import Choice, choices_from_json
from jun_engine.domain.messages import Channel, MessageKind
from jun_engine.domain.residents import Identity
from jun_engine.domain.statuses import CaseStatus
from jun_engine.emulator.clock import Clock
from jun_engine.emulator.testing import SHIPPED_CONFIG, emulator_test_config
from jun_engine.pipeline.chain import Chain
from jun_engine.pipeline.process import process_all
from jun_engine.places.districts import read_districts
from jun_engine.residents.erasure import erase
from jun_engine.residents.verification import bind
from jun_engine.routing.setup import build_router
from jun_engine.store.tables import (
    CasePhotoRow,
    CasePlaceRow,
    CaseRow,
    InboundMessageRow,
    OutboxRow,
    ResidentRow,
)

MONDAY = datetime.fromisoformat("2026-03-02T09:30:00+00:00")
BOT = "U" + "b" * 32
CENTRO = (37.2200, -3.5900)
"""A pin in Centro, the middle of Jun."""
NEARBY = (37.2218, -3.5900)
"""200 m north of CENTRO, still in Centro."""
FAR = (37.2228, -3.5900)
"""311 m north of CENTRO (Barrio Alto)."""
GRANADA = (37.1765, -3.5990)
"""Granada's cathedral: outside Jun."""
REPORT = "La farola de la calle Real está fundida"


@pytest.fixture(scope="module")
def config() -> Config:
    return emulator_test_config()


@pytest.fixture(scope="module")
def chain(config: Config) -> Chain:
    router = build_router(config, config_dir=SHIPPED_CONFIG.parent)
    districts = read_districts(SHIPPED_CONFIG.parent / "docs" / "jun-districts.geojson")
    return Chain.build(config, router, districts=districts)


@dataclass
class Town:
    """Verified LINE residents writing to the town's official account; every step processed
    through the whole chain."""

    engine: Engine
    config: Config
    chain: Chain
    now: datetime = MONDAY
    numbers: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def resident(self, name: str) -> str:
        user = "U" + f"{next(self.numbers):032x}"
        with Session(self.engine) as session:
            row = ResidentRow(name=name, district="Centro", language="es", enrolled_at=MONDAY)
            session.add(row)
            session.flush()
            bind(session, row, Identity(Channel.LINE, user, None), now=MONDAY)
            session.commit()
        return user

    def send(
        self,
        user: str,
        text: str = "",
        *,
        pin: tuple[float, float] | None = None,
        photo: bool = False,
        action: str | None = None,
    ) -> int:
        """A LINE message as the intake stores it, then processed; its stored id."""
        self.now += timedelta(seconds=30)
        number = str(next(self.numbers) + 500_000_000_000_000)
        row = InboundMessageRow(
            channel=Channel.LINE,
            kind=MessageKind.DM,
            platform_id=number,
            account_id=BOT,
            author_id=user,
            text=text,
            created_at=self.now,
            received_at=self.now,
            conversation_id=user,
            latitude=pin[0] if pin else None,
            longitude=pin[1] if pin else None,
            place_label="Calle Real" if pin else None,
            attachments=number if photo else "",
            action=action,
        )
        with Session(self.engine) as session:
            session.add(row)
            session.commit()
            assert row.id is not None
            message_id = row.id
        process_all(self.engine, Clock.stepped(self.now), self.config, self.chain)
        return message_id

    def case_of(self, user: str) -> CaseRow:
        with Session(self.engine) as session:
            statement = select(CaseRow).where(CaseRow.author_id == user).order_by(col(CaseRow.id))
            return session.exec(statement).all()[-1]

    def said_to(self, user: str) -> list[OutboxRow]:
        with Session(self.engine) as session:
            rows = session.exec(select(OutboxRow).order_by(col(OutboxRow.id))).all()
            sent = session.exec(
                select(InboundMessageRow.platform_id).where(InboundMessageRow.author_id == user)
            ).all()
        case_ids = {c.id for c in self._cases(user)}
        targets = {user, *sent}  # LINE replies to the resident's message, pushes to them
        return [r for r in rows if r.target in targets or r.case_id in case_ids]

    def _cases(self, user: str) -> list[CaseRow]:
        with Session(self.engine) as session:
            return list(session.exec(select(CaseRow).where(CaseRow.author_id == user)))


@pytest.fixture
def town(engine: Engine, config: Config, chain: Chain) -> Town:
    return Town(engine, config, chain)


def texts(rows: list[OutboxRow]) -> list[str]:
    return [r.text for r in rows]


def test_a_report_that_needs_a_photo_and_pin_is_asked_for_them_with_quick_replies(
    town: Town,
) -> None:
    lola = town.resident("Lola García")

    town.send(lola, REPORT)

    case = town.case_of(lola)
    assert (case.department, case.category, case.channel) == (
        "public_works",
        "streetlights",
        Channel.LINE,
    )
    [ask] = [r for r in town.said_to(lola) if r.choices]
    # One reply: the question is under the acknowledgement, so no push is spent on it.
    assert ask.idempotency_key == f"case:{case.reference}:ack"
    assert len(town.said_to(lola)) == 1
    assert case.reference in ask.text
    assert "foto y la ubicación" in ask.text
    assert ask.text.index(case.reference) < ask.text.index("foto y la ubicación")
    assert choices_from_json(ask.choices) == (
        Choice("Ubicación", ask="location"),
        Choice("Cámara", ask="camera"),
        Choice("Fotos", ask="photo"),
    )


def test_a_pin_and_a_photo_sent_after_the_report_join_its_case(town: Town) -> None:
    lola = town.resident("Lola García")
    town.send(lola, REPORT)

    town.send(lola, pin=CENTRO)
    photo_message = town.send(lola, photo=True)

    case = town.case_of(lola)
    assert case.id is not None
    with Session(town.engine) as session:
        place = place_of(session, case.id)
        [photo] = session.exec(select(CasePhotoRow)).all()
    assert place is not None
    assert (place.latitude, place.longitude, place.district) == (*CENTRO, "Centro")
    assert place.label == "Calle Real"
    assert (photo.case_id, photo.message_id, photo.status) == (
        case.id,
        photo_message,
        PhotoStatus.PENDING,
    )
    assert photo.account_id == BOT
    said = texts(town.said_to(lola))
    assert f"Hemos añadido la ubicación a {case.reference} (Centro)." in said
    assert f"Hemos añadido tu foto a {case.reference}." in said


def test_a_pin_outside_the_town_is_kept_without_a_district_and_the_resident_told(
    town: Town,
) -> None:
    lola = town.resident("Lola García")
    town.send(lola, REPORT)

    town.send(lola, pin=GRANADA)

    case = town.case_of(lola)
    assert case.id is not None
    assert case.status is not CaseStatus.CLOSED
    with Session(town.engine) as session:
        place = place_of(session, case.id)
    assert place is not None
    assert place.district is None
    [told] = [t for t in texts(town.said_to(lola)) if "fuera de Jun" in t]
    assert case.reference in told


def test_a_pin_sent_before_the_report_joins_it_and_only_the_photo_is_asked_for(
    town: Town,
) -> None:
    lola = town.resident("Lola García")
    town.send(lola, pin=CENTRO)
    assert any("cuéntanos qué pasa" in t for t in texts(town.said_to(lola)))

    town.send(lola, REPORT)

    case = town.case_of(lola)
    assert case.id is not None
    with Session(town.engine) as session:
        place = place_of(session, case.id)
    assert place is not None
    assert place.district == "Centro"
    [ask] = [r for r in town.said_to(lola) if r.choices]
    assert [c.ask for c in choices_from_json(ask.choices)] == ["camera", "photo"]


def _two_reports(town: Town, second_at: tuple[float, float]) -> tuple[str, str]:
    lola, pepe = town.resident("Lola García"), town.resident("Pepe Ruiz")
    town.send(lola, REPORT)
    town.send(lola, pin=CENTRO)
    town.send(pepe, "Otra farola fundida en la calle Real")
    town.send(pepe, pin=second_at)
    return lola, pepe


def _offer(town: Town, user: str) -> OutboxRow | None:
    return next((r for r in town.said_to(user) if "same:" in r.choices), None)


def test_a_report_within_250_m_is_offered_as_the_same_and_yes_groups_it(town: Town) -> None:
    lola, pepe = _two_reports(town, NEARBY)
    first, second = town.case_of(lola), town.case_of(pepe)

    offer = _offer(town, pepe)
    assert offer is not None
    assert first.reference in offer.text
    assert "a 200 m" in offer.text
    yes, no = choices_from_json(offer.choices)
    assert yes.data == f"same:yes:{second.id}:{first.id}"
    assert no.data == f"same:no:{second.id}:{first.id}"

    town.send(pepe, "Sí, es lo mismo", action=yes.data)
    town.send(pepe, "Sí, es lo mismo", action=yes.data)  # a second tap changes nothing

    first, second = town.case_of(lola), town.case_of(pepe)
    assert second.status is CaseStatus.MERGED
    assert second.merged_into_id == first.id
    assert first.incident_id is not None
    assert second.incident_id == first.incident_id
    assert first.status is not CaseStatus.MERGED
    merged_news = [t for t in texts(town.said_to(pepe)) if first.reference in t]
    assert any("se tramita junto con" in t for t in merged_news)


def test_no_keeps_a_nearby_report_apart(town: Town) -> None:
    lola, pepe = _two_reports(town, NEARBY)
    offer = _offer(town, pepe)
    assert offer is not None
    _yes, no = choices_from_json(offer.choices)

    town.send(pepe, "No, es otro", action=no.data)

    first, second = town.case_of(lola), town.case_of(pepe)
    assert second.status is not CaseStatus.MERGED
    assert second.incident_id is None
    assert first.incident_id is None
    assert any("por separado" in t for t in texts(town.said_to(pepe)))


def test_a_report_more_than_250_m_away_is_not_offered(town: Town) -> None:
    _lola, pepe = _two_reports(town, FAR)
    assert _offer(town, pepe) is None


def test_someone_elses_same_button_is_not_acted_on(town: Town) -> None:
    lola, pepe = _two_reports(town, NEARBY)
    offer = _offer(town, pepe)
    assert offer is not None
    yes, _no = choices_from_json(offer.choices)

    town.send(lola, "Sí", action=yes.data)  # lola forging pepe's button

    assert town.case_of(pepe).status is not CaseStatus.MERGED


def test_erasure_deletes_the_residents_photo_files_rows_and_pins(
    town: Town, tmp_path: Path
) -> None:
    media = MediaStore(tmp_path / "media")
    lola, pepe = town.resident("Lola García"), town.resident("Pepe Ruiz")
    town.send(lola, REPORT)
    town.send(lola, pin=CENTRO)
    town.send(lola, photo=True)
    town.send(lola, photo=True)
    town.send(pepe, "Farola apagada en la plaza")
    town.send(pepe, photo=True)
    # the fetcher kept them: lola's two photos, and pepe's, the same bytes as lola's second
    kept = _keep(town.engine, media, {lola: [b"lola-1", b"shared"], pepe: [b"shared"]})
    assert all(media.file(path).is_file() for path in kept[lola] + kept[pepe])

    with Session(town.engine) as session:
        resident_id = session.exec(
            select(ResidentRow.id).where(ResidentRow.name == "Lola García")
        ).one()
        assert resident_id is not None
        report = erase(session, resident_id, now=town.now, actor="admin", media=media)
        session.commit()

    assert report.photos == 2
    assert "2 photos" in report.summary()
    assert not media.file(kept[lola][0]).exists()  # hers alone: gone
    assert media.file(kept[pepe][0]).is_file()  # the same bytes pepe sent: kept for him
    with Session(town.engine) as session:
        left = session.exec(select(CasePhotoRow)).all()
        assert [p.author_id for p in left] == [pepe]
        assert session.exec(select(CasePlaceRow)).all() == []


def _keep(
    engine: Engine, media: MediaStore, contents: dict[str, list[bytes]]
) -> dict[str, list[str]]:
    """Store each resident's photos in order as the fetcher does; their paths."""
    kept: dict[str, list[str]] = {}
    with Session(engine) as session:
        for user, datas in contents.items():
            rows = session.exec(
                select(CasePhotoRow)
                .where(CasePhotoRow.author_id == user)
                .order_by(col(CasePhotoRow.id))
            ).all()
            for row, data in zip(rows, datas, strict=True):
                stored = media.put(b"\x89PNG\r\n\x1a\n" + data, "image/png")
                row.status, row.path, row.size = PhotoStatus.STORED, stored.path, stored.size
                row.sha256, row.content_type = stored.sha256, "image/png"
                session.add(row)
                kept.setdefault(user, []).append(stored.path)
        session.commit()
    return kept
