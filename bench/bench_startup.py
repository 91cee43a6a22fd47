"""Start-up: how long `jun-engine --help`, `check`, `status` and a desk command take to start.

Each command runs several times as a fresh process; the figure is the median CPU time (user +
system, so the shared machine's other work counts less) and its ratio to a bare `python -c pass`
measured in the same run. "Before" imports every command module up front, as the CLI did.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TITLE = "Start-up of the jun-engine command"
ROOT = Path(__file__).resolve().parent.parent
RUNS = 7
BEFORE = "import jun_engine.cli.app; " + "; ".join(
    f"import jun_engine.cli.{m}"
    for m in (
        *("check", "run", "status", "db", "emulator", "classifier", "residents", "outbox"),
        *("menus", "notices", "alert", "slots", "appointments", "cases", "staff", "web", "demo"),
    )
)


def _measure(argv: list[str]) -> tuple[float, float]:
    """(median CPU seconds, median wall seconds) of running `argv` RUNS times."""
    cpu, wall = [], []
    for _ in range(RUNS):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(argv, cwd=ROOT, capture_output=True, check=False)
        wall.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(cpu), statistics.median(wall)


def run() -> str:
    python = sys.executable
    cli = [python, "-m", "jun_engine"]
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{Path(tmp) / 'jun.db'}"
        subprocess.run([*cli, "--db", db, "db", "upgrade"], cwd=ROOT, capture_output=True)
        cases = {
            "`python -c pass` (the yardstick)": [python, "-c", "pass"],
            "before: every command module imported up front": [python, "-c", BEFORE],
            "`jun-engine --help`": [*cli, "--help"],
            "`jun-engine check accounts.yaml`": [*cli, "-c", "accounts.yaml", "check"],
            "`jun-engine status`": [*cli, "-c", "accounts.yaml", "--db", db, "status"],
            "`jun-engine cases list`": [*cli, "-c", "accounts.yaml", "--db", db, "cases", "list"],
        }
        env_note = os.environ.get("JUN_STARTUP_NOTE", "")
        figures = {label: _measure(argv) for label, argv in cases.items()}
    base_cpu, _ = figures["`python -c pass` (the yardstick)"]
    rows = "\n".join(
        f"| {label} | {cpu:.2f} s | {cpu / base_cpu:.1f}x | {wall:.2f} s |"
        for label, (cpu, wall) in figures.items()
    )
    return (
        f"Median of {RUNS} fresh processes each; CPU time is user + system of the child. "
        f"{env_note}\n\n"
        "| command | CPU time | ratio to `python -c pass` | wall time |\n|---|---|---|---|\n" + rows
    )
