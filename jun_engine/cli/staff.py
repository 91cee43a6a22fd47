"""`jun-engine staff`: the web desk's sign-in accounts (add, list, disable, reset)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from jun_engine.cli import console
from jun_engine.cli.desk import town_and_database
from jun_engine.cli.exit_codes import ExitCode
from jun_engine.domain.statuses import StaffRole
from jun_engine.staff import accounts
from jun_engine.staff.accounts import StaffError
from jun_engine.staff.passwords import Passwords
from jun_engine.store.errors import StoreError
from jun_engine.store.session import session_scope

HELP = (
    "Web-desk accounts. Roles: `department` (its department's cases, private ones included), "
    "`triage` (what the router was unsure of), `mayor` (every case, not the text of private "
    "ones), `admin` (everything).\n\nPasswords are read from standard input (--password-stdin), "
    "never from the command line, and kept only as argon2 hashes."
)
UserArg = Annotated[str, typer.Argument(help="The sign-in name, e.g. ana.obras.")]
PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from standard input.")
]


def register(app: typer.Typer) -> None:
    """Attach the `staff` command group to the root app."""
    group = typer.Typer(name="staff", help=HELP, no_args_is_help=True)
    group.command("add")(add_command)
    group.command("list")(list_command)
    group.command("disable")(disable_command)
    group.command("reset")(reset_command)
    app.add_typer(group)


def _password(from_stdin: bool) -> str:
    if not from_stdin:
        console.fail(ExitCode.USAGE, "give the password on standard input with --password-stdin")
    line = sys.stdin.readline()
    return line.rstrip("\r\n")


def _now() -> datetime:
    return datetime.now(UTC)


def add_command(
    ctx: typer.Context,
    username: UserArg,
    role: Annotated[StaffRole, typer.Option("--role", help="What the account sees.")],
    department: Annotated[
        str | None, typer.Option("--department", help="Its department key (accounts.yaml).")
    ] = None,
    password_stdin: PasswordStdin = False,
) -> None:
    """Create a web-desk account."""
    password = _password(password_stdin)
    with town_and_database(ctx) as (config, engine):
        try:
            with session_scope(engine) as session:
                staff = accounts.add(
                    session,
                    username,
                    role,
                    department,
                    password,
                    config=config,
                    now=_now(),
                    passwords=Passwords(),
                )
        except StaffError as exc:
            console.fail(ExitCode.USAGE, str(exc))
        except StoreError as exc:
            console.fail(ExitCode.DATABASE, str(exc))
    console.out().print(f"staff account {staff.username} added ({staff.role.value})")


def list_command(
    ctx: typer.Context, limit: console.LimitOption = 200, as_json: console.JsonOption = False
) -> None:
    """List the web-desk accounts."""
    with town_and_database(ctx) as (config, engine), session_scope(engine) as session:
        rows, more = console.limited(accounts.listing(session), limit)
    if as_json:
        console.print_json(rows)
        return
    zone = ZoneInfo(config.town.timezone)
    table = console.table(
        "username",
        "role",
        "department",
        "created",
        "last sign-in",
        "state",
        title="Staff",
        zone=zone,
        caption=more,
    )
    now = _now()
    for row in rows:
        state = (
            "disabled"
            if row.disabled
            else ("locked" if row.locked_until and row.locked_until > now else "active")
        )
        table.add_row(
            row.username,
            row.role.value,
            row.department or "-",
            console.local(row.created_at, zone),
            console.local(row.last_login_at, zone),
            state,
        )
    console.out().print(table)


def disable_command(ctx: typer.Context, username: UserArg) -> None:
    """Refuse every sign-in of the account and end its sessions (`reset` enables it again)."""
    with town_and_database(ctx) as (_config, engine):
        try:
            with session_scope(engine) as session:
                accounts.disable(session, username, now=_now())
        except StaffError as exc:
            console.fail(ExitCode.FAILURE, str(exc))
    console.out().print(f"staff account {username} disabled")


def reset_command(
    ctx: typer.Context, username: UserArg, password_stdin: PasswordStdin = False
) -> None:
    """Set a new password, lift a lockout or a disable, and end the account's sessions."""
    password = _password(password_stdin)
    with town_and_database(ctx) as (_config, engine):
        try:
            with session_scope(engine) as session:
                accounts.reset(session, username, password, passwords=Passwords())
        except StaffError as exc:
            console.fail(ExitCode.USAGE if "password" in str(exc) else ExitCode.FAILURE, str(exc))
    console.out().print(f"staff account {username} reset")
