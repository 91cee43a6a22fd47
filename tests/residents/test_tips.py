"""Anonymous tips to the police are police reports: served from anyone, in Spanish, English and
Thai; where police reports are not open to anyone, the tipster is told how to reach the police
instead of how to verify. A tip is never echoed in public."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from jun_engine.config.schema import Config
from jun_engine.domain.messages import Channel, MessageKind
from jun_engine.domain.residents import AdmissionOutcome
from jun_engine.domain.statuses import OutboxKind
from jun_engine.emulator.clock import Clock
from jun_engine.pipeline.chain import Chain
from jun_engine.pipeline.process import process_all
from jun_engine.pipeline.verify import Verifier
from jun_engine.routing.setup import build_router
from jun_engine.store.session import session_scope
from jun_engine.store.tables import CaseRow, InboundMessageRow, OutboxRow
from tests.residents.conftest import ROOT, Inbox
from tests.residents.scene import INTRUDER, START, outbox, process

TIPS = [
    "Aviso anónimo: hay trapicheo todas las noches en el portal 7 de la calle Real",
    "anonymous tip: drug dealing behind the school every evening",
    "แจ้งเบาะแส มีการค้ายาเสพติดหลังโรงเรียน",
]


@pytest.mark.parametrize("text", TIPS)
def test_an_unverified_tip_is_admitted_as_a_police_report(
    session: Session, config: Config, verifier: Verifier, inbox: Inbox, text: str
) -> None:
    admission = process(session, verifier, config, inbox(INTRUDER, text), START)
    assert admission.outcome is AdmissionOutcome.ADMITTED_OPEN
    assert admission.open_intent == "police_report"


@pytest.mark.parametrize("kind", [MessageKind.DM, MessageKind.MENTION])
def test_a_tip_reaches_the_police_privately_and_is_never_echoed_in_public(
    engine: Engine, config: Config, kind: MessageKind
) -> None:
    chain = Chain.build(config, build_router(config, config_dir=ROOT))
    town = config.town_account().user_id
    text = TIPS[0]
    with session_scope(engine) as session:
        session.add(
            InboundMessageRow(
                channel=Channel.X,
                kind=kind,
                platform_id="3000000000000000001",
                account_id=town,
                author_id=INTRUDER,
                text=f"@AytoJun {text}" if kind is MessageKind.MENTION else text,
                created_at=START,
                received_at=START,
                mentioned_ids=town if kind is MessageKind.MENTION else "",
            )
        )
    process_all(engine, Clock.stepped(START), config, chain)
    with Session(engine) as session:
        (case,) = session.exec(select(CaseRow)).all()
        queued = list(session.exec(select(OutboxRow)).all())
    assert (case.department, case.category, case.privacy) == ("police", "tips", "private")
    # The tipster is told, by DM, that the Policía Local has it
    to_tipster = [item for item in queued if item.target == INTRUDER]
    assert to_tipster
    assert any("Policía Local" in item.text for item in to_tipster)
    # And nothing public quotes the tip
    public = [item.text for item in queued if item.kind is not OutboxKind.DM]
    assert all("trapicheo" not in post and "portal 7" not in post for post in public)


def test_where_police_reports_need_verification_a_tipster_is_told_how_to_reach_the_police(
    session: Session, config: Config, verifier: Verifier, inbox: Inbox
) -> None:
    strict = config.model_copy(
        update={"verification": config.verification.model_copy(update={"open_to_anyone": []})}
    )
    police = config.accounts[config.departments["police"].account].handle
    for language, text in zip(("es", "en"), TIPS[:2], strict=True):
        author = f"{INTRUDER[:-1]}{len(language)}{language == 'es':d}"
        admission = process(session, verifier, strict, inbox(author, text), START)
        assert admission.outcome is AdmissionOutcome.WAITING
        (answer,) = [item for item in outbox(session) if item.target == author]
        assert f"@{police}" in answer.text
        assert "112" in answer.text
        assert "trapicheo" not in answer.text
        assert "drug" not in answer.text
        assert ("verifica" if language == "es" else "verify") not in answer.text
