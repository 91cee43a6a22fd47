"""Codes are never stored or shown in clear, wherever they arrive, and a code that arrives is
used up: from a verified account too. Ordinary messages stay byte-exact."""

from __future__ import annotations

import json
from datetime import timedelta
from itertools import count
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from jun_engine.cli.app import app
from jun_engine.config.schema import Config
from jun_engine.domain.messages import Channel, MessageKind
from jun_engine.domain.residents import AdmissionOutcome, ResidentEventKind
from jun_engine.domain.statuses import MessageStatus
from jun_engine.emulator.clock import Clock
from jun_engine.pipeline.chain import Chain
from jun_engine.pipeline.process import process_all
from jun_engine.pipeline.verify import Verifier
from jun_engine.residents.codes import grouped, normalise
from jun_engine.residents.enrolment import issue_code
from jun_engine.residents.repository import history
from jun_engine.routing.setup import build_router
from jun_engine.store.session import session_scope
from jun_engine.store.tables import CaseRow, InboundMessageRow
from tests.residents.conftest import ROOT, Inbox
from tests.residents.scene import INTRUDER, MARIA, STAFF, START, admit, enrolled, process

NUMBERS = count(2_000_000_000_000_000_001)


def forms(code: str) -> list[str]:
    """The ways a code could be seen (in any case): as printed, normalised, spaced."""
    plain = normalise(code)
    return [plain, grouped(plain), grouped(plain).replace("-", " ")]


def assert_nowhere(code: str, *texts: str) -> None:
    for text in texts:
        for form in forms(code):
            assert form.upper() not in text.upper(), f"{form!r} in {text[:200]!r}"


