"""`jun-engine menus`: import a school's menu file (CSV or YAML) and list the stored menus."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from jun_engine.cli import console
from jun_engine.cli.exit_codes import ExitCode
from jun_engine.cli.scheduling_desk import Desk, desk, fail, out, refusals
from jun_engine.config.problems import Problem
from jun_engine.scheduling.calendar import local_day
from jun_engine.scheduling.menu_checks import CheckedMenus, check_menus
from jun_engine.scheduling.menu_file import MenuFileError, read_menu_file
from jun_engine.scheduling.menus import import_menus, list_menus
from jun_engine.scheduling.texts import allergen_list
from jun_engine.store.session import session_scope

HELP = (
    "School lunch menus: import the file a school provides, see what will be posted.\n\n"
    "Each school day's menu is posted from the school's account at its `menu_time`, with the "
    "allergens, as a thread when too long; weekends and holidays are skipped. File formats: "
    "docs/scheduling.md."
)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


def register(app: typer.Typer) -> None:
    """Attach the `menus` command group to the root app."""
    group = typer.Typer(name="menus", help=HELP, no_args_is_help=True, rich_markup_mode="rich")
    group.command("import")(import_command)
    group.command("list")(list_command)
    app.add_typer(group)


def import_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The school's menu file: .csv, .yaml or .yml.")],
    school: Annotated[
        str | None, typer.Option("--school", help="The school's key (default: the file's own).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check the file and say what would change.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Check FILE and store its menus; a malformed file is rejected whole, line by line."""
    with desk(ctx) as opened, refusals():
        checked = _checked(opened, file, school, as_json)
        if dry_run:
            _report(checked.warnings, as_json, {"days": len(checked.days), "dry_run": True})
            return
        with session_scope(opened.engine) as session:
            result = import_menus(session, checked, source=file.name, now=opened.clock.now())
        summary = {
            "school": checked.school,
            "added": result.added,
            "replaced": result.replaced,
            "unchanged": result.unchanged,
        }
        _report(result.warnings, as_json, summary)


def _checked(opened: Desk, file: Path, school: str | None, as_json: bool) -> CheckedMenus:
    today = local_day(opened.config, opened.clock.now())
    try:
        return check_menus(read_menu_file(file), opened.config, school=school, today=today)
    except MenuFileError as exc:
        _print_problems(exc.problems, as_json)
        errors = sum(problem.is_error for problem in exc.problems)
        fail(ExitCode.USAGE, f"{file}: rejected ({errors} error(s)); nothing was imported")


def _report(warnings: tuple[Problem, ...], as_json: bool, summary: dict[str, object]) -> None:
    if as_json:
        console.print_json({**summary, "warnings": [w.to_dict() for w in warnings]})
        return
    _print_problems(warnings, as_json)
    words = ", ".join(f"{key.replace('_', ' ')}: {value}" for key, value in summary.items())
    out().print(escape(words))


def _print_problems(problems: tuple[Problem, ...], as_json: bool) -> None:
    if as_json:
        console.print_json({"problems": [problem.to_dict() for problem in problems]})
        return
    shown = out()
    for problem in problems:
        colour = "red" if problem.is_error else "yellow"
        shown.print(f"[{colour}]{escape(str(problem))}[/]")


def list_command(
    ctx: typer.Context,
    school: Annotated[str | None, typer.Option("--school", help="Only this school.")] = None,
    since: Annotated[
        str | None, typer.Option("--from", help="From this day on (YYYY-MM-DD; default today).")
    ] = None,
    limit: console.LimitOption = 100,
    as_json: JsonOption = False,
) -> None:
    """The stored menus from today (or --from) on, with their status, soonest first."""
    with desk(ctx) as opened, refusals():
        first = _day(since) if since else local_day(opened.config, opened.clock.now())
        with session_scope(opened.engine) as session:
            menus, more = console.limited(list_menus(session, school=school, since=first), limit)
    if as_json:
        rows = [
            {
                "school": m.school,
                "day": m.day.isoformat(),
                "dishes": list(m.dishes),
                "allergens": list(m.allergens),
                "status": m.status.value,
            }
            for m in menus
        ]
        console.print_json(rows)
        return
    table = console.table(
        "day", "school", "dishes", "allergens", "status",
        title=f"School menus from {first:%a %Y-%m-%d}", caption=more,
    )  # fmt: skip
    for m in menus:
        table.add_row(
            f"{m.day:%a %Y-%m-%d}",
            m.school,
            escape("\n".join(m.dishes)),
            allergen_list(m.allergens),
            m.status.value,
        )
    out().print(table)


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        fail(ExitCode.USAGE, f"--from {value!r}: write a day such as 2026-03-02")
