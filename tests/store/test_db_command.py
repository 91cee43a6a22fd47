"""`jun-engine db`: upgrade, downgrade, current and check, with words and exit codes a script
can act on, and never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jun_engine.cli.app import app
from jun_engine.cli.exit_codes import ExitCode
from jun_engine.store.migrate import heads

HEAD = ", ".join(heads())


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_check_says_an_empty_database_needs_an_upgrade(db_url: str) -> None:
    code, _, err = run("--db", db_url, "db", "check")
    assert code == ExitCode.DATABASE
    assert "this version needs" in err
    assert "run `jun-engine db upgrade`" in err


def test_upgrade_then_check_and_current(db_url: str) -> None:
    code, out, _ = run("--db", db_url, "db", "upgrade")
    assert (code, f"is at {HEAD} (current)" in out) == (ExitCode.OK, True)
    assert run("--db", db_url, "db", "check")[0] == ExitCode.OK
    code, out, _ = run("--db", db_url, "db", "current", "--json")
    assert code == ExitCode.OK
    shown = json.loads(out)
    assert (shown["current"], shown["head"], shown["state"]) == (
        list(heads()),
        list(heads()),
        "current",
    )
    assert shown["up_to_date"] is True


def test_current_shows_a_table(db_url: str) -> None:
    code, out, _ = run("--db", db_url, "db", "current")
    assert code == ExitCode.OK
    assert "Database schema" in out
    assert "empty" in out


def test_downgrade_needs_yes_when_nobody_can_answer(db_url: str) -> None:
    run("--db", db_url, "db", "upgrade")
    code, _, err = run("--db", db_url, "db", "downgrade", "-1")
    assert code == ExitCode.USAGE
    assert "without --yes" in err
    assert run("--db", db_url, "db", "check")[0] == ExitCode.OK


def test_downgrade_one_step_with_yes(db_url: str) -> None:
    run("--db", db_url, "db", "upgrade")
    code, out, _ = run("--db", db_url, "db", "downgrade", "-1", "--yes")
    assert code == ExitCode.OK
    assert "is at" in out
    assert run("--db", db_url, "db", "check")[0] == ExitCode.DATABASE


def test_an_unknown_revision_is_bad_usage(db_url: str) -> None:
    code, _, err = run("--db", db_url, "db", "upgrade", "--revision", "nope")
    assert code == ExitCode.USAGE
    assert "Can't locate revision identified by 'nope'" in err


@pytest.mark.parametrize("command", [["check"], ["current"], ["upgrade"]])
def test_an_unreachable_database_exits_3_with_words(command: list[str]) -> None:
    url = "postgresql+psycopg://jun:s3cret@127.0.0.1:1/jun"
    code, out, err = run("--db", url, "db", *command)
    assert code == ExitCode.DATABASE
    assert "error: cannot reach the database postgresql+psycopg://jun:***@127.0.0.1:1/jun" in err
    assert "s3cret" not in out + err
    assert "Traceback" not in out + err


def test_an_unsupported_database_url_is_bad_usage() -> None:
    code, _, err = run("--db", "mysql://jun@db/jun", "db", "current")
    assert code == ExitCode.USAGE
    assert "unsupported kind 'mysql'" in err


def test_reading_the_schema_of_a_missing_sqlite_file_does_not_create_it(tmp_path: Path) -> None:
    missing = tmp_path / "typo.db"
    code, _, err = run("--db", str(missing), "db", "check")
    assert code == ExitCode.DATABASE
    assert "database schema is at empty (no tables)" in err
    assert run("--db", str(missing), "db", "current")[0] == ExitCode.OK
    assert not missing.exists()


OPENING_THE_DATABASE = [
    ("db", "upgrade"),
    ("db", "current"),
    ("db", "check"),
    ("status",),
    ("outbox", "list"),
    ("cases", "list"),
    ("residents", "list"),
    ("menus", "list"),
    ("notices", "list"),
    ("slots", "list"),
    ("run", "--once"),
]


@pytest.mark.parametrize("command", OPENING_THE_DATABASE, ids=" ".join)
def test_a_db_in_a_folder_that_does_not_exist_is_named_as_such(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    missing = tmp_path / "no-such-folder"
    code, _, err = run("-c", "accounts.yaml", "--db", str(missing / "jun.db"), *command)
    assert code == ExitCode.DATABASE, err
    assert f"the folder {missing} does not exist" in err
    assert "db upgrade" not in err
    assert not missing.exists()
