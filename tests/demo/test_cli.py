"""`jun-engine demo` as a user runs it: a real 20-second run in a subprocess whose JSON summary
holds every invariant, and clear refusals of bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jun_engine.cli.app import app
from jun_engine.config import load_config

REPO = Path(__file__).resolve().parents[2]
RUN_TIMEOUT = 120


@pytest.mark.slow
def test_a_twenty_second_demo_loses_nothing_duplicates_nothing_and_leaks_nothing(
    tmp_path: Path,
) -> None:
    # Given the shipped accounts.yaml and the default town (seed 1)
    departments = set(load_config(REPO / "accounts.yaml").config.departments)

    # When the demo runs for 20 seconds with a JSON summary, logging to a directory we keep
    done = subprocess.run(
        [sys.executable, "-m", "jun_engine", "demo", "--duration", "20", "--json",
         "--dir", str(tmp_path)],
        cwd=REPO, capture_output=True, text=True, timeout=RUN_TIMEOUT, check=False,
    )  # fmt: skip
    assert done.stdout.strip(), f"no summary; stderr:\n{done.stderr[-3000:]}"
    summary = json.loads(done.stdout)
    failed = [c for c in summary["checks"] if not c["ok"]]

    # Then every message the town sent was stored exactly once and processed
    assert summary["messages_received"] > 0
    assert summary["lost"] == 0, failed
    assert summary["duplicates"] == 0, failed
    assert summary["unprocessed"] == 0, failed
    # And cases were opened, each acknowledged on X exactly once
    assert summary["cases_opened"] > 0, failed
    assert summary["acknowledgements"] == summary["cases_opened"], failed
    assert summary["duplicate_acknowledgements"] == 0, failed
    # And no private text reached a public post
    assert summary["private_leaks"] == 0, failed
    # And every department was reached (the default town writes to all of them)
    assert set(summary["departments_reached"]) == departments, failed
    assert summary["departments_missed"] == [], failed
    # And the engine's cost estimate agrees with the emulator's ledger to the cent
    assert summary["api_cost_usd"] == pytest.approx(summary["api_cost_usd_emulator"], abs=0.05)
    # And the process said so: exit 0, progress lines on stderr (no terminal), JSON alone on stdout
    assert done.returncode == 0, failed
    assert "received" in done.stderr
    assert (tmp_path / "demo.log").exists()


def test_a_demo_too_short_to_show_anything_is_refused() -> None:
    result = CliRunner().invoke(app, ["demo", "--duration", "1"])
    assert result.exit_code == 2


def test_an_invalid_accounts_yaml_is_refused_without_a_traceback(tmp_path: Path) -> None:
    broken = tmp_path / "accounts.yaml"
    broken.write_text("version: 1\ntown: [not, a, mapping]\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["--config", str(broken), "demo"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "not valid" in result.output


def test_a_directory_that_already_holds_a_demo_is_refused(tmp_path: Path) -> None:
    (tmp_path / "demo.sqlite3").write_bytes(b"")
    result = CliRunner().invoke(app, ["demo", "--dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "already holds a demo database" in result.output
