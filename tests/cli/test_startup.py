"""Start-up stays light: `jun-engine --help` and `check` import no model, database or channel
library (issue 17; docs/cli.md, "Start-up"). Nothing here is timed: it checks what is imported."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer import _click as click
from typer.main import get_group

from jun_engine.cli import commands
from jun_engine.cli.app import app

REPO = Path(__file__).resolve().parents[2]
HEAVY = (
    "sklearn", "scipy", "numpy", "twitter_text", "alembic", "sqlalchemy", "sqlmodel",
    "tweepy", "httpx", "apscheduler", "starlette", "uvicorn", "linebot", "vl_convert",
)  # fmt: skip
"""What no command may import before it is run: the model, database and channel libraries."""

PROBE = """
import json, sys
from typer.testing import CliRunner
from jun_engine.cli.app import app
result = CliRunner().invoke(app, sys.argv[1:])
heavy = [m for m in json.loads(sys.stdin.read()) if m in sys.modules]
print(json.dumps({"code": result.exit_code, "heavy": heavy}))
"""


def _imported_by(*args: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        input=json.dumps(HEAVY),
        capture_output=True,
        text=True,
        cwd=REPO,
        check=True,
        timeout=300,
    )
    return dict(json.loads(done.stdout.splitlines()[-1]))


@pytest.mark.parametrize("args", [["--help"], ["classifier", "--help"], ["--version"]])
def test_help_imports_no_heavy_library(args: list[str]) -> None:
    assert _imported_by(*args) == {"code": 0, "heavy": []}


def test_no_arguments_shows_the_help_lightly() -> None:
    assert _imported_by()["heavy"] == []


def test_check_imports_no_heavy_library() -> None:
    outcome = _imported_by("-c", str(REPO / "accounts.yaml"), "check", "--json")
    assert outcome["heavy"] == []


def test_the_root_help_lists_each_command_by_its_own_summary() -> None:
    root = get_group(app)
    context = click.Context(root)
    assert root.list_commands(context) == [entry.name for entry in commands.ENTRIES]
    for entry in commands.ENTRIES:
        loaded = commands.load(entry.name)
        assert loaded is not None
        own = (loaded.short_help or loaded.help or "").split("\n\n")[0]
        assert entry.summary == own, entry.name
    assert commands.load("nope") is None
