"""`jun-engine emulator`: a real process that prints its URL and env, serves, stops on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]


def test_the_command_serves_prints_env_and_stops_on_ctrl_c() -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jun_engine",
            "--config",
            str(REPO / "accounts.yaml"),
            "emulator",
            "--print-env",
            "--seed",
            "3",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        exports: dict[str, str] = {}
        while len(exports) < 3 or "JUN_X_TOWN_ACCESS_TOKEN" not in exports:
            name, _, value = process.stdout.readline().removeprefix("export ").partition("=")
            exports[name] = value.strip()
        assert exports["JUN_X_BASE_URL"] in banner
        reply = requests.get(f"{exports['JUN_X_BASE_URL']}/_emulator/stats", timeout=10)
        assert reply.json()["accounts"]["town"]["user_id"] == "1130425167"
        assert exports["JUN_X_TOWN_ACCESS_TOKEN"].startswith("1130425167-")
    finally:
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=10)
    assert process.returncode == 0
    assert "stopped" in out


def test_a_bad_fault_spec_is_a_usage_error() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "jun_engine",
            "--config",
            str(REPO / "accounts.yaml"),
            "emulator",
            "--faults",
            "5xx=lots",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "5xx=lots" in done.stderr
    assert "Traceback" not in done.stderr
