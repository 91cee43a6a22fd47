"""Where every command group joins the root app: one line per group, in `--help` order."""

import typer

from jun_engine.cli import check, classifier, db, emulator


def register_all(app: typer.Typer) -> None:
    """Attach every command and command group to the root app."""
    check.register(app)
    db.register(app)
    emulator.register(app)
    classifier.register(app)
