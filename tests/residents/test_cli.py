"""`jun-engine residents`: the town-hall desk's commands, their output and their refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner, Result

from jun_engine.cli.app import app
from jun_engine.cli.exit_codes import ExitCode
from jun_engine.store.tables import ResidentRow, VerificationCodeRow
from tests.residents.conftest import ROOT

CONFIG = ROOT / "accounts.yaml"


def run(db_url: str, *args: str, stdin: str | None = None) -> Result:
    """Run `jun-engine --config accounts.yaml --db DB residents ARGS`."""
    command = ["--config", str(CONFIG), "--db", db_url, "residents", *args]
    return CliRunner().invoke(app, command, input=stdin)


@pytest.fixture
def db(engine: Engine) -> str:
    """The URL of a database at head (SQLite and PostgreSQL)."""
    return engine.url.render_as_string(hide_password=False)


def test_the_desk_workflow(db: str, engine: Engine) -> None:
    # When staff enrol a resident
    enrolled = run(db, "enrol", "María Núñez", "--district", "centro", "--topic", "water_cuts")
    assert enrolled.exit_code == ExitCode.OK, enrolled.output
    # Then the code is printed once, in a panel, with its expiry and where to send it
    assert "One-time verification code" in enrolled.stdout
    assert "@AytoJun" in enrolled.stdout
    assert "expires" in enrolled.stdout
    with Session(engine) as session:
        (code_row,) = session.exec(select(VerificationCodeRow)).all()
    shown = [word for word in enrolled.stdout.split() if len(word) == 9 and word[4] == "-"]
    assert shown
    assert shown[0].replace("-", "") not in code_row.code_hash
    # And the resident is listed, shown and found by id
    listed = run(db, "list", "--json")
    assert [(r["id"], r["name"], r["status"]) for r in json.loads(listed.stdout)] == [
        (1, "María Núñez", "pending")
    ]
    shown_json = json.loads(run(db, "show", "1", "--json").stdout)
    assert [e["kind"] for e in shown_json["history"]] == ["enrolled", "code_issued"]
    # And revoked with a reason, then erased
    assert run(db, "revoke", "1", "--reason", "moved away").exit_code == ExitCode.OK
    erased = run(db, "erase", "1", "--yes")
    assert erased.exit_code == ExitCode.OK, erased.output
    assert "erased" in erased.stdout
    with Session(engine) as session:
        row = session.exec(select(ResidentRow)).one()
    assert (row.name, row.status) == (None, "erased")


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_enrol_json_prints_the_code_for_scripts(db: str) -> None:
    result = run(db, "enrol", "Ann Lee", "-d", "Los Llanos", "--language", "en", "--json")
    document = json.loads(result.stdout)
    assert document["resident_id"] == 1
    assert len(document["code"]) == 9
    assert document["expires_at"].endswith("+00:00")


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_new_code_gives_a_different_code(db: str) -> None:
    first = json.loads(run(db, "enrol", "Ann", "-d", "Centro", "--json").stdout)
    second = json.loads(run(db, "new-code", "1", "--json").stdout)
    assert second["resident_id"] == 1
    assert second["code"] != first["code"]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["enrol", "Ann", "--district", "Atlantis"], ExitCode.USAGE, "invalid district"),
        (["enrol", "Ann", "-d", "Centro", "-t", "fireworks"], ExitCode.USAGE, "invalid topic"),
        (["enrol", "Ann", "-d", "Centro", "--birth-year", "1850"], ExitCode.USAGE, "birth year"),
        (["enrol", "Ann", "-d", "Centro", "--birth-year", "old"], ExitCode.USAGE, "'--birth-year'"),
        (["enrol", "  ", "-d", "Centro"], ExitCode.USAGE, "invalid name"),
        (["enrol", "Ann"], ExitCode.USAGE, "--district"),
        (["show", "42"], ExitCode.FAILURE, "no resident '42'"),
        (["show", "@nobody"], ExitCode.FAILURE, "no resident '@nobody'"),
        (["show", "María"], ExitCode.FAILURE, "no resident"),
        (["revoke", "42"], ExitCode.FAILURE, "no resident"),
        (["list", "--status", "asleep"], ExitCode.USAGE, "asleep"),
        (["list", "--district", "Atlantis"], ExitCode.USAGE, "invalid district"),
    ],
)
def test_bad_input_gets_one_clear_line_and_an_exit_code(
    db: str, args: list[str], code: ExitCode, message: str
) -> None:
    result = run(db, *args)
    assert result.exit_code == code, result.output
    assert message in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_erase_asks_first_and_refuses_without_a_terminal(db: str) -> None:
    run(db, "enrol", "Ann", "-d", "Centro")
    result = run(db, "erase", "1")
    assert result.exit_code == ExitCode.USAGE
    assert "without --yes" in result.output
    assert json.loads(run(db, "show", "1", "--json").stdout)["name"] == "Ann"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_an_erased_resident_cannot_be_changed(db: str) -> None:
    run(db, "enrol", "Ann", "-d", "Centro")
    run(db, "erase", "1", "--yes")
    for args in (["erase", "1", "--yes"], ["new-code", "1"], ["revoke", "1"]):
        result = run(db, *args)
        assert result.exit_code == ExitCode.FAILURE
        assert "was erased" in result.output


def test_a_database_behind_or_unreachable_exits_3(tmp_path: Path, db_url: str) -> None:
    # Given a database never migrated, and one that cannot be reached
    behind = run(db_url, "list")
    assert behind.exit_code == ExitCode.DATABASE
    assert "db upgrade" in behind.output
    missing = run(f"sqlite:///{tmp_path}/no/such/dir/jun.db", "list")
    assert missing.exit_code == ExitCode.DATABASE


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_broken_config_exits_2(tmp_path: Path, db: str) -> None:
    broken = tmp_path / "accounts.yaml"
    broken.write_text("town: [", encoding="utf-8")
    result = CliRunner().invoke(app, ["--config", str(broken), "--db", db, "residents", "list"])
    assert result.exit_code == ExitCode.USAGE
    assert "accounts.yaml" in result.output
