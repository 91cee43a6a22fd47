"""Where every command joins the root app: one line per command or group, in `--help` order.

A command's module is imported only when that command runs or shows its own help, so
`jun-engine --help` imports none of them and `jun-engine check` never pays for scikit-learn,
SQLAlchemy or the emulators (docs/cli.md, "Start-up"). The root help lists the summaries
written here; tests/cli/test_startup.py checks each against the command's own docstring.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

import typer
import typer.main
from typer import _click as click  # typer vendors click; commands are its types
from typer.core import TyperCommand

from jun_engine.cli import console


@dataclass(frozen=True, slots=True)
class Entry:
    """One command or command group of the root app."""

    name: str
    module: str
    """The module under `jun_engine.cli` whose `register(app)` attaches it."""
    summary: str
    """The first paragraph of its help, as `jun-engine --help` lists it."""


ENTRIES: tuple[Entry, ...] = (
    Entry(
        "check",
        "check",
        "Check accounts.yaml: syntax, every key, references, secrets, credentials in the "
        "environment.",
    ),
    Entry(
        "run", "run", "Run the daemon: poll mentions and DMs, store and process them, send replies."
    ),
    Entry(
        "status",
        "status",
        "Show the daemon's health: whether the database takes writes, per account and stream "
        "the last poll, checkpoint, messages stored, backlog, errors, how often it is polled "
        "and why, rate limit and today's spend; per LINE account the month's messages used of "
        "its cap, its plan and any quota warning; per department e-mailed, its e-mails sent, "
        "waiting and failed. Works while the daemon runs, and on a read-only or full disk: it "
        "only reads.",
    ),
    Entry(
        "emulator",
        "emulator",
        "Serve an emulated X API v2 (or, with --line, LINE's Messaging API; with --line --x "
        "both) until Ctrl-C; print the base URLs (and credentials).",
    ),
    Entry(
        "alert",
        "alert",
        "Post an emergency alert from the town account at once (it jumps every queue).",
    ),
    Entry(
        "demo",
        "demo",
        "Run the simulated town of Jun against the real engine and show what happens.",
    ),
    Entry("db", "db", "The database schema: where it stands, and moving it."),
    Entry(
        "classifier",
        "classifier",
        "Train, evaluate and explain the router that sends requests to departments.",
    ),
    Entry("residents", "residents", "The residents' register: who may use the town's X services."),
    Entry(
        "outbox",
        "outbox",
        "The outbox: every post, reply and DM the engine makes, sent exactly once.",
    ),
    Entry(
        "menus",
        "menus",
        "School lunch menus: import the file a school provides, see what will be posted.",
    ),
    Entry(
        "notices",
        "notices",
        "Notices: posts at a time or on a schedule, and DMs to residents who opted in.",
    ),
    Entry(
        "slots",
        "slots",
        "Bookable appointment slots (accounts.yaml `appointments`, see docs/selfservice.md).",
    ),
    Entry(
        "appointments",
        "appointments",
        "Appointments residents booked by DM (see docs/selfservice.md).",
    ),
    Entry(
        "cases",
        "cases",
        "The case desk: every request routed to a department, from opening to closing.",
    ),
    Entry(
        "staff",
        "staff",
        "Web-desk accounts. Roles: `department` (its department's cases, private ones "
        "included), `triage` (what the router was unsure of), `mayor` (every case, not the text "
        "of private ones), `admin` (everything).",
    ),
    Entry(
        "web",
        "web",
        "The town's web desk: staff work their cases in a browser, the mayor's office reads "
        "the analytics.",
    ),
    Entry(
        "open311",
        "open311",
        "The town's Open311 GeoReport v2 server (served by `jun-engine web`): its clients' API "
        "keys.",
    ),
)
BY_NAME = {entry.name: entry for entry in ENTRIES}


def load(name: str) -> click.Command | None:
    """The command `name`, its module imported now (None if there is no such command)."""
    entry = BY_NAME.get(name)
    if entry is None:
        return None
    module = importlib.import_module(f"jun_engine.cli.{entry.module}")
    holder = typer.Typer(rich_markup_mode="rich")
    module.register(holder)
    unwrap_help(holder)
    return typer.main.get_group(holder).commands[name]


def listing(name: str) -> click.Command | None:
    """A stand-in for `name` that only carries its summary, for the root help's list."""
    entry = BY_NAME.get(name)
    return None if entry is None else TyperCommand(entry.name, help=entry.summary)


def unwrap_help(group: typer.Typer) -> None:
    """Every command's help from its docstring, each paragraph on one line (the terminal wraps)."""
    for command in group.registered_commands:
        source = command.help or (command.callback.__doc__ if command.callback else None)
        command.help = console.unwrapped(source)
    for sub in group.registered_groups:
        if sub.typer_instance is not None:
            unwrap_help(sub.typer_instance)
