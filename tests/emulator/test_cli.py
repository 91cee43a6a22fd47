"""`jun-engine emulator`: a real process that prints its URL and env, serves, stops on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
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
        out, _ = process.communicate(timeout=60)
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


def test_the_background_snippet_gives_the_shell_its_env_and_leaves_no_orphan() -> None:
    # Given the snippet of docs/emulator.md, run by a real shell (it must return, not hang)
    jun_engine = f"{sys.executable} -m jun_engine --config {REPO / 'accounts.yaml'}"
    script = (
        f'eval "$({jun_engine} emulator --background --seed 3)" || exit 9\n'
        'echo "$JUN_X_BASE_URL $JUN_EMULATOR_PID $JUN_X_TOWN_ACCESS_TOKEN"\n'
    )
    done = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    base_url, pid_text, token = done.stdout.split()
    pid = int(pid_text)
    try:
        # Then the emulator serves in the background with the credentials the shell received
        assert token.startswith("1130425167-")
        reply = requests.get(f"{base_url}/_emulator/stats", timeout=10)
        assert reply.json()["accounts"]["town"]["user_id"] == "1130425167"
        assert "stop it with: kill" in done.stderr
        # And `kill $JUN_EMULATOR_PID` stops it: no process is left behind
        os.kill(pid, signal.SIGTERM)
        wait_gone(pid)
    finally:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)


def test_a_background_emulator_that_cannot_start_says_why_and_leaves_nothing() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "jun_engine", "--config", str(REPO / "accounts.yaml"),
         "emulator", "--background", "--faults", "nonsense=2"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "the emulator did not start" in done.stderr
    assert "--faults" in done.stderr
    assert done.stdout == ""


def alive(pid: int) -> bool:
    """Whether `pid` is a running process (a zombie waiting for init to reap it is not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def wait_gone(pid: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while alive(pid):
        assert time.monotonic() < deadline, f"process {pid} still runs {timeout:g} s after SIGTERM"
        time.sleep(0.1)  # between two looks at /proc, not a wait for an outcome
