"""Staff replies seen on a department's own timeline are recorded once on their case; a
configured hashtag resolves it; posts the engine made itself are not staff replies."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from jun_engine.cases.follow import follow_department_posts
from jun_engine.cases.repository import history
from jun_engine.channels.results import Post
from jun_engine.config.schema import Config
from jun_engine.domain.statuses import CaseStatus
from jun_engine.store.tables import CaseRow, OutboxRow
from tests.cases.conftest import MONDAY, StoreMessage, ids
from tests.cases.test_opening import admitted, routed
from tests.stages import open_case

LATER = MONDAY + timedelta(hours=1)


def open_streetlight(session: Session, config: Config, store_message: StoreMessage) -> CaseRow:
    message = store_message("@AytoJun farola fundida en la calle Real")
    case = session.get(
        CaseRow,
        open_case(session, message, admitted(None), routed("public_works"), config, MONDAY),
    )
    assert case is not None
    return case


def staff_post(config: Config, post_id: str, in_reply_to: str, text: str) -> Post:
    return Post(
        id=post_id,
        author_id=ids(config)["public_works"],
        text=text,
        created_at=LATER,
        conversation_id=in_reply_to,
        in_reply_to_id=in_reply_to,
        hashtags=tuple(w for w in text.split() if w.startswith("#")),
    )


def test_a_staff_reply_in_the_thread_is_recorded_once_as_the_first_response(
    session: Session, config: Config, store_message: StoreMessage
) -> None:
    case = open_streetlight(session, config, store_message)
    message_id = session.exec(select(OutboxRow.target).where(OutboxRow.kind == "reply")).one()
    post = staff_post(config, "2000000000000000001", message_id or "", "@lola_jun Vamos hoy.")
    assert follow_department_posts(session, [post], config, LATER) == 1
    assert follow_department_posts(session, [post], config, LATER) == 0
    assert case.first_response_at == LATER
    assert case.status is CaseStatus.ANSWERED
    assert [e.kind for e in history(session, case.id or 0)].count("staff_reply") == 1


def test_a_resolved_hashtag_resolves_the_case(
    session: Session, config: Config, store_message: StoreMessage
) -> None:
    case = open_streetlight(session, config, store_message)
    message_id = session.exec(select(OutboxRow.target).where(OutboxRow.kind == "reply")).one()
    post = staff_post(config, "2000000000000000002", message_id or "", "Arreglada #Resuelto")
    follow_department_posts(session, [post], config, LATER)
    assert case.status is CaseStatus.RESOLVED
    assert case.survey_sent_at == LATER


def test_posts_outside_any_case_or_by_the_engine_or_by_residents_are_not_recorded(
    session: Session, config: Config, store_message: StoreMessage
) -> None:
    case = open_streetlight(session, config, store_message)
    ack = session.exec(select(OutboxRow).where(OutboxRow.kind == "reply")).one()
    ack.platform_id = "2000000000000000009"
    session.add(ack)
    posts = [
        staff_post(config, "2000000000000000003", "1234", "Buenos días, Jun"),
        staff_post(config, "2000000000000000009", ack.target or "", "our own acknowledgement"),
        Post("2000000000000000004", "9000000001", "me too", LATER, in_reply_to_id=ack.target),
    ]
    assert follow_department_posts(session, posts, config, LATER) == 0
    assert case.status is CaseStatus.ACKNOWLEDGED


def test_the_engines_own_post_seen_before_its_id_was_recorded_is_not_a_staff_reply(
    session: Session, config: Config, store_message: StoreMessage
) -> None:
    # The acknowledgement landed, but the sender has not recorded its id yet (the answer to the
    # POST was lost, or the timeline was read in between): its text gives it away.
    case = open_streetlight(session, config, store_message)
    ack = session.exec(select(OutboxRow).where(OutboxRow.kind == "reply")).one()
    ack.account_id = ids(config)["public_works"]
    session.add(ack)
    post = staff_post(config, "2000000000000000011", ack.target or "", ack.text)
    assert follow_department_posts(session, [post], config, LATER) == 0
    assert case.first_response_at is None


def test_a_staff_reply_seen_before_its_case_opened_is_recorded_when_read_again(
    session: Session, config: Config, store_message: StoreMessage
) -> None:
    # Staff answered in the thread before the engine had opened the case: nothing to record yet.
    message = store_message("@AytoJun farola fundida en la calle Mayor")
    early = staff_post(config, "2000000000000000012", message.platform_id, "Vamos mañana.")
    assert follow_department_posts(session, [early], config, MONDAY) == 0
    # The timeline keeps being read again for a while: once the case is open, it is recorded.
    open_case(session, message, admitted(None), routed("public_works"), config, MONDAY)
    assert follow_department_posts(session, [early], config, LATER) == 1
