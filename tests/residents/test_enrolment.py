"""Enrolling residents: values checked against accounts.yaml, a code issued, only its hash kept."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from jun_engine.config.schema import Config
from jun_engine.domain.residents import ResidentEventKind
from jun_engine.domain.statuses import ResidentStatus
from jun_engine.residents.codes import matches
from jun_engine.residents.enrolment import enrol, issue_code
from jun_engine.residents.errors import InvalidEnrolmentError
from jun_engine.residents.repository import history, list_residents, load_resident, row_by_id
from jun_engine.store.tables import ResidentRow, VerificationCodeRow
from tests.residents.scene import STAFF, START


def test_enrolment_records_a_pending_resident_and_issues_a_code(
    session: Session, config: Config
) -> None:
    # When staff enrol a resident with a district, a birth year and two topics
    issued = enrol(
        session,
        config,
        name="  María José Núñez  ",
        district="barrio  alto",
        birth_year=1948,
        topics=["water_cuts", "ROADWORKS", "water_cuts"],
        language="th",
        now=START,
        actor=STAFF,
    )
    session.commit()
    # Then the resident is pending, with the values as accounts.yaml spells them
    resident = load_resident(session, row_by_id(session, issued.resident_id))
    assert resident.status is ResidentStatus.PENDING
    assert (resident.name, resident.district, resident.birth_year) == (
        "María José Núñez",
        "Barrio Alto",
        1948,
    )
    assert resident.topics == ("roadworks", "water_cuts")
    assert resident.language == "th"
    assert resident.identities == ()
    assert not resident.is_verified
    # And the code expires after code_ttl and is stored only as a salted hash
    assert issued.expires_at == START + config.verification.code_ttl
    stored = session.exec(select(VerificationCodeRow)).one()
    assert issued.code.replace("-", "") not in stored.code_hash
    assert matches(issued.code, stored.code_hash)
    kinds = [event.kind for event in history(session, issued.resident_id)]
    assert kinds == [ResidentEventKind.ENROLLED, ResidentEventKind.CODE_ISSUED]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"district": "Atlantis"}, "invalid district 'Atlantis'"),
        ({"topics": ["fireworks"]}, "invalid topic 'fireworks'"),
        ({"birth_year": 1850}, "invalid birth year 1850"),
        ({"birth_year": 2030}, "invalid birth year 2030"),
        ({"language": "fr"}, "invalid language 'fr'"),
        ({"name": "   "}, "invalid name"),
        ({"name": "Eve\x1b[2J"}, "control characters"),
        ({"name": "x" * 201}, "longer than 200"),
    ],
)
def test_enrolment_refuses_values_accounts_yaml_does_not_know(
    session: Session, config: Config, values: dict[str, object], message: str
) -> None:
    arguments: dict[str, object] = {"name": "Ana", "district": "Centro"} | values
    with pytest.raises(InvalidEnrolmentError, match=re.escape(message)):
        enrol(session, config, now=START, actor=STAFF, **arguments)  # type: ignore[arg-type]
    assert session.exec(select(ResidentRow)).all() == []


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_an_unknown_district_lists_the_known_ones(session: Session, config: Config) -> None:
    with pytest.raises(InvalidEnrolmentError) as error:
        enrol(session, config, name="Ana", district="Sur", now=START, actor=STAFF)
    assert "Centro, Barrio Alto, Los Llanos, Urbanizaciones" in str(error.value)


def test_names_in_any_script_are_kept_exactly(session: Session, config: Config) -> None:
    name = "สมชาย ใจดี 👩‍👩‍👧 \u202eعلي"
    issued = enrol(session, config, name=name, district="Centro", now=START, actor=STAFF)
    session.commit()
    session.expire_all()
    assert row_by_id(session, issued.resident_id).name == name


def test_a_new_code_withdraws_the_unused_one(session: Session, config: Config) -> None:
    first = enrol(session, config, name="Ana", district="Centro", now=START, actor=STAFF)
    later = START + timedelta(hours=1)
    second = issue_code(session, config, first.resident_id, now=later, actor=STAFF)
    session.commit()
    codes = session.exec(select(VerificationCodeRow).order_by(VerificationCodeRow.id)).all()  # type: ignore[arg-type]
    assert [code.expires_at for code in codes] == [later, second.expires_at]
    assert first.code != second.code


def test_listing_filters_by_status_and_district(session: Session, config: Config) -> None:
    enrol(session, config, name="Ana", district="Centro", now=START, actor=STAFF)
    enrol(session, config, name="Bea", district="Los Llanos", now=START, actor=STAFF)
    session.commit()
    assert [r.name for r in list_residents(session, district="Los Llanos")] == ["Bea"]
    assert len(list_residents(session, status=ResidentStatus.PENDING)) == 2
    assert list_residents(session, status=ResidentStatus.VERIFIED) == []
