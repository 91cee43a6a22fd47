"""Erasure on request: nothing personal is left anywhere in the database, counts are kept."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from jun_engine.config.schema import Config
from jun_engine.domain.messages import Channel, MessageKind
from jun_engine.domain.residents import ResidentEventKind
from jun_engine.domain.statuses import Privacy, ResidentStatus
from jun_engine.pipeline.verify import Verifier
from jun_engine.residents.enrolment import enrol, issue_code
from jun_engine.residents.erasure import erase, scrub_free_space
from jun_engine.residents.errors import ResidentErasedError
from jun_engine.residents.repository import history, load_resident, row_by_id
from jun_engine.store.tables import METADATA, CaseEventRow, CaseRow, InboundMessageRow
from tests.residents.conftest import Inbox
from tests.residents.scene import MARIA, NEW_ACCOUNT, STAFF, START, process

NAME = "Concepción Ýbarra-Quintanilla"
PERSONAL = [
    NAME,
    "Ýbarra",
    "conchi_ybarra",
    "conchi_nueva",
    MARIA,
    NEW_ACCOUNT,
    "Calle Olvido",
    "12345678Z",
    "#farolasOlvido",
    "Barrio Alto",
]
"""Everything that identifies her or that she wrote: none of it may survive the erasure."""


@pytest.fixture
def erased_life(session: Session, config: Config, verifier: Verifier, inbox: Inbox) -> int:
    """A resident's whole life in the engine, then her erasure; her resident id."""
    issued = enrol(
        session,
        config,
        name=NAME,
        district="Barrio Alto",
        birth_year=1961,
        topics=["water_cuts"],
        now=START,
        actor=STAFF,
    )
    first = "Mi DNI es 12345678Z y vivo en Calle Olvido 7"
    process(session, verifier, config, inbox(MARIA, first, handle="conchi_ybarra"), START)
    process(session, verifier, config, inbox(MARIA, issued.code, handle="conchi_ybarra"), START)
    public = inbox(
        MARIA,
        "@AytoJun la farola de Calle Olvido 7 sigue apagada #farolasOlvido",
        kind=MessageKind.MENTION,
        handle="conchi_ybarra",
    )
    process(session, verifier, config, public, START)
    fresh = issue_code(session, config, issued.resident_id, now=START, actor=STAFF)
    later = START + timedelta(days=1)
    process(session, verifier, config, inbox(NEW_ACCOUNT, fresh.code, handle="conchi_nueva"), later)
    case = CaseRow(
        reference="JUN-2026-000001",
        resident_id=issued.resident_id,
        message_id=public.id,
        department="public_works",
        channel=Channel.X,
        privacy=Privacy.PUBLIC,
        opened_at=START,
        author_id=MARIA,
    )
    session.add(case)
    session.flush()
    session.add(
        CaseEventRow(
            case_id=case.id or 0,
            at=later,
            kind="reply",
            actor=NEW_ACCOUNT,
            detail="Sigue igual en Calle Olvido 7",
        )
    )
    session.add(
        CaseEventRow(case_id=case.id or 0, at=later, kind="note", actor="1234", detail="Avisado")
    )
    # Someone else's message, which must stay as it is
    inbox("1700000000000000001", "La fuente de la plaza gotea")
    session.commit()
    erase(session, issued.resident_id, now=later, actor=STAFF)
    session.commit()
    return issued.resident_id


def dump(engine: Engine) -> str:
    """Every value of every row of every table, as text: what a database dump would hold."""
    lines = []
    with engine.connect() as connection:
        for table in METADATA.sorted_tables:
            for row in connection.execute(sa.select(table)):
                lines.append(f"{table.name}: {tuple(row)!r}")
    return "\n".join(lines)


def test_nothing_personal_is_left_in_the_database(erased_life: int, engine: Engine) -> None:
    text = dump(engine)
    assert "Sigue igual" not in text
    for value in PERSONAL:
        assert value not in text, value


def test_counts_cases_and_other_people_stay(
    erased_life: int, engine: Engine, session: Session
) -> None:
    # Every message is still counted, with its id and time, but its text is a marker
    assert session.exec(select(func.count()).select_from(InboundMessageRow)).one() == 5
    texts = session.exec(select(InboundMessageRow.text)).all()
    assert texts.count("[erased]") == 4
    assert "La fuente de la plaza gotea" in texts
    # Her case is still there for the department's statistics, without her
    case = session.exec(select(CaseRow)).one()
    assert (case.department, case.resident_id, case.author_id) == (
        "public_works",
        erased_life,
        None,
    )
    notes = session.exec(select(CaseEventRow.detail).order_by(CaseEventRow.id)).all()  # type: ignore[arg-type]
    assert notes == ["[erased]", "Avisado"]
    # And the resident is a dated record that an erasure happened, without what was erased
    resident = row_by_id(session, erased_life)
    assert resident.status is ResidentStatus.ERASED
    assert (resident.name, resident.district, resident.birth_year) == (None, None, None)
    assert load_resident(session, resident).identities == ()
    assert {e.identity for e in history(session, erased_life)} == {None}
    last = history(session, erased_life)[-1]
    assert last.kind is ResidentEventKind.ERASED
    assert last.detail == "4 messages, 1 case note, 3 outgoing items erased"


def test_erasing_twice_is_refused(erased_life: int, session: Session) -> None:
    with pytest.raises(ResidentErasedError, match="was erased on"):
        erase(session, erased_life, now=START, actor=STAFF)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_no_copy_survives_in_the_sqlite_files(erased_life: int, engine: Engine) -> None:
    # When the command has scrubbed the free space after the erasure
    scrub_free_space(engine)
    engine.dispose()
    # Then not even the raw database files hold her name or words
    database = Path(engine.url.database or "")
    raw = b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))
    for value in PERSONAL:
        assert value.encode() not in raw, value
