"""`jun-engine check`: the shipped file passes, the target decides about credentials, JSON works."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jun_engine.cli.app import app
from jun_engine.cli.check import TargetChoice, default_target
from jun_engine.cli.exit_codes import ExitCode
from jun_engine.config import load_config
from jun_engine.config.environment import referenced_variables

REPO = Path(__file__).parents[2]
SHIPPED = REPO / "accounts.yaml"
BROKEN = Path(__file__).parent / "broken"


@pytest.fixture(autouse=True)
def _no_emulator_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JUN_X_BASE_URL", raising=False)
    monkeypatch.delenv("JUN_CONFIG", raising=False)


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_the_shipped_file_passes_against_the_emulator_with_a_summary() -> None:
    code, output = run("check", "--target", "emulator", str(SHIPPED))
    assert code == 0, output
    assert "warning: x.app.consumer_key_env: 25 credential variable(s) not set" in output
    assert "town_hall (triage)" in output
    assert "@PoliciaLocalJun" in output
    assert output.rstrip().endswith("is valid: 11 accounts, 9 departments, 1 school, 1 warning.")


def test_against_real_x_every_credential_must_be_set(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given no credentials in the environment, checking for real X fails
    code, output = run("check", "--target", "x", str(SHIPPED))
    assert code == 2
    assert "JUN_X_POLICE_ACCESS_TOKEN" in output
    assert "invalid" not in output
    # Given all of them, it passes without a warning
    config = load_config(SHIPPED, environ=None).config
    for _, name in referenced_variables(config):
        monkeypatch.setenv(name, "value-from-the-environment")
    code, output = run("check", "--target", "x", str(SHIPPED))
    assert code == 0, output
    assert "warning" not in output.replace("0 warning", "")


def test_the_default_target_is_the_emulator_only_when_one_is_configured(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert default_target({}) is TargetChoice.X
    assert default_target({"JUN_X_BASE_URL": "http://127.0.0.1:8099"}) is TargetChoice.EMULATOR
    assert run("check", str(SHIPPED))[0] == 2
    monkeypatch.setenv("JUN_X_BASE_URL", "http://127.0.0.1:8099")
    assert run("check", str(SHIPPED))[0] == 0


def test_json_output_is_a_list_of_problems() -> None:
    code, output = run("check", "--target", "emulator", "--json", str(BROKEN / "two_triage.yaml"))
    assert code == 2
    problems = json.loads(output)
    assert {tuple(sorted(p)) for p in problems} == {
        ("column", "file", "line", "message", "path", "severity")
    }
    error = next(p for p in problems if p["severity"] == "error")
    assert (error["line"], error["column"], error["path"]) == (29, 13, "departments.water.triage")
    code, output = run("check", "--target", "emulator", "--json", str(SHIPPED))
    assert code == 0
    assert [p["severity"] for p in json.loads(output)] == ["warning"]


def test_the_path_defaults_to_the_global_config_option() -> None:
    code, output = run("--config", str(BROKEN / "no_triage.yaml"), "check", "--target", "emulator")
    assert code == 2
    assert "no_triage.yaml:21:1: error: departments: no department has 'triage: true'" in output


@pytest.mark.parametrize(
    ("name", "words"),
    [("nowhere.yaml", "no such file"), (".", "this is a directory")],
)
def test_a_path_that_is_not_a_file_exits_2_with_words(
    name: str, words: str, tmp_path: Path
) -> None:
    code, output = run("check", str(tmp_path / name))
    assert code == 2
    assert words in output


def test_an_unknown_target_is_a_usage_error() -> None:
    code, output = run("check", "--target", "mastodon", str(SHIPPED))
    assert code == 2
    assert "mastodon" in output


def test_a_fresh_file_without_credentials_says_only_the_environment_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given README step 1: a fresh copy of the shipped file, and no credential in the environment
    fresh = tmp_path / "accounts.yaml"
    fresh.write_text(SHIPPED.read_text(encoding="utf-8"), encoding="utf-8")
    config = load_config(fresh, environ=None).config
    names = sorted({name for _, name in referenced_variables(config)})
    for name in names:
        monkeypatch.delenv(name, raising=False)
    # When it is checked
    code, output = run("check", str(fresh))
    # Then the file is valid and only the environment is missing: which variables, and how to
    # check against the emulator instead
    assert code == ExitCode.USAGE
    assert f"{fresh} is valid; only the environment is missing" in output
    assert f"{len(names)} credential variables are not set" in output
    assert all(name in output for name in names)
    assert "invalid" not in output
    assert "error:" not in output
    assert 'eval "$(jun-engine emulator --background)"' in output
    assert "jun-engine check --target emulator" in output
