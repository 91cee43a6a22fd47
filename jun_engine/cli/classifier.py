"""Placeholder for the `classifier` command group; replaced by its owner."""

import typer


def register(app: typer.Typer) -> None:
    """Attach this group's commands to the root app."""
