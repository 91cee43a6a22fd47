"""Where every command group joins the root app: one line per group, in `--help` order."""

import typer

from jun_engine.cli import alert as alert_cli
from jun_engine.cli import appointments as appointments_cli
from jun_engine.cli import cases as cases_cli
from jun_engine.cli import check, classifier, db, emulator
from jun_engine.cli import demo as demo_cli
from jun_engine.cli import menus as menus_cli
from jun_engine.cli import notices as notices_cli
from jun_engine.cli import outbox as outbox_cli
from jun_engine.cli import residents as residents_cli
from jun_engine.cli import run as run_cli
from jun_engine.cli import slots as slots_cli
from jun_engine.cli import status as status_cli


def register_all(app: typer.Typer) -> None:
    """Attach every command and command group to the root app."""
    check.register(app)
    run_cli.register(app)
    status_cli.register(app)
    db.register(app)
    emulator.register(app)
    classifier.register(app)
    residents_cli.register(app)
    outbox_cli.register(app)
    menus_cli.register(app)
    notices_cli.register(app)
    alert_cli.register(app)
    slots_cli.register(app)
    appointments_cli.register(app)
    cases_cli.register(app)
    demo_cli.register(app)
