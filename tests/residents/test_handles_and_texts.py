"""Residents as people read them: by @handle at the desk, and a confirmation that claims only
what is true, in the resident's language with plurals by its rules."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from jun_engine.config.schema import Config
from jun_engine.domain.messages import Channel, MessageKind
from jun_engine.domain.residents import AdmissionOutcome, Identity
from jun_engine.pipeline.verify import Verifier
from jun_engine.residents import texts
from jun_engine.residents.repository import find_row, handle_of, handles_of
from tests.residents.conftest import Inbox
from tests.residents.scene import MARIA, START, enrolled, outbox, process
from tests.residents.test_cli import run


@pytest.fixture
def db(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def verified_without_a_handle_then_tweeting(
    session: Session, config: Config, verifier: Verifier, inbox: Inbox
) -> int:
    """María verifies from a DM X gave no handle with, then mentions the town as @ana_jun."""
    issued = enrolled(session, config)
    code = inbox(MARIA, issued.code, handle=None)
    assert process(session, verifier, config, code, START).outcome is AdmissionOutcome.VERIFIED
    later = START + timedelta(hours=1)
    tweet = inbox(MARIA, "farola", kind=MessageKind.MENTION, handle="ana_jun", at=later)
    # (stored as the intake stores it: verification notes handles of what it processes)
    tweet.status = tweet.status.PROCESSED
    session.add(tweet)
    session.commit()
    return issued.resident_id


def test_a_resident_is_found_by_the_handle_she_tweets_under(
    session: Session, config: Config, verifier: Verifier, inbox: Inbox
) -> None:
    resident_id = verified_without_a_handle_then_tweeting(session, config, verifier, inbox)
    assert find_row(session, "@ana_jun").id == resident_id
    assert find_row(session, "@ANA_JUN").id == resident_id
    maria = Identity(Channel.X, MARIA)
    assert handle_of(session, maria) == "ana_jun"
    assert handle_of(session, Identity(Channel.LINE, MARIA)) is None
    unknown = Identity(Channel.X, "42")
    assert handles_of(session, [maria, unknown, maria]) == {maria: "ana_jun"}


def test_the_desk_lists_and_shows_residents_by_handle_never_by_bare_id(
    session: Session, config: Config, verifier: Verifier, inbox: Inbox, db: str
) -> None:
    verified_without_a_handle_then_tweeting(session, config, verifier, inbox)
    shown = run(db, "show", "@ana_jun")
    assert shown.exit_code == 0, shown.output
    assert "@ana_jun" in shown.stdout
    assert MARIA not in shown.stdout
    listed = run(db, "list")
    assert listed.exit_code == 0, listed.output
    assert "@ana_jun" in listed.stdout
    assert MARIA not in listed.stdout
    document = json.loads(run(db, "show", "@ana_jun", "--json").stdout)
    assert document["identities"] == [{"channel": "x", "user_id": MARIA, "handle": "ana_jun"}]
    verified = [e["account"] for e in document["history"] if e["kind"] == "verified"]
    assert verified == [{"channel": "x", "user_id": MARIA, "handle": "ana_jun"}]


def test_an_account_x_never_named_reads_as_x_colon_id(
    session: Session, config: Config, verifier: Verifier, inbox: Inbox, db: str
) -> None:
    issued = enrolled(session, config)
    process(session, verifier, config, inbox(MARIA, issued.code, handle=None), START)
    shown = run(db, "show", f"x:{MARIA}")
    assert shown.exit_code == 0, shown.output
    assert f"x:{MARIA}" in shown.stdout
    assert f" {MARIA} " not in shown.stdout


def test_the_confirmation_claims_no_waiting_messages_when_there_were_none(
    session: Session, config: Config, verifier: Verifier, inbox: Inbox
) -> None:
    issued = enrolled(session, config)
    process(session, verifier, config, inbox(MARIA, issued.code), START)
    (confirmation,) = outbox(session)
    assert "verificada" in confirmation.text
    assert "antes" not in confirmation.text


def test_the_confirmation_counts_the_messages_that_were_waiting(
    session: Session, config: Config, verifier: Verifier, inbox: Inbox
) -> None:
    issued = enrolled(session, config)
    for text in ("Hay un bache en la calle Real", "¿Y la farola?"):
        process(session, verifier, config, inbox(MARIA, text), START)
    process(session, verifier, config, inbox(MARIA, issued.code), START)
    confirmation = [row for row in outbox(session) if row.idempotency_key.startswith("verify-c")]
    assert confirmation[0].text.endswith(
        "Los 2 mensajes que nos enviaste antes ya están en camino."
    )


@pytest.mark.parametrize(
    ("language", "released", "ending"),
    [
        ("es", 0, "Ya puedes escribirnos."),
        ("es", 1, "El mensaje que nos enviaste antes ya está en camino."),
        ("es", 3, "Los 3 mensajes que nos enviaste antes ya están en camino."),
        ("en", 0, "You can write to us any time."),
        ("en", 1, "The message you sent us before is on its way."),
        ("en", 2, "The 2 messages you sent us before are on their way."),
        ("th", 0, "คุณสามารถส่งข้อความถึงเราได้เลย"),
        ("th", 4, "ข้อความ 4 ข้อความที่คุณส่งมาก่อนหน้านี้กำลังได้รับการดำเนินการ"),
    ],
)
def test_the_confirmation_in_each_language(
    config: Config, language: str, released: int, ending: str
) -> None:
    assert texts.confirmed(config, language, released).endswith(ending)
