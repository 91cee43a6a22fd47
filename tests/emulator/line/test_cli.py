"""`jun-engine emulator --line`: a real process that serves LINE (alone or beside X), prints the
env line-bot-sdk needs, and stops on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from linebot.v3.messaging import ApiClient, Configuration, MessagingApi
from typer.testing import CliRunner

from jun_engine.cli.app import app

REPO = Path(__file__).resolve().parents[3]


def _start(*flags: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jun_engine",
            "--config",
            str(REPO / "accounts.yaml"),
            "emulator",
            *flags,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def _exports(process: subprocess.Popen[str], wanted: set[str]) -> dict[str, str]:
    assert process.stdout is not None
    exports: dict[str, str] = {}
    while not wanted <= set(exports):
        line = process.stdout.readline()
        assert line, "the emulator stopped before printing its env"
        if line.startswith("export "):
            name, _, value = line.removeprefix("export ").partition("=")
            exports[name] = value.strip().strip("'")
    return exports


LINE_ENV = {"JUN_LINE_API_URL", "JUN_LINE_CHANNEL_SECRET", "JUN_LINE_CHANNEL_ACCESS_TOKEN"}


def _stop(process: subprocess.Popen[str]) -> str:
    process.send_signal(signal.SIGINT)
    out, _ = process.communicate(timeout=20)
    assert process.returncode == 0
    return out


def test_line_alone_prints_what_the_sdk_needs() -> None:
    process = _start("--line", "--print-env", "--seed", "5")
    try:
        env = _exports(process, LINE_ENV)
        config = Configuration(
            host=env["JUN_LINE_API_URL"], access_token=env["JUN_LINE_CHANNEL_ACCESS_TOKEN"]
        )
        quota = MessagingApi(ApiClient(config)).get_message_quota()
        assert quota.type == "none"  # the CLI's default plan: Japan's local-government plan
        assert len(env["JUN_LINE_CHANNEL_SECRET"]) == 32
    finally:
        out = _stop(process)
    assert "LINE emulator stopped" in out
    assert "X emulator" not in out


def test_line_beside_x_prints_both() -> None:
    process = _start("--line", "--x", "--print-env")
    try:
        env = _exports(process, LINE_ENV | {"JUN_X_BASE_URL"})
        assert env["JUN_X_BASE_URL"] != env["JUN_LINE_API_URL"]
    finally:
        out = _stop(process)
    assert "X emulator stopped" in out
    assert "LINE emulator stopped" in out


@pytest.mark.parametrize(
    "flags", [["--line-faults", "dup=lots"], ["--line-plan", "gold"], ["--line-webhook", "ftp://x"]]
)
def test_bad_line_options_are_usage_errors(flags: list[str]) -> None:
    result = CliRunner().invoke(app, ["emulator", "--line", *flags])
    assert result.exit_code == 2, result.output
    assert flags[1] in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
