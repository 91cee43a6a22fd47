"""The daemon's clocks: the system's, and one that follows an emulator's time over HTTP."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from jun_engine.clock import ClockError, FollowedClock, SystemClock
from jun_engine.config.schema import Config
from jun_engine.emulator.clock import Clock as EmulatorClock
from jun_engine.emulator.emulator import Emulator
from jun_engine.emulator.testing import TEST_START


def test_system_clock_is_aware_utc_and_a_set_stop_ends_a_sleep_at_once() -> None:
    clock = SystemClock()
    stop = threading.Event()
    stop.set()
    assert clock.now().tzinfo is UTC
    assert clock.sleep(3600, stop) is True


def test_followed_clock_reads_the_emulator_time(x_emulator: Emulator) -> None:
    clock = FollowedClock(x_emulator.base_url)
    assert clock.now() == TEST_START
    assert clock.speed == 0


def test_followed_clock_sleep_lasts_until_a_stepped_emulator_reaches_the_deadline(
    x_emulator: Emulator,
) -> None:
    # Given a daemon-side clock following an emulator that stands still, sleeping 60 s
    clock = FollowedClock(x_emulator.base_url, resync_seconds=0.01)
    stop, finished = threading.Event(), threading.Event()
    began: list[datetime] = []

    def sleeper() -> None:
        began.append(clock.now())
        clock.sleep(60, stop)
        finished.set()

    thread = threading.Thread(target=sleeper)
    thread.start()
    # When the test steps the emulator 10 s at a time
    steps = 0
    while not finished.wait(0.1):
        x_emulator.step(10)
        steps += 1
        assert steps < 20, "the sleep never ended"
    thread.join()
    # Then the sleep ended once 60 emulated seconds had passed, not before
    slept = x_emulator.clock.now() - began[0]
    assert timedelta(seconds=60) <= slept <= timedelta(seconds=100)


def test_followed_clock_at_speed_sleeps_speed_times_shorter(x_emulator_config: Config) -> None:
    fast = EmulatorClock(TEST_START, speed=3600.0)
    with Emulator(x_emulator_config, clock=fast) as emulator:
        clock = FollowedClock(emulator.base_url)
        stop = threading.Event()
        before = clock.now()
        # an emulated hour at speed 3600 is a real second; a set stop would return True
        assert clock.sleep(600, stop) is False
        assert clock.now() - before >= timedelta(seconds=600)


def test_followed_clock_never_goes_backward(x_emulator: Emulator) -> None:
    clock = FollowedClock(x_emulator.base_url, resync_seconds=0.0)
    readings = [clock.now() for _ in range(5)]
    assert readings == sorted(readings)


def test_followed_clock_names_an_unreachable_emulator() -> None:
    with pytest.raises(
        ClockError, match=r"cannot read the emulator clock at http://127\.0\.0\.1:9/"
    ):
        FollowedClock("http://127.0.0.1:9", timeout=0.5)
