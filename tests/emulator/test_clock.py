"""Emulated time as the engine's clock: a stepped one moves when slept on, a running one waits
the emulated seconds divided by its speed, never less than its `min_sleep`."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest

from jun_engine.clock import Clock as EngineClock
from jun_engine.emulator.clock import Clock
from jun_engine.emulator.testing import TEST_START


class Waits(threading.Event):
    """A stop that is never set and notes each real wait asked of it."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[float | None] = []

    def wait(self, timeout: float | None = None) -> bool:
        self.asked.append(timeout)
        return False


def test_a_stepped_clock_moves_when_slept_on_and_not_once_stopped() -> None:
    clock: EngineClock = Clock.stepped(TEST_START)
    stop = threading.Event()
    assert clock.sleep(90, stop) is False
    assert clock.now() == TEST_START + timedelta(seconds=90)
    stop.set()
    assert clock.sleep(90, stop) is True
    assert clock.now() == TEST_START + timedelta(seconds=90)


def test_a_stepped_clock_never_waits_real_time() -> None:
    clock, stop = Clock.stepped(TEST_START), Waits()
    assert clock.sleep(3600, stop) is False
    assert stop.asked == []


def test_a_running_clock_waits_the_emulated_seconds_divided_by_its_speed() -> None:
    clock, stop = Clock(TEST_START, speed=60.0), Waits()
    assert clock.sleep(120, stop) is False
    assert stop.asked == [2.0]


def test_a_running_clock_waits_at_least_its_min_sleep() -> None:
    clock, stop = Clock(TEST_START, speed=1440.0, min_sleep=0.5), Waits()
    clock.sleep(5, stop)  # 5 emulated seconds at a day a minute: 3.5 real milliseconds
    clock.sleep(1440, stop)
    assert stop.asked == [0.5, 1.0]


def test_a_set_stop_ends_a_running_clock_sleep_at_once() -> None:
    clock, stop = Clock(TEST_START, speed=1.0), threading.Event()
    stop.set()
    assert clock.sleep(3600, stop) is True


def test_a_clock_refuses_a_naive_start() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Clock.stepped(datetime(2026, 1, 1))
