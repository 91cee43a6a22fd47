"""Staff commands by DM to the town account, on every database: who may command, what each
command does, and the clear answers to mistakes."""

from __future__ import annotations

import logging

import pytest
from sqlmodel import Session, select

from jun_engine.cases.staff import StaffResult
from jun_engine.channels.x.addressing import tagged_reply
from jun_engine.config.schema import Config
from jun_engine.domain.messages import MessageKind
from jun_engine.domain.statuses import CaseStatus, ExampleSource, OutboxKind
from jun_engine.store.tables import CaseRow, OutboxRow, RoutingExampleRow
from tests.cases.conftest import MONDAY, RESIDENT_ID, StoreMessage, ids, notified_by_dm
from tests.cases.test_opening import admitted, routed
from tests.stages import handle_staff_dm, open_case

LATER = MONDAY.replace(hour=11)


@pytest.fixture
def streetlight(session: Session, config: Config, store_message: StoreMessage) -> CaseRow:
    message = store_message("@AytoJun la farola de la calle Real está fundida")
    case_id = open_case(
        session, message, admitted(None), routed("public_works", "streetlights"), config, MONDAY
    )
    case = session.get(CaseRow, case_id)
    assert case is not None
    return case


def staff_dm(store_message: StoreMessage, config: Config, text: str, sender: str) -> object:
    return store_message(text, kind=MessageKind.DM, author=ids(config)[sender], handle=sender)


def answers_to(session: Session, user_id: str) -> list[str]:
    rows = session.exec(
        select(OutboxRow).where(OutboxRow.target == user_id, OutboxRow.kind == OutboxKind.DM)
    )
    return [r.text for r in rows if r.idempotency_key.startswith("staff:")]


