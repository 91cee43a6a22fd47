"""Where each value of accounts.yaml sits in the file: field paths mapped to line and column."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from jun_engine.config.leaks import looks_like_secret
from jun_engine.config.problems import Problem, Severity

FieldPath = tuple[str | int, ...]
"""A value's place in the document: ('departments', 'water', 'hours', 'mon', 0)."""

Anchor = Literal["key", "value"]


@dataclass(frozen=True, slots=True)
class Mark:
    """A 1-based line and column."""

    line: int
    column: int


def format_path(path: FieldPath) -> str:
    """`departments.water.hours.mon[0]`."""
    text = ""
    for part in path:
        name = _readable(part)
        text += f"[{part}]" if isinstance(part, int) else (f".{name}" if text else name)
    return text


def _readable(part: str | int) -> str:
    """A key as a path may show it: secrets masked, control characters escaped, length capped."""
    if isinstance(part, int):
        return str(part)
    if looks_like_secret(part):
        return "<masked>"
    name = part if part.isprintable() else repr(part)
    return name if len(name) <= 60 else f"{name[:60]}..."


@dataclass
class SourceMap:
    """The marks of every key and value of one document, to point problems at the right line."""

    file: str
    keys: dict[FieldPath, Mark] = field(default_factory=dict)
    values: dict[FieldPath, Mark] = field(default_factory=dict)

    def locate(self, path: FieldPath, at: Anchor = "value") -> Mark:
        """The mark of `path`, or of its nearest ancestor that is in the file (a missing key)."""
        first, second = (self.keys, self.values) if at == "key" else (self.values, self.keys)
        for end in range(len(path), 0, -1):
            prefix = path[:end]
            found = first.get(prefix) or second.get(prefix)
            if found is not None:
                return found
        return Mark(1, 1)

    def problem(
        self,
        path: FieldPath,
        message: str,
        severity: Severity = Severity.ERROR,
        *,
        at: Anchor = "value",
    ) -> Problem:
        """A problem about the value (or key) at `path`, located in this file."""
        mark = self.locate(path, at)
        return Problem(self.file, mark.line, mark.column, format_path(path), severity, message)
