"""Benchmark: the LINE emulator on one core: pushes per second (checked against LINE's OpenAPI
file, counted, delivered, ledgered), signed webhook deliveries per second, and the cost of the
admin ledger (`GET /_emulator/line/ledger`) with 100,000 messages stored."""

from __future__ import annotations

import http.client
import json
import os
import threading
import time
import tracemalloc
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from jun_engine.emulator.clock import Clock
from jun_engine.emulator.line.emulator import LineEmulator
from jun_engine.emulator.line.friends import Friend

TITLE = "LINE emulator: pushes and signed webhooks per second, ledger cost"
SECONDS = 3.0
FRIENDS = 100
WEBHOOKS = 1_500
STORED = 100_000
PAGE = 1_000
"""The ledger's default page: the baseline stores exactly one page."""


def _one_core() -> str:
    """Pin this process to one core (where the OS allows); says which."""
    if not hasattr(os, "sched_setaffinity"):
        return "all cores (no affinity on this OS)"
    core = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {core})
    return f"core {core}"


def _hammer(line: LineEmulator, method: str, path: str, body: bytes | None) -> float:
    """Requests per second over SECONDS from one keep-alive client."""
    parts = urlsplit(line.base_url)
    headers = {"Authorization": f"Bearer {line.state.channel.access_token}"}
    if body is not None:
        headers["Content-Type"] = "application/json"
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port)
    count = 0
    deadline = time.perf_counter() + SECONDS
    while time.perf_counter() < deadline:
        connection.request(method, path, body, headers)
        response = connection.getresponse()
        response.read()
        assert response.status == 200, response.status
        count += 1
    connection.close()
    return count / SECONDS


def _pushes(line: LineEmulator, users: list[str]) -> tuple[float, float]:
    """Pushes/s (each to one friend, one text) and quota reads/s, the cheapest call."""
    push = json.dumps(
        {"to": users[0], "messages": [{"type": "text", "text": "断水のお知らせ: 明日 9時から"}]}
    ).encode()
    pushes = _hammer(line, "POST", "/v2/bot/message/push", push)
    quota = _hammer(line, "GET", "/v2/bot/message/quota", None)
    return pushes, quota


class _Receiver(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def _webhooks(line: LineEmulator, users: list[str]) -> float:
    """Signed webhook deliveries per second (one event each, one connection each)."""
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=receiver.serve_forever, args=(0.05,), daemon=True).start()
    host, port = receiver.server_address[:2]
    line.state.webhook.url = f"http://{host!s}:{port}/callback"
    line.webhooks.stop()
    for n in range(WEBHOOKS):
        line.residents.text(users[n % len(users)], f"ไฟถนนดับ ซอย {n}")
    started = time.perf_counter()
    line.webhooks.start()
    assert line.wait_webhooks(timeout=600)
    elapsed = time.perf_counter() - started
    receiver.shutdown()
    receiver.server_close()
    assert all(200 <= entry["status"] < 300 for entry in line.webhooks.log)
    return WEBHOOKS / elapsed


def _fill(line: LineEmulator, users: list[str], upto: int) -> None:
    """Push one text at a time until `upto` messages are stored."""
    message = [{"type": "text", "text": "ゴミ収集日のお知らせ"}]
    for n in range(len(line.state.ledger), upto):
        line.state.send("push", f"bench-{n}", [users[n % len(users)]], message)


def _ledger_rows(line: LineEmulator, users: list[str]) -> list[str]:
    """Ledger reads/s with one page stored and with STORED messages; memory per message."""
    _fill(line, users, PAGE)
    page = _hammer(line, "GET", "/_emulator/line/ledger", None)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    _fill(line, users, STORED)
    per_message = (tracemalloc.get_traced_memory()[0] - before) / (STORED - PAGE)
    tracemalloc.stop()
    full = _hammer(line, "GET", "/_emulator/line/ledger", None)
    return [
        f"| {PAGE:,} | {page:,.0f} | {1000 / page:.2f} | 1.00 | - |",
        f"| {STORED:,} | {full:,.0f} | {1000 / full:.2f} | {page / full:.2f} | "
        f"{per_message:,.0f} |",
    ]


def run() -> str:
    """Serve a LINE channel on an unlimited plan with FRIENDS friends and measure."""
    core = _one_core()
    line = LineEmulator(plan="unlimited", clock=Clock.stepped(datetime(2026, 3, 2, tzinfo=UTC)))
    line.limiter.limits = {k: type(v)(10**9, v.seconds) for k, v in line.limiter.limits.items()}
    users = [
        line.residents.add(Friend(line.state.mint.user_id(), f"住民 {n}")).user_id
        for n in range(FRIENDS)
    ]
    with line:
        ledger = _ledger_rows(line, users)
        pushes, quota = _pushes(line, users)
        webhooks = _webhooks(line, users)
    return "\n".join(
        [
            f"One process pinned to {core}: server, client and webhook receiver share it. "
            f"{SECONDS:g} s per request figure, one keep-alive client; rate limits lifted to "
            "measure serving. A push is checked against messaging-api.yml, counted against "
            "the quota, delivered, and written to the ledger.",
            "",
            "| figure | per second | ratio to quota reads |",
            "|---|---:|---:|",
            f"| `GET /v2/bot/message/quota` (the cheapest call) | {quota:,.0f} | 1.00 |",
            f"| `POST /v2/bot/message/push` (one text, one friend) | {pushes:,.0f} | "
            f"{pushes / quota:.2f} |",
            f"| signed webhook deliveries ({WEBHOOKS:,} events, one POST and connection each) | "
            f"{webhooks:,.0f} | {webhooks / quota:.2f} |",
            "",
            f"`GET /_emulator/line/ledger` (totals and the first page of {PAGE:,} entries) with "
            f"one page stored and with {STORED:,} pushes stored; memory per stored message "
            "(ledger entry and the friend's copy) by tracemalloc:",
            "",
            "| messages stored | ledger reads/s | ms per read | slowdown | bytes per message |",
            "|---:|---:|---:|---:|---:|",
            *ledger,
        ]
    )
