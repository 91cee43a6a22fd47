"""Writes one benchmark's section of docs/benchmarks.md, leaving the other sections as they are."""

from __future__ import annotations

import platform
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

BENCHMARKS_MD = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"

HEADER = """# Benchmarks

Every figure here was written by the command shown above it, on the machine it names. The machine
is shared and noisy: compare the ratios measured within one run, not single timings across runs.
Re-run with `python -m bench` (all but the long runs) or `python -m bench NAME` (one section);
`python -m bench --list` names them all and marks the long ones, which run only by name.
"""


def machine() -> str:
    """A one-line description of where the figures were measured."""
    import os

    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )


def write_section(name: str, title: str, body: str, path: Path = BENCHMARKS_MD) -> None:
    """Replace (or append) the section `name` with `body`, stamped with the command and date."""
    command = "python -m bench " + " ".join(sys.argv[1:]) if sys.argv[1:] else "python -m bench"
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    block = (
        f"<!-- bench:{name} start -->\n## {title}\n\n"
        f"Command: `{command}` ({stamp}; {machine()})\n\n{body.strip()}\n"
        f"<!-- bench:{name} end -->"
    )
    text = path.read_text(encoding="utf-8") if path.exists() else HEADER
    pattern = re.compile(
        rf"<!-- bench:{re.escape(name)} start -->.*?<!-- bench:{re.escape(name)} end -->", re.S
    )
    text = (
        pattern.sub(lambda _m: block, text)
        if pattern.search(text)
        else (text.rstrip() + "\n\n" + block)
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.rstrip() + "\n", encoding="utf-8")
