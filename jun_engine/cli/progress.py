"""Progress of a long command on stderr: a rich bar on a terminal, a few plain lines otherwise."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console

Report = Callable[[str, int, int], None]
"""report(stage, done, total): how far one stage of the work has got."""


@contextmanager
def reporting(console: Console | None = None) -> Iterator[Report]:
    """A `Report` for the work inside the block: one rich bar per stage on a terminal (gone when
    the block ends), else a line `stage: done/total` at the start, every tenth and the end."""
    shown = console or Console(stderr=True, highlight=False)
    if shown.is_terminal:
        with _bars(shown) as report:
            yield report
    else:
        yield _lines(shown)


@contextmanager
def _bars(shown: Console) -> Iterator[Report]:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskID,
        TextColumn,
        TimeElapsedColumn,
    )

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=shown,
        transient=True,
    ) as bars:
        tasks: dict[str, TaskID] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bars.add_task(stage, total=total)
            bars.update(tasks[stage], completed=done, total=total)

        yield report


def _lines(shown: Console) -> Report:
    printed: dict[str, int] = {}

    def report(stage: str, done: int, total: int) -> None:
        tenth = done * 10 // max(total, 1)
        if printed.get(stage) == tenth:
            return
        printed[stage] = tenth
        shown.print(f"{stage}: {done:,}/{total:,}", markup=False)

    return report
