"""The router's errors: bad training files and bad model files, each with a message to act on."""

from __future__ import annotations

from pathlib import Path

from jun_engine.domain.errors import JunError


class RoutingError(JunError):
    """Base of the router's errors."""


class DatasetError(RoutingError):
    """A training or evaluation file (CSV or labels map) cannot be used as it is."""

    def __init__(self, path: Path | str, problem: str, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        self.problem = problem
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {problem}")


class ModelFileError(RoutingError):
    """A model file is missing, damaged, of an unknown format or does not fit this town."""

    def __init__(self, path: Path | str, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"model file {path}: {problem}")
