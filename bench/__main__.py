"""Run benchmarks: `python -m bench` runs all, `python -m bench NAME ...` some, `--list` names them.

Each benchmark is a module `bench/bench_NAME.py` exposing `TITLE: str` and `run() -> str`, which
returns the Markdown body of its section; this runner stamps it with the command and the machine.
A module that sets `IN_ALL = False` (one that runs for many minutes) is left out of "all" and runs
only by name; `--list` marks it.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

from bench.report import write_section


def available() -> list[str]:
    """The names of every benchmark module, in alphabetical order."""
    here = Path(__file__).parent
    return sorted(
        m.name.removeprefix("bench_")
        for m in pkgutil.iter_modules([str(here)])
        if m.name.startswith("bench_")
    )


def in_all(name: str) -> bool:
    """Whether `python -m bench` (all) runs the benchmark `name`."""
    return bool(getattr(importlib.import_module(f"bench.bench_{name}"), "IN_ALL", True))


def main(argv: list[str]) -> int:
    names = available()
    if "--list" in argv:
        print("\n".join(n if in_all(n) else f"{n} (by name only)" for n in names))
        return 0
    chosen = argv or [n for n in names if in_all(n)]
    unknown = sorted(set(chosen) - set(names))
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(names)}")
        return 2
    for name in chosen:
        module = importlib.import_module(f"bench.bench_{name}")
        print(f"running {name} ...", flush=True)
        body = module.run()
        write_section(name, module.TITLE, body)
        print(body, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
