"""A token in a YAML comment is refused like one in a value, never echoed; absurdly long text
is refused with its file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from jun_engine.cli.app import app
from jun_engine.config import ConfigError, load_config
from tests.config.test_leaks import ACCESS_TOKEN, BEARER  # fake, secret-shaped values

REPO = Path(__file__).parents[2]
SHIPPED = REPO / "accounts.yaml"


def _shipped_with(tmp_path: Path, old: str, new: str) -> tuple[Path, int]:
    """The shipped file with one line changed; the changed line's number."""
    text = SHIPPED.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "accounts.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path, text[: text.index(old)].count("\n") + 1


@pytest.mark.parametrize(
    ("comment", "secret"),
    [
        (f"  # old token: {ACCESS_TOKEN} (revoked?)", ACCESS_TOKEN),
        (f"  #{BEARER}", BEARER),
        (f'  # bearer "{BEARER}",', BEARER),
    ],
    ids=["after-a-value", "glued-to-the-hash", "quoted-in-prose"],
)
def test_a_token_in_a_comment_is_refused_without_being_echoed(
    tmp_path: Path, comment: str, secret: str
) -> None:
    path, line = _shipped_with(tmp_path, "  name: Jun\n", f"  name: Jun{comment}\n")

    with pytest.raises(ConfigError) as refused:
        load_config(path)

    problems = [p for p in refused.value.problems if p.path == "(comment)"]
    assert [(p.line, p.is_error) for p in problems] == [(line, True)]
    assert secret not in str(refused.value)
    result = CliRunner().invoke(app, ["check", str(path), "--target", "emulator"])
    assert result.exit_code == 2
    assert f"accounts.yaml:{line}:" in result.output
    assert "comment" in result.output
    assert secret not in result.output
    assert secret[:12] not in result.output


def test_ordinary_comments_of_the_shipped_file_pass() -> None:
    assert load_config(SHIPPED).config.town.name == "Jun"


def test_a_900000_character_town_name_is_refused_with_file_line_and_field(
    tmp_path: Path,
) -> None:
    path, line = _shipped_with(tmp_path, "  name: Jun\n", f"  name: {'J' * 900_000}\n")

    result = CliRunner().invoke(app, ["check", str(path), "--target", "emulator"])

    assert result.exit_code == 2
    assert f"accounts.yaml:{line}:9: error: town.name: string should have at most" in result.output
    assert "900000 characters" in result.output
    assert len(result.output) < 5_000  # the name is cut, not echoed
