"""`jun-engine demo` as a user runs it: a real 20-second run in a subprocess whose JSON summary
holds every invariant, and clear refusals of bad input."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import func, select
from typer.testing import CliRunner

from jun_engine.cli.app import app
from jun_engine.config import load_config
from jun_engine.config.schema import Config
from jun_engine.domain.statuses import StaffRole
from jun_engine.staff import accounts
from jun_engine.staff.passwords import Passwords
from jun_engine.store.engine import create_engine_from_url
from jun_engine.store.session import session_scope
from jun_engine.store.tables import CaseRow

REPO = Path(__file__).resolve().parents[2]
RUN_TIMEOUT = 300
"""Generous: 20 s of demo, and up to a minute more while a loaded machine's engine catches up."""


@pytest.mark.slow
def test_a_twenty_second_demo_loses_nothing_duplicates_nothing_and_leaks_nothing(
    tmp_path: Path,
) -> None:
    # Given the shipped accounts.yaml and the default town (seed 1)
    config = load_config(REPO / "accounts.yaml").config
    departments = set(config.departments)
    # And the directory of an earlier demo, which this one replaces
    (tmp_path / ".jun-demo").write_text("made by jun-engine demo\n")
    (tmp_path / "demo.sqlite3").write_bytes(b"an earlier demo's database")

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
    # And every department a verified resident wrote to was reached, and the town's requests
    # spread over most departments (which ones twenty seconds of a random town write to varies)
    assert summary["departments_missed"] == [], failed
    assert set(summary["departments_reached"]) <= departments
    assert len(summary["departments_reached"]) >= len(departments) - 3, summary
    # And the engine's cost estimate agrees with the emulator's ledger to the cent
    assert summary["api_cost_usd"] == pytest.approx(summary["api_cost_usd_emulator"], abs=0.05)
    # And every pair of figures a town's IT person would compare reconciles (issue 18)
    assert_reconciled(summary)
    # And the process said so: exit 0, progress lines on stderr (no terminal), JSON alone on stdout
    assert done.returncode == 0, failed
    assert "received" in done.stderr
    assert (tmp_path / "demo.log").exists()
    # And the town it leaves can be explored: its clock ended today, and the web desk command
    # printed at the end opens it with a login that works
    assert_explorable(done.stderr, tmp_path / "demo.sqlite3", config)


def assert_explorable(stderr: str, database: Path, config: Config) -> None:
    """The demo's last lines name the web desk command and a login valid on its database."""
    command = re.search(r"^  (jun-engine --config .* web)$", stderr, re.MULTILINE)
    login = re.search(r"sign in as (\S+) with the password (\S+) ", stderr)
    assert command is not None, stderr[-2000:]
    assert login is not None, stderr[-2000:]
    assert f"--db sqlite:///{database}" in command.group(1)
    engine = create_engine_from_url(f"sqlite:///{database}")
    try:
        with session_scope(engine) as session:
            username, password = login.group(1), login.group(2)
            now = datetime.now(UTC)
            staff = accounts.sign_in(session, username, password, now=now, passwords=Passwords())
            last_opened = session.exec(select(func.max(CaseRow.opened_at))).one()
    finally:
        engine.dispose()
    assert isinstance(staff, accounts.Staff)
    assert staff.role is StaffRole.ADMIN
    today = datetime.now(ZoneInfo(config.town.timezone)).date()
    assert last_opened is not None
    ended = last_opened.astimezone(ZoneInfo(config.town.timezone)).date()
    assert abs((today - ended).days) <= 1, f"the town's last case was on {ended}, not {today}"


def assert_reconciled(summary: dict[str, Any]) -> None:
    """The identities between the JSON summary's figures, as a reader would check them."""
    assert [c["name"] for c in summary["checks"] if c["name"] == "figures reconcile"] == [
        "figures reconcile"
    ]
    # received vs stored: the code DMs, and the engine's own posts and DMs its accounts read
    assert summary["messages_received"] + summary["verification_dms"] == (
        summary["messages_stored"] + summary["lost"]
    )
    assert summary["messages_stored_total"] == (
        summary["messages_stored"] + summary["engine_own_messages"]
        + summary["other_messages_stored"] + summary["duplicates"]
    )  # fmt: skip
    # acknowledged vs cases: cases are counted, not acknowledgement replies and DMs
    assert summary["acknowledgements"] == summary["cases_opened"]
    assert summary["acknowledgement_messages"] >= summary["acknowledgements"]
    # staff replies in the town vs recorded on cases
    assert summary["staff_replies"] == (
        summary["staff_replies_recorded"] + summary["staff_replies_no_case"]
        + summary["staff_replies_not_recorded"]
    )  # fmt: skip
    # the cost against the cap: per UTC day, adding up to the total
    assert sum(summary["api_cost_by_day"].values()) == pytest.approx(
        summary["api_cost_usd"], abs=0.001
    )
    assert summary["daily_spend_cap_usd"] > 0
    # latencies in town seconds and in real seconds
    for name in ("ack_latency_p50", "ack_latency_p95"):
        town, real = summary[f"{name}_s"], summary[f"{name}_real_s"]
        assert real == pytest.approx(town / summary["speed"], abs=0.01)


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


def test_a_directory_holding_a_database_no_demo_made_is_refused(tmp_path: Path) -> None:
    (tmp_path / "demo.sqlite3").write_bytes(b"")
    result = CliRunner().invoke(app, ["demo", "--dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "already holds a demo database" in result.output


def test_demo_help_wraps_its_paragraphs_at_the_terminal_not_at_the_source() -> None:
    result = CliRunner().invoke(app, ["demo", "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0
    lines = [line.strip() for line in result.output.splitlines()]
    # a source line break used to end a help line after a few words ("the daemon with")
    assert "the daemon with" not in lines
    start = next(n for n, line in enumerate(lines) if line.startswith("Starts the X emulator"))
    paragraph = lines[start : lines.index("", start)]
    assert len(paragraph) >= 3
    assert all(len(line) >= 60 for line in paragraph[:-1]), paragraph  # full lines, then the end
