"""Checks of accounts.yaml's `appointments` section the schema cannot see, in the form of
`jun_engine.config.checks` (the config helper appends `appointment_books` to its CHECKS)."""

from __future__ import annotations

from collections.abc import Iterator

from jun_engine.config.problems import Problem, suggestion
from jun_engine.config.schema import Config
from jun_engine.config.source import SourceMap


def appointment_books(config: Config, source: SourceMap) -> Iterator[Problem]:
    """Each book belongs to a department that has hours, its ranges run forward, and the
    department's account can send the DMs bookings need (else the town account does)."""
    for key, book in config.appointments.items():
        if key not in config.departments:
            hint = suggestion(key, config.departments, known="departments")
            yield source.problem(
                ("appointments", key), f"unknown department {key!r}{hint}", at="key"
            )
            continue
        if not book.hours and not config.departments[key].hours:
            yield source.problem(
                ("appointments", key),
                "no hours: give the book its own `hours` or the department opening hours",
                at="key",
            )
        for day, ranges in book.hours.items():
            for index, text in enumerate(ranges):
                start, end = text.split("-")
                if end <= start:
                    yield source.problem(
                        ("appointments", key, "hours", day, index),
                        f"the range {text!r} ends before it starts",
                    )
