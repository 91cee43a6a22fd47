"""`jun-engine outbox list|retry|drain`: what staff see (never a private text), sending failed
items again, draining against the emulator, and clear errors instead of tracebacks."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from jun_engine.cli.app import app
from jun_engine.cli.exit_codes import ExitCode
from jun_engine.domain.messages import Channel, MessageKind
from jun_engine.domain.statuses import OutboxKind, OutboxStatus
from jun_engine.emulator.emulator import Emulator
from jun_engine.emulator.testing import SHIPPED_CONFIG, TEST_START
from jun_engine.outbox.api import Priority, enqueue
from jun_engine.store.session import session_scope
from jun_engine.store.tables import InboundMessageRow
from tests.outbox.conftest import Accounts, XRecord

SECRET = "Su código de verificación es 4821-9932"


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def queued(engine: Engine, accounts: Accounts, resident: str) -> None:
    with session_scope(engine) as session:
        enqueue(
            session,
            key="menu:1",
            account_id=accounts.town,
            kind=OutboxKind.POST,
            text="Menú del lunes: lentejas",
        )
        enqueue(
            session,
            key="code:1",
            account_id=accounts.town,
            kind=OutboxKind.DM,
            target=resident,
            text=SECRET,
        )
        enqueue(
            session,
            key="dm:works",
            account_id=accounts.works,
            kind=OutboxKind.DM,
            target=resident,
            text=SECRET,
        )


@pytest.mark.usefixtures("queued")
def test_list_shows_items_but_never_a_private_text(db_url: str) -> None:
    code, out, _ = run("--db", db_url, "outbox", "list", "--json")

    assert code == ExitCode.OK
    entries = json.loads(out)
    assert [e["key"] for e in entries] == ["dm:works", "code:1", "menu:1"]
    assert entries[2]["preview"] == "Menú del lunes: lentejas"
    assert entries[1]["preview"] is None
    assert entries[1]["length"] == len(SECRET)
    assert "4821" not in out
    code, table, _ = run("--db", db_url, "outbox", "list")
    assert code == ExitCode.OK
    assert "4821" not in table


@pytest.mark.usefixtures("queued")
def test_drain_sends_everything_through_the_emulator_and_retry_requeues_a_failure(
    db_url: str, x_emulator: Emulator, x_record: XRecord, accounts: Accounts
) -> None:
    env = x_emulator.credentials_env()
    drain = ("--config", str(SHIPPED_CONFIG), "--db", db_url, "outbox", "drain", "--until-empty")

    code, _, err = run(*drain, env=env)

    assert code == ExitCode.OK, err
    assert [p["text"] for p in x_record.posts(accounts.town)] == ["Menú del lunes: lentejas"]
    assert [d["text"] for d in x_record.dms(accounts.town)] == [SECRET]
    code, out, _ = run("--db", db_url, "outbox", "list", "--status", "failed", "--json")
    failed = json.loads(out)
    assert [(e["key"], e["failure"]) for e in failed] == [("dm:works", "no_dm_access")]

    code, out, _ = run("--db", db_url, "outbox", "retry", str(failed[0]["id"]))
    assert code == ExitCode.OK
    code, out, _ = run("--db", db_url, "outbox", "list", "--key", "dm:", "--json")
    assert [e["status"] for e in json.loads(out)] == [OutboxStatus.PENDING]


@pytest.mark.usefixtures("queued")
def test_retry_refuses_items_that_did_not_fail(db_url: str) -> None:
    code, _, err = run("--db", db_url, "outbox", "retry", "1", "999")

    assert code == ExitCode.USAGE
    assert "not failed or abandoned" in err


def test_drain_without_credentials_says_which_are_missing(engine: Engine) -> None:
    db_url = str(engine.url.render_as_string(hide_password=False))

    code, _, err = run(
        "--config",
        str(SHIPPED_CONFIG),
        "--db",
        db_url,
        "outbox",
        "drain",
        env={"JUN_X_BASE_URL": "http://127.0.0.1:9"},
    )

    assert code == ExitCode.USAGE
    assert "error:" in err
    assert "JUN_X_" in err


def test_an_unmigrated_database_is_a_database_error(tmp_path: Path) -> None:
    code, _, err = run("--db", str(tmp_path / "new.db"), "outbox", "list")

    assert code == ExitCode.DATABASE
    assert "upgrade" in err


def test_an_invalid_configuration_is_a_usage_error(tmp_path: Path, engine: Engine) -> None:
    broken = tmp_path / "accounts.yaml"
    broken.write_text("town: [unclosed\n")
    db_url = str(engine.url.render_as_string(hide_password=False))

    code, _, err = run("--config", str(broken), "--db", db_url, "outbox", "drain")

    assert code == ExitCode.USAGE
    assert "not a valid configuration" in err


def test_drain_against_an_emulator_that_is_not_there_fails_with_a_message(
    engine: Engine, x_emulator: Emulator
) -> None:
    env = {**x_emulator.credentials_env(), "JUN_X_BASE_URL": "http://127.0.0.1:9"}
    db_url = str(engine.url.render_as_string(hide_password=False))

    code, _, err = run("--config", str(SHIPPED_CONFIG), "--db", db_url, "outbox", "drain", env=env)

    assert code == ExitCode.FAILURE
    assert "cannot read the emulator clock" in err


@pytest.mark.usefixtures("queued")
def test_list_shows_who_sent_what_to_whom_by_handle_and_when_in_the_towns_time(
    db_url: str, engine: Engine, x_emulator: Emulator, accounts: Accounts, resident: str
) -> None:
    # Given a mention Lola wrote (X gave her handle with it) and the town's reply to it
    with session_scope(engine) as session:
        session.add(
            InboundMessageRow(
                channel=Channel.X, kind=MessageKind.MENTION, platform_id="7001",
                account_id=accounts.town, author_id=resident, author_handle="lola_jun",
                text="@AytoJun farola fundida", created_at=TEST_START, mentioned_ids=accounts.town,
            )
        )  # fmt: skip
        enqueue(
            session, key="reply:1", account_id=accounts.town, kind=OutboxKind.REPLY,
            target="7001", text="@lola_jun Gracias, lo miramos",
        )  # fmt: skip
    config = ("--config", str(SHIPPED_CONFIG), "--db", db_url)
    drained, _, err = run(
        *config, "outbox", "drain", "--until-empty", env=x_emulator.credentials_env()
    )
    assert drained == ExitCode.OK, err

    # When staff list the outbox
    code, out, _ = run(*config, "outbox", "list", "--json")

    # Then each item names its sender and recipient by handle, and when it was sent (ISO 8601)
    assert code == ExitCode.OK
    items = {e["key"]: e for e in json.loads(out)}
    assert (items["reply:1"]["sender"], items["reply:1"]["recipient"]) == ("@AytoJun", "@lola_jun")
    assert (items["code:1"]["sender"], items["code:1"]["recipient"]) == ("@AytoJun", "@lola_jun")
    assert items["menu:1"]["recipient"] == "(public)"
    assert items["dm:works"]["sender"] == "@JunObras"
    assert items["code:1"]["sent_at"].endswith("+00:00")
    assert datetime.fromisoformat(items["code:1"]["sent_at"]).tzinfo is not None
    assert out.startswith("[\n  {\n")  # the one JSON style: indented by two
    # And the table says the same, in the town's time with its zone named
    code, table, _ = run(*config, "outbox", "list")
    assert code == ExitCode.OK
    for shown in ("from", "to", "sent", "@AytoJun", "@lola_jun", "times in Europe/Madrid"):
        assert shown in table


@pytest.mark.usefixtures("queued")
def test_list_takes_n_and_says_when_more_are_left(db_url: str) -> None:
    code, out, _ = run("--db", db_url, "outbox", "list", "-n", "2", "--json")
    assert code == ExitCode.OK
    assert [e["key"] for e in json.loads(out)] == ["dm:works", "code:1"]
    code, table, _ = run("--db", db_url, "outbox", "list", "-n", "2")
    assert "the first 2 shown; -n/--limit shows more" in table


def test_list_gives_every_waiting_dm_its_eta_on_the_emulators_clock(
    db_url: str, engine: Engine, x_emulator: Emulator, accounts: Accounts, resident: str
) -> None:
    # Given 17 DMs waiting on the town account, which may send 15 in any 15 minutes
    with session_scope(engine) as session:
        for n in range(17):
            enqueue(
                session,
                key=f"case:{n}:ack",
                account_id=accounts.town,
                kind=OutboxKind.DM,
                target=resident,
                text=f"{SECRET} {n}",
                priority=Priority.ACK,
            )

    # When staff list the outbox with the daemon's environment
    code, out, _ = run("--db", db_url, "outbox", "list", "--json", env=x_emulator.credentials_env())

    # Then the first 15 are due at the emulator's now, the last 2 one window later
    assert code == ExitCode.OK
    etas = Counter(datetime.fromisoformat(e["eta"]) for e in json.loads(out))
    (first, fifteen), (second, two) = sorted(etas.items())
    assert (fifteen, two) == (15, 2)
    assert second - first == timedelta(minutes=15)
    assert abs(first - x_emulator.clock.now()) < timedelta(minutes=1)
    code, table, _ = run("--db", db_url, "outbox", "list", env=x_emulator.credentials_env())
    assert "eta" in table
