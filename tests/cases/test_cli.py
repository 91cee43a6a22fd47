"""`jun-engine cases`: list with filters and --json, show with the private mark, the actions,
and clear errors with exit codes for what does not exist."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner

from jun_engine.cases.repository import by_reference
from jun_engine.cli.app import app
from jun_engine.cli.exit_codes import ExitCode
from jun_engine.config.schema import Config
from jun_engine.domain.messages import Channel, MessageKind
from jun_engine.domain.statuses import CaseStatus
from jun_engine.routing.router import Router
from jun_engine.store.engine import create_engine_from_url
from jun_engine.store.migrate import upgrade
from jun_engine.store.session import session_scope
from jun_engine.store.tables import InboundMessageRow, OutboxRow
from tests.cases.conftest import MONDAY
from tests.stages import process_all

CONFIG = Path(__file__).resolve().parents[2] / "accounts.yaml"


@pytest.fixture
def db(tmp_path: Path, config: Config, router: Router) -> str:
    url = f"sqlite:///{tmp_path / 'jun.db'}"
    upgrade(url)
    engine = create_engine_from_url(url)
    with session_scope(engine) as session:
        for number, (kind, text) in enumerate(
            [
                (MessageKind.MENTION, "@AytoJun la farola de la calle Real está fundida"),
                (MessageKind.DM, "aviso confidencial: trapicheo en el portal 7"),
            ],
            start=1,
        ):
            session.add(
                InboundMessageRow(
                    channel=Channel.X,
                    kind=kind,
                    platform_id=str(10**18 + number),
                    account_id=config.town_account().user_id,
                    author_id="9000000001",
                    text=text,
                    created_at=MONDAY,
                    mentioned_ids=config.town_account().user_id
                    if kind is MessageKind.MENTION
                    else "",
                )
            )
    # Unverified: only the police tip (open to anyone) becomes a case; verify the other first
    from jun_engine.domain.residents import Identity
    from jun_engine.residents.verification import bind
    from jun_engine.store.tables import ResidentRow

    with session_scope(engine) as session:
        lola = ResidentRow(name="Lola", district="Centro", enrolled_at=MONDAY)
        session.add(lola)
        session.flush()
        bind(session, lola, Identity(Channel.X, "9000000001"), now=MONDAY)
    process_all(engine, config, router, MONDAY)
    engine.dispose()
    return url


def run(db: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["--config", str(CONFIG), "--db", db, "cases", *args])
    return result.exit_code, result.output


def test_list_and_show(db: str) -> None:
    code, out = run(db, "list", "--json")
    assert code == 0
    cases = json.loads(out)
    assert [c["reference"] for c in cases] == ["JUN-2026-000002", "JUN-2026-000001"]
    code, out = run(db, "list", "--department", "police")
    assert code == 0
    assert "JUN-2026-000002" in out
    assert "JUN-2026-000001" not in out
    code, out = run(db, "show", "JUN-2026-000002")
    assert code == 0
    assert "PRIVATE" in out
    assert "trapicheo" in out


def test_actions_change_the_case(db: str) -> None:
    assert run(db, "reply", "JUN-2026-000001", "Mañana pasa el electricista")[0] == 0
    assert run(db, "resolve", "jun-2026-000001")[0] == 0
    _, out = run(db, "show", "JUN-2026-000001", "--json")
    assert json.loads(out)["status"] == "resolved"
    assert run(db, "note", "JUN-2026-000002", "llamar al vecino")[0] == 0
    assert run(db, "merge", "JUN-2026-000002", "JUN-2026-000001")[0] == 0


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("show", "JUN-2026-999999"), 1, "no case 'JUN-2026-999999'"),
        (("reroute", "JUN-2026-000001", "bomberos"), 2, "no department 'bomberos'"),
        (("list", "--status", "perdido"), 2, "no status 'perdido'"),
        (("merge", "JUN-2026-000001", "JUN-2026-000001"), 2, "cannot be merged into itself"),
    ],
)
def test_mistakes_are_one_line_and_an_exit_code(
    db: str, args: tuple[str, ...], code: int, message: str
) -> None:
    exit_code, out = run(db, *args)
    assert exit_code == code
    assert message in out
    assert "Traceback" not in out


def test_resolve_says_what_happened_in_a_sentence(db: str) -> None:
    code, out = run(db, "resolve", "JUN-2026-000001")
    assert (code, out.strip()) == (0, "JUN-2026-000001 is now resolved.")
    code, out = run(db, "resolve", "JUN-2026-000001")
    assert (code, out.strip()) == (0, "JUN-2026-000001 was already resolved; nothing changed.")


def test_a_reply_to_a_closed_case_is_refused_unless_it_is_reopened(db: str) -> None:
    engine = create_engine_from_url(db)
    with session_scope(engine) as session:
        case = by_reference(session, "JUN-2026-000001")
        case.status = CaseStatus.CLOSED
        session.add(case)
    # When staff answer the closed case: refused, nothing queued, the case stays closed
    code, out = run(db, "reply", "JUN-2026-000001", "¿Sigue fundida?")
    assert code == ExitCode.USAGE
    assert "JUN-2026-000001: it is closed" in out
    assert "--reopen" in out
    assert outbox_texts(engine) == []
    assert status_of(db, "JUN-2026-000001") == "closed"
    # When they reopen it explicitly: reopened, then answered
    code, _ = run(db, "reply", "--reopen", "JUN-2026-000001", "¿Sigue fundida?")
    assert code == 0
    assert [t for t in outbox_texts(engine) if "¿Sigue fundida?" in t] != []
    assert status_of(db, "JUN-2026-000001") == "answered"
    _, out = run(db, "show", "JUN-2026-000001", "--json")
    kinds = [event["kind"] for event in json.loads(out)["history"]]
    assert kinds.index("reopened") < len(kinds) - 1 - kinds[::-1].index("answer")
    engine.dispose()


def outbox_texts(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return [row.text for row in session.exec(select(OutboxRow)) if "Sigue" in row.text]


def status_of(db: str, reference: str) -> str:
    _, out = run(db, "show", reference, "--json")
    status: str = json.loads(out)["status"]
    return status


def test_show_names_the_resident_and_says_when_each_answer_is_due(db: str) -> None:
    code, out = run(db, "show", "JUN-2026-000001")
    assert code == 0
    assert "from: Lola (resident 1, " in out
    assert "opened:" in out
    assert "(Europe/Madrid)" in out  # the zone of every time shown
    assert "first response: due 2026-" in out
    assert "resolution:     due 2026-" in out
    code, out = run(db, "show", "JUN-2026-000001", "--json")
    document = json.loads(out)
    assert document["resident_name"] == "Lola"
    # JSON: ISO 8601 with its offset, like every other command
    assert document["first_response_due"].endswith("+00:00")
    assert document["opened_at"].endswith("+00:00")
    assert all(event["at"].endswith("+00:00") for event in document["history"])


def test_list_takes_n_like_every_list(db: str) -> None:
    code, out = run(db, "list", "-n", "1", "--json")
    assert code == 0
    assert [c["reference"] for c in json.loads(out)] == ["JUN-2026-000002"]
    code, out = run(db, "list", "-n", "1")
    assert "the first 1 shown; -n/--limit shows more" in out
    assert "times in Europe/Madrid" in out
