"""What is wrong with a configuration: located problems, the error carrying them, did-you-mean."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum

from jun_engine.config.leaks import looks_like_secret


class Severity(StrEnum):
    """An error makes the file invalid; a warning is worth reading but the file still loads."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with accounts.yaml, where it is and what to do about it.

    `line` and `column` are 1-based; both are None only for problems with the file as a whole
    (it is missing, unreadable or too big). `path` is the dotted field path, such as
    `departments.public_works.sla.first_response`, or "" for the whole file.
    """

    file: str
    line: int | None
    column: int | None
    path: str
    severity: Severity
    message: str

    @property
    def is_error(self) -> bool:
        """True when this problem makes the file invalid."""
        return self.severity is Severity.ERROR

    def location(self) -> str:
        """`file:line:column`, or only `file` when the problem has no position."""
        if self.line is None:
            return self.file
        return f"{self.file}:{self.line}:{self.column or 1}"

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"{self.location()}: {self.severity}: {where}{self.message}"

    def to_dict(self) -> dict[str, object]:
        """A plain dict for JSON output."""
        return {**asdict(self), "severity": str(self.severity)}


class ConfigError(Exception):
    """accounts.yaml is invalid; `problems` holds every problem found, errors and warnings."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        errors = [p for p in self.problems if p.is_error]
        lines = "\n".join(str(p) for p in errors)
        super().__init__(f"invalid configuration ({plural(len(errors), 'error')}):\n{lines}")


def plural(count: int, noun: str) -> str:
    """`1 error`, `3 errors`."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """The choice closest to `word` (ignoring case), or None when nothing is close enough."""
    options = list(choices)
    folded = {choice.casefold(): choice for choice in options}
    if word.casefold() in folded:
        return folded[word.casefold()]
    close = difflib.get_close_matches(word.casefold(), list(folded), n=1, cutoff=0.6)
    return folded[close[0]] if close else None


def suggestion(word: str, choices: Iterable[str], *, known: str = "known") -> str:
    """` (did you mean 'x'?)`, or ` (known: a, b, c)` when nothing is close; "" if no choices."""
    options = sorted(choice for choice in choices if not looks_like_secret(choice))
    if not options:
        return ""
    match = did_you_mean(word, options)
    if match is not None:
        return f" (did you mean {match!r}?)"
    listed = ", ".join(options[:12]) + (", ..." if len(options) > 12 else "")
    return f" ({known}: {listed})"


def fatal(file: str, line: int | None, column: int | None, message: str) -> ConfigError:
    """The error for a problem that stops loading at once (the file cannot be read or parsed)."""
    return ConfigError([Problem(file, line, column, "", Severity.ERROR, message)])