def test_an_account_that_staffs_no_department_is_refused_logged_and_not_answered(
    session: Session,
    config: Config,
    store_message: StoreMessage,
    streetlight: CaseRow,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Given a configured account that is no department's (a press office) and a stranger
    press = config.accounts["public_works"].model_copy(
        update={"handle": "JunPrensa", "user_id": "5550001"}
    )
    with_press = config.model_copy(update={"accounts": {**config.accounts, "press": press}})
    before = len(session.exec(select(OutboxRow)).all())
    for author in ("5550001", "777"):
        message = store_message(
            f"resolver {streetlight.reference} secreto-del-mensaje",
            kind=MessageKind.DM,
            author=author,
        )
        # When they send a command
        with caplog.at_level(logging.WARNING, logger="jun_engine.cases.staff"):
            outcome = handle_staff_dm(session, message, with_press, LATER)
        # Then it is refused, nothing is queued and the case is untouched
        assert outcome.result is StaffResult.REFUSED
    assert len(session.exec(select(OutboxRow)).all()) == before
    assert streetlight.status is CaseStatus.ACKNOWLEDGED
    # And the refusal is logged at WARNING with the sender's id but never the text
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert "5550001" in warnings[0].getMessage()
    assert all("secreto" not in r.getMessage() for r in caplog.records)


def test_a_reference_that_does_not_exist_gets_a_clear_answer(
    session: Session, config: Config, store_message: StoreMessage, streetlight: CaseRow
) -> None:
    message = staff_dm(store_message, config, "JUN-2026-009999 ya está arreglado", "public_works")
    outcome = handle_staff_dm(session, message, config, LATER)  # type: ignore[arg-type]
    assert outcome.result is StaffResult.UNKNOWN_REFERENCE
    assert answers_to(session, ids(config)["public_works"]) == [
        "No existe ningún caso JUN-2026-009999. Revisa la referencia (p. ej. JUN-2026-000123)."
    ]


def test_a_reference_then_text_answers_the_resident_crediting_the_department(
    session: Session, config: Config, store_message: StoreMessage, streetlight: CaseRow
) -> None:
    # Given a case from a mention of the town only (X would refuse a reply from @JunObras)
    message = staff_dm(
        store_message,
        config,
        f"{streetlight.reference} Mañana pasa el electricista.",
        "public_works",
    )
    # When the department sends its answer to the town account
    outcome = handle_staff_dm(session, message, config, LATER)  # type: ignore[arg-type]
    # Then the town replies in the resident's thread crediting the department
    assert outcome.result is StaffResult.DONE
    reply = session.exec(
        select(OutboxRow).where(
            OutboxRow.idempotency_key == f"case:{streetlight.reference}:answer:1"
        )
    ).one()
    assert reply.kind is OutboxKind.REPLY
    assert reply.account_id == ids(config)["town"]
    assert reply.text == tagged_reply(
        f"Obras y Servicios (@JunObras) responde a {streetlight.reference}: "
        "Mañana pasa el electricista.",
        reply.target or "",
    )
    # And the first response is recorded; the staff member is told it was done
    assert streetlight.first_response_at == LATER
    assert streetlight.status is CaseStatus.ANSWERED
    assert answers_to(session, ids(config)["public_works"]) == [
        f"Hecho: respuesta enviada al vecino ({streetlight.reference})."
    ]


def test_resolve_resolves_and_asks_the_resident_for_a_rating(
    session: Session, config: Config, store_message: StoreMessage, streetlight: CaseRow
) -> None:
    message = staff_dm(store_message, config, f"resolver {streetlight.reference}", "public_works")
    assert handle_staff_dm(session, message, config, LATER).result is StaffResult.DONE  # type: ignore[arg-type]
    assert streetlight.status is CaseStatus.RESOLVED
    assert streetlight.resolved_at == LATER
    survey = session.exec(
        select(OutboxRow).where(OutboxRow.idempotency_key == f"case:{streetlight.reference}:survey")
    ).one()
    assert survey.target == RESIDENT_ID
    assert "1 (mal) al 5" in survey.text


def test_reroute_moves_the_case_stores_a_correction_and_notifies_the_new_department(
    session: Session, config: Config, store_message: StoreMessage, streetlight: CaseRow
) -> None:
    # The triage desk's deputy mayor may reroute any case (water asks for DMs)
    config = notified_by_dm(config, "water")
    message = staff_dm(
        store_message, config, f"reasignar {streetlight.reference} water leaks", "deputy_mayor"
    )
    assert handle_staff_dm(session, message, config, LATER).result is StaffResult.DONE  # type: ignore[arg-type]
    assert (streetlight.department, streetlight.category) == ("water", "leaks")
    assert streetlight.status is CaseStatus.REROUTED
    example = session.exec(select(RoutingExampleRow)).one()
    assert example.source is ExampleSource.CORRECTION
    assert example.department == "water"
    assert example.text == "@AytoJun la farola de la calle Real está fundida"
    notified = session.exec(select(OutboxRow).where(OutboxRow.target == ids(config)["water"])).one()
    assert streetlight.reference in notified.text


def test_a_department_cannot_act_on_another_departments_case(
    session: Session, config: Config, store_message: StoreMessage, streetlight: CaseRow
) -> None:
    message = staff_dm(store_message, config, f"nota {streetlight.reference} hola", "water")
    assert handle_staff_dm(session, message, config, LATER).result is StaffResult.NOT_YOURS  # type: ignore[arg-type]
    assert "es de Obras y Servicios" in answers_to(session, ids(config)["water"])[0]


def test_merge_closes_a_duplicate_into_another_case(
    session: Session, config: Config, store_message: StoreMessage, streetlight: CaseRow
) -> None:
    other = store_message("@AytoJun farola fundida en la calle Real, otra vez")
    other_case = session.get(
        CaseRow,
        open_case(session, other, admitted(None), routed("public_works"), config, MONDAY),
    )
    assert other_case is not None
    message = staff_dm(
        store_message,
        config,
        f"fusionar {other_case.reference} en {streetlight.reference}",
        "public_works",
    )
    assert handle_staff_dm(session, message, config, LATER).result is StaffResult.DONE  # type: ignore[arg-type]
    assert other_case.status is CaseStatus.MERGED
    assert other_case.merged_into_id == streetlight.id


@pytest.mark.parametrize(
    ("text", "result"),
    [
        ("ayuda", StaffResult.HELP),
        ("help", StaffResult.HELP),
        ("hola qué tal", StaffResult.INVALID),
        ("nota JUN-2026-000001", StaffResult.INVALID),
        ("reasignar JUN-2026-000001 bomberos", StaffResult.INVALID),
        ("fusionar JUN-2026-000001 en JUN-2026-000001", StaffResult.INVALID),
    ],
)
def test_help_and_mistakes_are_answered(
    session: Session,
    config: Config,
    store_message: StoreMessage,
    streetlight: CaseRow,
    text: str,
    result: StaffResult,
) -> None:
    message = staff_dm(store_message, config, text, "public_works")
    assert handle_staff_dm(session, message, config, LATER).result is result  # type: ignore[arg-type]
    [answer] = answers_to(session, ids(config)["public_works"])
    assert answer
    assert streetlight.status is CaseStatus.ACKNOWLEDGED
