"""`jun-engine cases reply` on a case that came in on LINE: the answer goes to the resident's
chat from the town's LINE account, signed by the department (LINE cannot tag an account)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner

from jun_engine.cases.texts import localized
from jun_engine.cli.app import app
from jun_engine.config.schema import Config
from jun_engine.domain.messages import Channel
from jun_engine.domain.residents import Identity
from jun_engine.emulator.line.emulator import LineEmulator
from jun_engine.residents.verification import bind
from jun_engine.routing.router import Router
from jun_engine.store.session import session_scope
from jun_engine.store.tables import OutboxRow, ResidentRow
from tests.channels.line.harness import LineDesk
from tests.emulator.line.clients import friend

CONFIG = Path(__file__).resolve().parents[3] / "accounts.yaml"
REQUEST = "La farola de la calle Mayor 12 lleva tres días apagada"
ANSWER = "Mañana por la mañana pasa la brigada de alumbrado"


def test_staff_reply_on_a_line_case_goes_from_the_towns_line_account_signed(
    engine: Engine, line_emulator: LineEmulator, config: Config, router: Router
) -> None:
    # Given a resident of the register who reported on LINE, and was acknowledged there
    desk = LineDesk(engine, line_emulator, config, router)
    user = friend(line_emulator, "Lola García")
    with session_scope(engine) as session:
        lola = ResidentRow(name="Lola García", district="Centro", enrolled_at=desk.clock.now())
        session.add(lola)
        session.flush()
        bind(session, lola, Identity(Channel.LINE, user), now=desk.clock.now())
    desk.says(user, REQUEST)
    desk.turn()
    with Session(engine) as session:
        case = desk.case(session)
    # When staff answer it from the command line, a minute later
    desk.step(60)
    url = engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(
        app, ["--config", str(CONFIG), "--db", url, "cases", "reply", case.reference, ANSWER]
    )
    assert result.exit_code == 0, result.output
    desk.turn()
    # Then the resident read it in their LINE chat, pushed by the town's account, signed
    department = localized(config.departments[case.department].name, case.language, config)
    last = desk.received(user)[-1]["message"]["text"]
    assert last == f"{ANSWER}\n— {department} ({case.reference})"
    assert desk.ledger()[-1].endpoint == "push"
    with Session(engine) as session:
        row = session.exec(
            select(OutboxRow).where(OutboxRow.idempotency_key == f"case:{case.reference}:answer:1")
        ).one()
        assert (row.channel, row.account_id, row.private) == (Channel.LINE, desk.bot, True)
