"""The emulator's stepped clock as the engine's `Clock`: the scheduler and the sender read it,
and only the test moves it."""

from __future__ import annotations

import threading
from datetime import datetime

from jun_engine.emulator.emulator import Emulator


class EmulatorTime:
    """Now is the emulator's now; sleeping steps the emulator, as the test would."""

    def __init__(self, emulator: Emulator) -> None:
        self._emulator = emulator

    def now(self) -> datetime:
        return self._emulator.clock.now()

    def sleep(self, seconds: float, stop: threading.Event) -> bool:
        if stop.is_set():
            return True
        self._emulator.step(seconds)
        return stop.is_set()
