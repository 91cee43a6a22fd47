"""Clients that vanish mid-request are normal: no traceback, no warning, the server serves on.

A daemon killed with SIGKILL, a client that times out, a test that closes its socket: the
emulator closes the connection, logs one DEBUG line, and the next client is served as usual.
"""

from __future__ import annotations

import http.client
import logging
import socket
import struct
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import timedelta

import pytest
import requests

from jun_engine.config.schema import Config
from jun_engine.emulator.clock import Clock
from jun_engine.emulator.emulator import Emulator
from jun_engine.emulator.faults import FaultSpec
from jun_engine.emulator.testing import TEST_START

SERVER_LOG = "jun_engine.emulator.server"


@pytest.fixture
def debug_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG, logger=SERVER_LOG)
    return caplog


@pytest.fixture
def raw(x_emulator: Emulator) -> Iterator[list[socket.socket]]:
    """Raw sockets to the emulator; the test closes them, this only guards against leaks."""
    opened: list[socket.socket] = []
    yield opened
    for sock in opened:
        sock.close()


def _connect(emulator: Emulator, opened: list[socket.socket], *, reset: bool) -> socket.socket:
    host, port = emulator.base_url.removeprefix("http://").rsplit(":", 1)
    sock = socket.create_connection((host, int(port)), timeout=10)
    opened.append(sock)
    if reset:  # close() then sends RST, as a killed process's kernel may
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    return sock


def _went_away(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "went away" in r.getMessage()]


def _assert_quiet_and_serving(
    emulator: Emulator,
    closed_before: int,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert emulator.wait_closed(closed_before + 1, 10), "the dropped connection was never closed"
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert all(r.levelno == logging.DEBUG for r in caplog.records if r.name == SERVER_LOG)
    reply = requests.get(f"{emulator.base_url}/_emulator/clock", timeout=10)
    assert reply.status_code == 200


def test_half_a_request_then_close_is_not_handled(
    x_emulator: Emulator,
    raw: list[socket.socket],
    capfd: pytest.CaptureFixture[str],
    debug_log: pytest.LogCaptureFixture,
) -> None:
    resident = x_emulator.sink.add_user("corta", "Corta")
    body = f'{{"author_id": "{resident}", "text": "@AytoJun se me cortó"}}'.encode()
    closed = x_emulator.closed_connections
    sock = _connect(x_emulator, raw, reset=False)
    head = f"POST /_emulator/tweets HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n\r\n"
    sock.sendall(head.encode() + body[:10])
    sock.close()
    _assert_quiet_and_serving(x_emulator, closed, capfd, debug_log)
    assert x_emulator.state.posts_by(resident) == []
    assert [m.endswith("went away mid-request") for m in _went_away(debug_log)] == [True]


def test_a_reset_in_the_middle_of_the_headers_is_quiet(
    x_emulator: Emulator,
    raw: list[socket.socket],
    capfd: pytest.CaptureFixture[str],
    debug_log: pytest.LogCaptureFixture,
) -> None:
    closed = x_emulator.closed_connections
    sock = _connect(x_emulator, raw, reset=True)
    sock.sendall(b"GET /2/users/me HTTP/1.1\r\nHost: x\r\nAuthor")
    sock.close()
    _assert_quiet_and_serving(x_emulator, closed, capfd, debug_log)


def test_a_client_gone_before_the_answer_is_quiet(
    x_emulator: Emulator,
    raw: list[socket.socket],
    capfd: pytest.CaptureFixture[str],
    debug_log: pytest.LogCaptureFixture,
) -> None:
    # The answer is held back a little (the `slow` fault), so it is written to a reset socket.
    x_emulator.dice.spec = FaultSpec(slow=1.0, slow_for=timedelta(milliseconds=300))
    closed = x_emulator.closed_connections
    sock = _connect(x_emulator, raw, reset=True)
    sock.sendall(b"GET /2/users/me HTTP/1.1\r\nHost: x\r\n\r\n")
    sock.close()
    _assert_quiet_and_serving(x_emulator, closed, capfd, debug_log)
    reasons = [m.rpartition(" ")[2] for m in _went_away(debug_log)]
    assert reasons in (["(ConnectionResetError)"], ["(BrokenPipeError)"])


def test_a_write_whose_client_left_still_lands(
    x_emulator: Emulator,
    raw: list[socket.socket],
    capfd: pytest.CaptureFixture[str],
    debug_log: pytest.LogCaptureFixture,
) -> None:
    resident = x_emulator.sink.add_user("prisa", "Prisa")
    body = f'{{"author_id": "{resident}", "text": "@AytoJun me voy"}}'.encode()
    closed = x_emulator.closed_connections
    sock = _connect(x_emulator, raw, reset=True)
    head = f"POST /_emulator/tweets HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n\r\n"
    sock.sendall(head.encode() + body)
    sock.close()
    _assert_quiet_and_serving(x_emulator, closed, capfd, debug_log)
    assert [p.text for p in x_emulator.state.posts_by(resident)] == ["@AytoJun me voy"]


@pytest.mark.parametrize("length", ["lots", "-5", str(10**12)])
def test_a_bad_content_length_gets_a_clear_refusal(
    x_emulator: Emulator, raw: list[socket.socket], length: str
) -> None:
    sock = _connect(x_emulator, raw, reset=False)
    sock.sendall(f"POST /2/tweets HTTP/1.1\r\nHost: x\r\nContent-Length: {length}\r\n\r\n".encode())
    reply = http.client.HTTPResponse(sock)
    reply.begin()
    assert reply.status in (400, 413)
    assert "Content-Length" in reply.read().decode()


def test_stopping_closes_connections_clients_left_open(x_emulator_config: Config) -> None:
    emulator = Emulator(x_emulator_config, clock=Clock.stepped(TEST_START))
    host, port = emulator.start().removeprefix("http://").rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request("GET", "/_emulator/clock")
        assert connection.getresponse().read()
        emulator.stop()
        assert connection.sock is not None
        assert connection.sock.recv(1) == b""  # the server closed its end
    finally:
        connection.close()
        emulator.stop()


SCRIPT = """
import socket, struct, requests
from datetime import timedelta
from jun_engine.emulator.emulator import Emulator
from jun_engine.emulator.faults import FaultSpec
from jun_engine.emulator.testing import emulator_test_config

def dropped(payload):
    sock = socket.create_connection((host, int(port)), timeout=10)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.sendall(payload)
    sock.close()

slow = FaultSpec(slow=1.0, slow_for=timedelta(seconds=0.2))
emulator = Emulator(emulator_test_config(), faults=slow)
host, port = emulator.start().removeprefix("http://").rsplit(":", 1)
dropped(b"GET /2/users/me HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n")
dropped(b"POST /_emulator/users HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 99\\r\\n\\r\\n{")
dropped(b"GET /2/users/me HTTP/1.1\\r\\nHo")
assert emulator.wait_closed(3, 10)
idle = socket.create_connection((host, int(port)), timeout=10)
print(requests.get(emulator.base_url + "/_emulator/clock", timeout=10).status_code)
emulator.stop()
idle.close()
"""


def test_in_a_process_with_warnings_as_errors_nothing_is_printed() -> None:
    done = subprocess.run(
        [sys.executable, "-W", "error", "-X", "dev", "-c", textwrap.dedent(SCRIPT)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "200\n", "")
