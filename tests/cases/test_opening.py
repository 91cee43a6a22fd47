"""Opening a case: reference, SLA due times, one acknowledgement by the right path and language,
the department told by a mention, the digest and the desk (a DM only if it asks), on every
database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlmodel import Session, select

from jun_engine.cases.repository import history
from jun_engine.config.schema import Config
from jun_engine.domain.messages import MessageKind
from jun_engine.domain.residents import Admission, AdmissionOutcome
from jun_engine.domain.routing import Intent, Layer, Routing, Urgency
from jun_engine.domain.statuses import CaseStatus, OutboxKind, Privacy
from jun_engine.outbox.api import Priority
from jun_engine.store.tables import CaseRow, OutboxRow
from tests.cases.conftest import MONDAY, RESIDENT_ID, StoreMessage, ids, notified_by_dm
from tests.stages import open_case


def routed(
    department: str,
    category: str | None = None,
    urgency: Urgency = Urgency.NORMAL,
) -> Routing:
    return Routing(department, category, Intent.COMPLAINT, urgency, 1.0, Layer.KEYWORD)


def admitted(resident_id: int | None) -> Admission:
    return Admission(AdmissionOutcome.ADMITTED, resident_id=resident_id)


def outbox(session: Session) -> list[OutboxRow]:
    return list(session.exec(select(OutboxRow).order_by(OutboxRow.id)))  # type: ignore[arg-type]


def test_a_public_mention_gets_one_public_reply_with_reference_and_department_handle(
    session: Session,
    config: Config,
    store_message: StoreMessage,
    verified_resident: Callable[..., int],
) -> None:
    # Given a verified resident's mention of the town about a streetlight
    resident = verified_resident(language="es")
    message = store_message("@AytoJun la farola de la calle Real está fundida")

    # When its case opens
    case_id = open_case(
        session, message, admitted(resident), routed("public_works", "streetlights"), config, MONDAY
    )

    # Then the case is acknowledged with a reference of this year
    case = session.get(CaseRow, case_id)
    assert case is not None
    assert case.reference == "JUN-2026-000001"
    assert case.status is CaseStatus.ACKNOWLEDGED
    assert case.privacy is Privacy.PUBLIC
    assert case.author_id == RESIDENT_ID
    # And the resident gets one reply from the town, in Spanish, naming @JunObras
    rows = outbox(session)
    replies = [r for r in rows if r.kind is OutboxKind.REPLY]
    assert len(replies) == 1
    assert replies[0].account_id == ids(config)["town"]
    assert replies[0].target == message.platform_id
    assert replies[0].text.startswith("Hemos registrado")
    assert "JUN-2026-000001" in replies[0].text  # unique already: no "(ref. ...)" tag beside it
    assert "(ref." not in replies[0].text
    assert "@JunObras" in replies[0].text
    # And the department hears of it by that mention, not by a DM
    assert [r for r in rows if r.kind is OutboxKind.DM] == []
    # And the history says opened, routed, acknowledged, notified (and how)
    events = history(session, case_id)
    assert [e.kind for e in events] == ["opened", "routed", "acknowledged", "notified"]
    told = "public_works: mentioned in the acknowledgement; digest and web desk"
    assert events[-1].detail == told


def test_a_department_that_asks_for_dms_gets_one_with_the_summary_and_link(
    session: Session, config: Config, store_message: StoreMessage
) -> None:
    # Given public works asks to be told of new cases by DM
    config = notified_by_dm(config, "public_works")
    message = store_message("@AytoJun la farola de la calle Real está fundida")

    # When a case opens for it
    open_case(session, message, admitted(None), routed("public_works"), config, MONDAY)

    # Then its account gets one DM from the town with the summary and link
    dms = [r for r in outbox(session) if r.kind is OutboxKind.DM]
    assert [(d.account_id, d.target) for d in dms] == [
        (ids(config)["town"], ids(config)["public_works"])
    ]
    assert "farola de la calle Real" in dms[0].text
    assert f"https://x.com/i/web/status/{message.platform_id}" in dms[0].text


def test_references_count_up_per_year_and_restart_in_a_new_year(
    session: Session, config: Config, store_message: StoreMessage
) -> None:
    first = store_message("@AytoJun bache en la calle Ancha")
    second = store_message("@AytoJun otro bache")
    new_year = MONDAY.replace(year=2027, month=1, day=4)
    third = store_message("@AytoJun y otro más", at=new_year)
    refs = [
        session.get(
            CaseRow, open_case(session, m, admitted(None), routed("public_works"), config, at)
        )
        for m, at in ((first, MONDAY), (second, MONDAY), (third, new_year))
    ]
    assert [c.reference for c in refs if c] == [
        "JUN-2026-000001",
        "JUN-2026-000002",
        "JUN-2027-000001",
    ]


def test_opening_the_same_message_twice_returns_the_same_case(
    session: Session, config: Config, store_message: StoreMessage
) -> None:
    message = store_message("@AytoJun bache en la calle Ancha")
    first = open_case(session, message, admitted(None), routed("public_works"), config, MONDAY)
    again = open_case(session, message, admitted(None), routed("public_works"), config, MONDAY)
    assert first == again
    assert len(outbox(session)) == 1  # one reply


def test_a_mention_in_a_private_category_is_answered_in_public_only_with_a_pointer_to_dm(
    session: Session, config: Config, store_message: StoreMessage
) -> None:
    # Given a public mention that is a police tip (a private category)
    text = "@AytoJun aviso confidencial: trapicheo cada noche en el portal 7 de la calle Eras"
    message = store_message(text)

    # When its case opens
    case_id = open_case(session, message, admitted(None), routed("police", "tips"), config, MONDAY)

    # Then the case is private; the public reply only points to a DM
    case = session.get(CaseRow, case_id)
    assert case is not None
    assert case.privacy is Privacy.PRIVATE
    rows = outbox(session)
    public = [r for r in rows if r.kind is not OutboxKind.DM]
    assert len(public) == 1
    assert "mensaje directo" in public[0].text
    assert "trapicheo" not in public[0].text
    assert "Eras" not in public[0].text
    # And the acknowledgement goes by DM to the resident; the police, who ask for DMs
    # (accounts.yaml), get one without a word of the resident's
    dms = {r.target: r for r in rows if r.kind is OutboxKind.DM}
    assert case.reference in dms[RESIDENT_ID].text
    to_police = dms[ids(config)["police"]]
    assert case.reference in to_police.text
    assert "trapicheo" not in to_police.text


def test_a_dm_is_acknowledged_by_dm_from_the_account_it_reached(
    session: Session, config: Config, store_message: StoreMessage
) -> None:
    message = store_message(
        "I'd like to book an appointment to see the doctor", kind=MessageKind.DM, handle=None
    )
    case_id = open_case(
        session, message, admitted(None), routed("health", "appointments"), config, MONDAY
    )
    case = session.get(CaseRow, case_id)
    assert case is not None
    assert case.privacy is Privacy.PRIVATE
    assert case.language == "en"
    rows = outbox(session)
    assert all(r.kind is OutboxKind.DM and r.private for r in rows)
    ack = next(r for r in rows if r.target == RESIDENT_ID)
    assert ack.account_id == ids(config)["town"]
    assert ack.text.startswith("We have received your message. Reference: JUN-2026-000001")
    assert [r.target for r in rows] == [RESIDENT_ID]  # health reads it on the desk
    assert history(session, case_id)[-1].detail == "health: digest and web desk"


def test_the_acknowledgement_is_in_the_residents_language(
    session: Session,
    config: Config,
    store_message: StoreMessage,
    verified_resident: Callable[..., int],
) -> None:
    resident = verified_resident(language="th")
    message = store_message("@AytoJun ไฟถนนดับ")
    open_case(session, message, admitted(resident), routed("public_works"), config, MONDAY)
    reply = next(r for r in outbox(session) if r.kind is OutboxKind.REPLY)
    assert "เราได้รับเรื่องของคุณแล้ว" in reply.text


def test_a_mention_of_the_departments_own_account_is_acknowledged_from_that_account(
    session: Session, config: Config, store_message: StoreMessage
) -> None:
    message = store_message("@JunAguas fuga en la calle Real", to="water")
    open_case(session, message, admitted(None), routed("water", "leaks"), config, MONDAY)
    reply = next(r for r in outbox(session) if r.kind is OutboxKind.REPLY)
    assert reply.account_id == ids(config)["water"]


def test_an_emergency_jumps_the_queue_and_its_due_times_follow_opening_hours(
    session: Session, config: Config, store_message: StoreMessage
) -> None:
    # Given a flood reported on Friday 13:30 local time (water: 2h first response, 9-14 M-F)
    friday = MONDAY.replace(day=6, hour=12, minute=30)
    message = store_message("@AytoJun se inunda la calle Real", at=friday)
    case_id = open_case(
        session,
        message,
        admitted(None),
        routed("water", "leaks", Urgency.EMERGENCY),
        config,
        friday,
    )
    case = session.get(CaseRow, case_id)
    assert case is not None
    assert all(r.priority == Priority.EMERGENCY for r in outbox(session))
    # Then 30 minutes count on Friday and the other 90 on Monday from 09:00 local
    assert case.first_response_due == MONDAY.replace(day=9, hour=9, minute=30)
    assert case.resolution_due is not None
    assert case.resolution_due > friday + timedelta(days=3)


def test_a_category_of_an_outside_body_is_forwarded_and_says_who_fixes_it(
    session: Session, config: Config, store_message: StoreMessage
) -> None:
    message = store_message("@AytoJun otra vez sin luz en el Centro #EndesaMeEstresa")
    case_id = open_case(
        session, message, admitted(None), routed("public_works", "power_cuts"), config, MONDAY
    )
    case = session.get(CaseRow, case_id)
    assert case is not None
    assert case.status is CaseStatus.FORWARDED
    assert case.external_body == "endesa"
    reply = next(r for r in outbox(session) if r.kind is OutboxKind.REPLY)
    assert "@EndesaClientes" in reply.text