def dm(engine: Engine, config: Config, author: str, text: str) -> int:
    """Store a DM to the town account as the intake does (raw JSON included); its row id."""
    town = config.town_account().user_id
    number = str(next(NUMBERS))
    event = {
        "id": number,
        "event_type": "MessageCreate",
        "text": text,
        "sender_id": author,
        "dm_conversation_id": f"{author}-{town}",
        "created_at": "2026-03-02T09:00:00.000Z",
    }
    with session_scope(engine) as session:
        row = InboundMessageRow(
            channel=Channel.X,
            kind=MessageKind.DM,
            platform_id=number,
            account_id=town,
            author_id=author,
            author_handle="maria_jun" if author == MARIA else None,
            text=text,
            created_at=START,
            received_at=START,
            conversation_id=f"{author}-{town}",
            raw=json.dumps(event, ensure_ascii=False),
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        return row.id


@pytest.fixture
def chain(config: Config) -> Chain:
    return Chain.build(config, build_router(config, config_dir=ROOT))


@pytest.fixture
def verified_maria(engine: Engine, config: Config, chain: Chain) -> int:
    """María, verified through the real chain; her resident id."""
    with session_scope(engine) as session:
        issued = enrolled(session, config)
    dm(engine, config, MARIA, issued.code)
    process_all(engine, Clock.stepped(START), config, chain)
    return issued.resident_id


def stored(engine: Engine, row_id: int) -> InboundMessageRow:
    with Session(engine) as session:
        row = session.get(InboundMessageRow, row_id)
        assert row is not None
        return row


def test_a_valid_code_from_a_verified_account_is_used_up_and_never_becomes_a_case(
    engine: Engine, config: Config, chain: Chain, verified_maria: int
) -> None:
    # Given a fresh code issued to María (to move to a new account), sent from her old one
    with session_scope(engine) as session:
        fresh = issue_code(session, config, verified_maria, now=START, actor=STAFF)
    row_id = dm(engine, config, MARIA, f"hola, mi código es {fresh.code}")
    # When the chain processes it
    clock = Clock.stepped(START + timedelta(minutes=1))
    process_all(engine, clock, config, chain)
    # Then no case was opened from it, and the code is nowhere in the stored message
    row = stored(engine, row_id)
    assert row.status is MessageStatus.PROCESSED
    with Session(engine) as session:
        assert session.exec(select(CaseRow).where(CaseRow.message_id == row_id)).first() is None
    assert_nowhere(fresh.code, row.text, row.raw)
    assert "hola, mi código es" in row.text
    # And the code does not stay valid: sent again from another account it is refused
    with session_scope(engine) as session:
        again = dm_row(session, config, INTRUDER, fresh.code)
        admission = admit(session, Verifier(), config, again, clock.now())
    assert admission.outcome is AdmissionOutcome.CODE_REJECTED


def dm_row(session: Session, config: Config, author: str, text: str) -> InboundMessageRow:
    town = config.town_account().user_id
    row = InboundMessageRow(
        channel=Channel.X,
        kind=MessageKind.DM,
        platform_id=str(next(NUMBERS)),
        account_id=town,
        author_id=author,
        text=text,
        created_at=START,
        received_at=START,
    )
    session.add(row)
    session.flush()
    return row


def test_a_request_holding_a_code_shaped_token_is_a_case_with_the_token_masked(
    engine: Engine, config: Config, chain: Chain, verified_maria: int
) -> None:
    # Given a verified resident's request that carries a code-shaped token (a mistyped code)
    token = "HS5P-EJ9Z"
    text = f"La farola de la calle Real está apagada. Por cierto, mi código era {token}"
    row_id = dm(engine, config, MARIA, text)
    plain = dm(engine, config, MARIA, "La fuente de la plaza gotea 💧 \u202eRTL\u202c <b>x</b>")
    # When the chain processes them
    process_all(engine, Clock.stepped(START + timedelta(minutes=1)), config, chain)
    # Then the request is a case whose stored text has the token masked, nothing else changed
    row = stored(engine, row_id)
    with Session(engine) as session:
        case = session.exec(select(CaseRow).where(CaseRow.message_id == row_id)).one()
    assert case.resident_id == verified_maria
    assert_nowhere(token, row.text, row.raw)
    assert row.text.startswith("La farola de la calle Real está apagada. Por cierto")
    # And a message without one is stored byte-exact
    assert stored(engine, plain).text == "La fuente de la plaza gotea 💧 \u202eRTL\u202c <b>x</b>"


def test_a_wrong_code_from_a_stranger_is_stored_masked(
    session: Session, config: Config, verifier: Verifier, inbox: Inbox
) -> None:
    enrolled(session, config)
    row = inbox(INTRUDER, "mi código: zzzz 2222")
    admission = process(session, verifier, config, row, START)
    assert admission.outcome is AdmissionOutcome.CODE_REJECTED
    assert_nowhere("ZZZZ2222", row.text, row.raw)


def test_the_desk_listings_show_no_code(
    engine: Engine, config: Config, chain: Chain, verified_maria: int
) -> None:
    # Given a verified resident who sent a valid code and a request with a code-shaped token
    with session_scope(engine) as session:
        fresh = issue_code(session, config, verified_maria, now=START, actor=STAFF)
    dm(engine, config, MARIA, fresh.code)
    dm(engine, config, MARIA, f"Hay un bache en la calle Real, código {fresh.code.lower()}")
    dm(engine, config, MARIA, "Hay otro bache enorme en la plaza, ABCD-EF23")
    process_all(engine, Clock.stepped(START + timedelta(minutes=1)), config, chain)
    # When staff list and show cases and residents
    url = engine.url.render_as_string(hide_password=False)
    outputs = [_cli(url, "cases", "list", "--json"), _cli(url, "cases", "list")]
    references = [case["reference"] for case in json.loads(outputs[0])]
    assert references
    for reference in references:
        outputs += [
            _cli(url, "cases", "show", reference),
            _cli(url, "cases", "show", reference, "--json"),
        ]
    outputs += [_cli(url, "residents", "list"), _cli(url, "residents", "show", str(verified_maria))]
    # Then no output holds either code
    assert_nowhere(fresh.code, *outputs)
    assert_nowhere("ABCD-EF23", *outputs)
    with Session(engine) as session:
        texts = session.exec(select(InboundMessageRow.text).order_by(col(InboundMessageRow.id)))
        assert_nowhere(fresh.code, *texts)


def _cli(url: str, *args: str) -> str:
    config = Path(ROOT / "accounts.yaml")
    result = CliRunner().invoke(app, ["--config", str(config), "--db", url, *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_live_code_posted_in_public_is_withdrawn_and_masked(
    session: Session, config: Config, verifier: Verifier, inbox: Inbox
) -> None:
    issued = enrolled(session, config)
    # When the resident posts her code in a public mention by mistake
    text = f"@AytoJun hola, mi código es {issued.code}"
    row = inbox(MARIA, text, kind=MessageKind.MENTION)
    assert process(session, verifier, config, row, START).outcome is AdmissionOutcome.WAITING
    # Then it is masked in the stored post, and no one who read it can use it
    assert_nowhere(issued.code, row.text, row.raw)
    assert row.text == "@AytoJun hola, mi código es [code]"
    late = process(session, verifier, config, inbox(INTRUDER, issued.code), START)
    assert late.outcome is AdmissionOutcome.CODE_REJECTED
    kinds = [event.kind for event in history(session, issued.resident_id)]
    assert kinds[-1] is ResidentEventKind.CODE_WITHDRAWN
    # And a public post with a code-shaped token that is no code is kept exactly
    other = inbox(
        INTRUDER, "@AytoJun el coche ABCD-EF23 lleva un mes aparcado", kind=MessageKind.MENTION
    )
    process(session, verifier, config, other, START)
    assert other.text == "@AytoJun el coche ABCD-EF23 lleva un mes aparcado"
