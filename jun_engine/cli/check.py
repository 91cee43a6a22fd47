"""`jun-engine check`: validate accounts.yaml and say, line by line, what is wrong with it."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from jun_engine.cli.context import global_options
from jun_engine.cli.exit_codes import ExitCode
from jun_engine.config import ConfigError, LoadedConfig, Problem, load_config
from jun_engine.config.environment import missing_variables
from jun_engine.config.problems import plural
from jun_engine.config.source import FieldPath

EMULATOR_URL_VARIABLE = "JUN_X_BASE_URL"


class TargetChoice(StrEnum):
    """Where the engine will talk to: real X needs every credential set."""

    X = "x"
    EMULATOR = "emulator"


def register(app: typer.Typer) -> None:
    """Attach `check` to the root app."""
    app.command("check")(check)


def check(
    ctx: typer.Context,
    path: Annotated[
        Path | None,
        typer.Argument(
            help="The accounts.yaml to check (default: the global --config).",
            readable=False,  # we say why a file cannot be read, in our own words
        ),
    ] = None,
    target: Annotated[
        TargetChoice | None,
        typer.Option(
            "--target",
            help="x: every credential variable must be set. emulator: missing ones only warn. "
            f"Default: emulator when {EMULATOR_URL_VARIABLE} is set, else x.",
            case_sensitive=False,
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the problems as a JSON list.")
    ] = False,
) -> None:
    """Check accounts.yaml: syntax, every key, references, secrets, credentials in the environment.

    Exit 0 when valid (warnings allowed), 2 when invalid or when credentials the file names are
    missing from the environment (the message then says which, and how to use the emulator).
    """
    config_path = path if path is not None else global_options(ctx).config_path
    chosen = target or default_target(os.environ)
    try:
        loaded = load_config(config_path, target=chosen.value, environ=os.environ)
    except ConfigError as exc:
        alone = None if as_json else _file_alone(config_path)
        if alone is None:
            _report(exc.problems, as_json, valid=False)
        else:
            _report(alone.warnings, as_json, valid=True)
            _environment_missing(alone, missing_variables(alone.config, os.environ))
        raise typer.Exit(ExitCode.USAGE) from None
    _report(loaded.warnings, as_json, valid=True)
    if not as_json:
        _summary(loaded)


def _file_alone(path: Path) -> LoadedConfig | None:
    """The file loaded without looking at the environment; None if the file itself is invalid."""
    try:
        return load_config(path)
    except ConfigError:
        return None


def _environment_missing(loaded: LoadedConfig, missing: Sequence[tuple[FieldPath, str]]) -> None:
    """The file is valid, only credentials are missing: which, and how to rehearse without them."""
    console = Console(highlight=False, soft_wrap=True)
    console.print(
        Text(
            f"{loaded.path} is valid; only the environment is missing: "
            f"{plural(len(missing), 'credential variable')} "
            f"{'is' if len(missing) == 1 else 'are'} not set:",
            style="bold yellow",
        )
    )
    for path, name in missing:
        console.print(Text(f"  {name}  ({'.'.join(str(part) for part in path)})"))
    console.print(
        "Set them (docs/configuration.md; never in the file) to run against X. To check against "
        "the emulator instead, start one in the background and check again:\n"
        '  eval "$(jun-engine emulator --background)"\n'
        "  jun-engine check\n"
        "or check the file alone: jun-engine check --target emulator",
        markup=False,
    )


def default_target(environ: Mapping[str, str]) -> TargetChoice:
    """The emulator when the engine is pointed at one, else real X."""
    return TargetChoice.EMULATOR if environ.get(EMULATOR_URL_VARIABLE) else TargetChoice.X


def _report(problems: Sequence[Problem], as_json: bool, *, valid: bool) -> None:
    if as_json:
        typer.echo(json.dumps([p.to_dict() for p in problems], ensure_ascii=False, indent=2))
        return
    console = Console(highlight=False, soft_wrap=True)
    for problem in problems:
        console.print(problem_line(problem))
    if not valid:
        console.print(Text(_counts(problems), style="bold red"))


def problem_line(problem: Problem) -> Text:
    """One problem as `file:line:col: error: path: words`, coloured by severity."""
    colour = "red" if problem.is_error else "yellow"
    line = Text(f"{problem.location()}: ", style="bold")
    line.append(str(problem.severity), style=f"bold {colour}")
    line.append(": ")
    if problem.path:
        line.append(f"{problem.path}: ", style="cyan")
    line.append(problem.message)
    return line


def _counts(problems: Sequence[Problem]) -> str:
    errors = sum(1 for p in problems if p.is_error)
    warnings = len(problems) - errors
    file = problems[0].file if problems else "accounts.yaml"
    return f"{file} is invalid: {plural(errors, 'error')}, {plural(warnings, 'warning')}."


def _summary(loaded: LoadedConfig) -> None:
    config = loaded.config
    console = Console(highlight=False, soft_wrap=True)
    name = config.town.name if config.town.name.isprintable() else repr(config.town.name)
    title = Text(f"{name} ({config.town.timezone})")
    table = Table(title=title, title_justify="left")
    for column in ("department", "account", "privacy", "categories"):
        table.add_column(column)
    for key, dept in config.departments.items():
        account = config.accounts[dept.account]
        marker = f"{key} (triage)" if dept.triage else key
        table.add_row(marker, f"@{account.handle}", dept.privacy, str(len(dept.categories)))
    console.print(table)
    counts = ", ".join(
        plural(n, noun)
        for n, noun in (
            (len(config.accounts), "account"),
            (len(config.departments), "department"),
            (len(config.schools), "school"),
            (len(loaded.warnings), "warning"),
        )
    )
    console.print(Text(f"{loaded.path} is valid: {counts}.", style="bold green"))
