"""Overdue cases escalate once per missed target; departments get one digest a day; a survey
answer is stored on the case and closes it, on every database."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from jun_engine.cases import actions
from jun_engine.cases.digest import send_daily_digests
from jun_engine.cases.repository import CaseFilter, list_cases
from jun_engine.cases.sla import escalate_overdue
from jun_engine.cases.survey import parse_rating
from jun_engine.config.schema import Config
from jun_engine.domain.messages import MessageKind
from jun_engine.domain.statuses import CaseStatus, OutboxKind
from jun_engine.store.tables import CaseRow, OutboxRow
from tests.cases.conftest import MONDAY, RESIDENT_ID, StoreMessage, ids
from tests.cases.test_opening import admitted, routed
from tests.stages import handle_rating, open_case


def open_leak(session: Session, config: Config, store_message: StoreMessage) -> CaseRow:
    message = store_message("@AytoJun fuga de agua en la calle Real")
    case = session.get(
        CaseRow, open_case(session, message, admitted(None), routed("water"), config, MONDAY)
    )
    assert case is not None
    return case


def dms_to(session: Session, user_id: str, key_start: str) -> list[OutboxRow]:
    rows = session.exec(select(OutboxRow).where(OutboxRow.target == user_id))
    return [r for r in rows if r.kind is OutboxKind.DM and r.idempotency_key.startswith(key_start)]


def test_an_unanswered_case_escalates_to_the_mayor_once_when_its_first_response_is_due(
    session: Session, config: Config, store_message: StoreMessage
) -> None:
    # Given a water case opened Monday 10:30 local (first response due in 2 opening hours)
    case = open_leak(session, config, store_message)
    assert case.first_response_due == MONDAY + timedelta(hours=2)
    # When the SLA watch runs before and after the due time
    assert escalate_overdue(session, config, MONDAY + timedelta(hours=1)) == 0
    after = MONDAY + timedelta(hours=2, minutes=1)
    assert escalate_overdue(session, config, after) == 1
    assert escalate_overdue(session, config, after + timedelta(hours=1)) == 0
    # Then the mayor (water has no lead) got one DM, and the case lists as overdue
    [dm] = dms_to(session, ids(config)["mayor"], "case:")
    assert case.reference in dm.text
    assert "primera respuesta" in dm.text  # the target in the town's language
    overdue = list_cases(session, CaseFilter(overdue_at=after))
    assert [c.reference for c in overdue] == [case.reference]
    assert list_cases(session, CaseFilter(overdue_at=MONDAY)) == []


def test_an_answered_case_does_not_escalate_for_its_first_response(
    session: Session, config: Config, store_message: StoreMessage
) -> None:
    case = open_leak(session, config, store_message)
    actions.answer(session, case, "Vamos para allá", actor="cli", config=config, now=MONDAY)
    assert escalate_overdue(session, config, MONDAY + timedelta(hours=3)) == 0


def test_each_department_with_open_cases_gets_one_digest_a_day(
    session: Session, config: Config, store_message: StoreMessage
) -> None:
    case = open_leak(session, config, store_message)
    assert send_daily_digests(session, config, MONDAY) == 1
    assert send_daily_digests(session, config, MONDAY + timedelta(hours=5)) == 0
    assert send_daily_digests(session, config, MONDAY + timedelta(days=1)) == 1
    [first, _] = dms_to(session, ids(config)["water"], "digest:")
    # One language, plurals by the rules: "1 caso abierto", its status a Spanish word
    assert first.text.startswith("Aguas: 1 caso abierto (0 fuera de plazo)")
    assert f"{case.reference} · - · recibido · vence" in first.text


def test_the_digest_waits_for_the_towns_digest_time(
    session: Session, config: Config, store_message: StoreMessage
) -> None:
    # Given an open case, and a town whose digests go at 08:00 (Madrid: UTC+1 in March)
    open_leak(session, config, store_message)
    town = config.model_copy(
        update={"cases": config.cases.model_copy(update={"digest_time": "08:00"})}
    )
    midnight = datetime(2026, 3, 3, 0, 5, tzinfo=ZoneInfo("Europe/Madrid"))
    # Then nothing goes at five past midnight or at 07:59 local, and the day's one at 08:00
    assert send_daily_digests(session, town, midnight) == 0
    assert send_daily_digests(session, town, midnight + timedelta(hours=7, minutes=54)) == 0
    assert send_daily_digests(session, town, midnight + timedelta(hours=7, minutes=55)) == 1
    assert send_daily_digests(session, town, midnight + timedelta(hours=12)) == 0


def test_a_rating_after_resolution_is_stored_and_closes_the_case(
    session: Session, config: Config, store_message: StoreMessage
) -> None:
    case = open_leak(session, config, store_message)
    # A "5" before any survey is not a rating
    early = store_message("5", kind=MessageKind.DM)
    assert not handle_rating(session, early, admitted(None), config, MONDAY)
    actions.resolve(session, case, actor="cli", config=config, now=MONDAY)
    answer = store_message(" 4/5 ", kind=MessageKind.DM)
    assert handle_rating(session, answer, admitted(None), config, MONDAY)
    assert case.satisfaction == 4
    assert case.status is CaseStatus.CLOSED
    assert any("4/5" in dm.text for dm in dms_to(session, RESIDENT_ID, "case:"))
    # A second number goes on to routing like any message
    again = store_message("3", kind=MessageKind.DM)
    assert not handle_rating(session, again, admitted(None), config, MONDAY)


def test_only_a_bare_number_from_1_to_5_is_a_rating() -> None:
    assert [parse_rating(t) for t in ("5", " 1 ", "3/5", "4!", "๕")] == [5, 1, 3, 4, 5]
    assert [parse_rating(t) for t in ("0", "6", "10", "5 farolas rotas", "")] == [None] * 5
