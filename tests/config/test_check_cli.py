"""`jun-engine check`: the shipped file passes, the target decides about credentials, JSON works."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jun_engine.cli.app import app
from jun_engine.cli.check import TargetChoice, default_target
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
    assert "error: accounts.police.access_token_env: environment variable " in output
    assert output.rstrip().endswith("is invalid: 25 errors, 0 warnings.")
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
