"""Loading accounts.yaml once, at the edge: every problem found, or a valid Config and its warnings.

Stages, each reporting with file:line:column and the field path:
  read (size cap, UTF-8) -> parse (YAML, depth cap) -> compose (aliases capped, duplicate keys)
  -> secrets written into the file (values, keys, comments) -> schema (pydantic)
  -> cross-field checks -> environment.
The first three stop at their first problem (nothing after them can run); the others all report.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from jun_engine.config.checks import cross_checks
from jun_engine.config.document import read_document
from jun_engine.config.environment import Target, check_environment
from jun_engine.config.leaks import find_secrets, find_secrets_in_comments
from jun_engine.config.problems import ConfigError, Problem
from jun_engine.config.schema import Config
from jun_engine.config.validation import validate


@dataclass(frozen=True)
class LoadedConfig:
    """A valid configuration, the file it came from, and the warnings worth reading."""

    config: Config
    path: Path
    warnings: tuple[Problem, ...] = ()


def load_config(
    path: Path,
    *,
    target: Target = "x",
    environ: Mapping[str, str] | None = None,
) -> LoadedConfig:
    """Load and check accounts.yaml; raise ConfigError carrying every problem if it is invalid.

    `environ` is where credentials will come from (pass `os.environ` at the edge); when given,
    every environment variable the file names must be set: an error when `target` is real X,
    a warning against the emulator. When None, the environment is not checked.
    """
    document = read_document(path)
    problems = [
        *document.problems,
        *find_secrets(document.tree, document.source),
        *find_secrets_in_comments(document.text, document.source.file),
    ]
    config, schema_problems = validate(document.tree, document.source)
    problems += schema_problems
    if config is not None:
        problems += cross_checks(config, document.source)
        if environ is not None:
            problems += check_environment(config, document.source, environ, target)
    problems = _in_file_order(problems)
    if config is None or any(problem.is_error for problem in problems):
        raise ConfigError(problems)
    return LoadedConfig(config, path, tuple(problems))


def _in_file_order(problems: Iterable[Problem]) -> list[Problem]:
    """Sorted by position, keeping only the first problem said about one path at one place."""
    unique = {(p.line, p.column, p.path): p for p in reversed(list(problems))}
    return sorted(unique.values(), key=lambda p: (p.line or 0, p.column or 0))
