"""Builds a LINE emulator from command-line choices (`jun-engine emulator --line`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NoReturn

from jun_engine.emulator.faults import FaultSpecError
from jun_engine.emulator.line.emulator import LineEmulator
from jun_engine.emulator.line.faults import LineFaults
from jun_engine.emulator.line.quota import PLANS
from jun_engine.emulator.line.spec import is_uri
from jun_engine.emulator.line.town import LineSimulatedTown

TOWN_RATE_PER_HOUR = 30.0


@dataclass(frozen=True, slots=True)
class LineOptions:
    """What the command line chose."""

    seed: int
    speed: float
    plan: str
    webhook: str | None
    faults: str
    town: bool


def build_line_emulator(options: LineOptions, on_error: Callable[[str], NoReturn]) -> LineEmulator:
    """A LINE emulator as chosen; `on_error` is told (and must raise) when a choice is bad."""
    if options.plan not in PLANS:
        on_error(f"--line-plan: {options.plan!r} is not one of {', '.join(PLANS)}")
    if options.webhook is not None and not is_uri(options.webhook):
        on_error(f"--line-webhook: {options.webhook!r} is not an http(s) URL")
    try:
        faults = LineFaults.parse(options.faults)
    except FaultSpecError as error:
        on_error(f"--line-faults: {error}")
    emulator = LineEmulator(
        seed=options.seed,
        faults=faults,
        speed=options.speed,
        plan=options.plan,
        webhook_url=options.webhook,
    )
    if options.town:
        emulator.attach_town(LineSimulatedTown(seed=options.seed, rate_per_hour=TOWN_RATE_PER_HOUR))
    return emulator
