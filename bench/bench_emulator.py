"""Benchmark: mentions pages of 100 served per second by the X emulator on loopback."""

from __future__ import annotations

import http.client
import secrets
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import urlsplit

from jun_engine.emulator.auth import hmac_sha1, percent_encode, signature_base_string
from jun_engine.emulator.clock import Clock
from jun_engine.emulator.emulator import Emulator
from jun_engine.emulator.testing import emulator_test_config

TITLE = "X emulator: mentions pages per second"
SECONDS = 3.0
MENTIONS = 800


def _signer(emulator: Emulator, account: str) -> Callable[[str, str, list[tuple[str, str]]], str]:
    """An OAuth 1.0a header maker for one account (as tweepy would sign, but cheaper)."""
    env = emulator.credentials_env()
    app, acct = emulator.config.x.app, emulator.config.accounts[account]
    ck, cs = env[app.consumer_key_env], env[app.consumer_secret_env]
    token, secret = env[acct.access_token_env], env[acct.access_token_secret_env]

    def sign(method: str, url: str, query: list[tuple[str, str]]) -> str:
        oauth = {
            "oauth_consumer_key": ck,
            "oauth_token": token,
            "oauth_signature_method": "HMAC-SHA1",
            "oauth_timestamp": str(int(time.time())),
            "oauth_nonce": secrets.token_hex(16),
            "oauth_version": "1.0",
        }
        base = signature_base_string(method, url, [*oauth.items(), *query])
        oauth["oauth_signature"] = hmac_sha1(base, cs, secret)
        return "OAuth " + ", ".join(f'{k}="{percent_encode(v)}"' for k, v in oauth.items())

    return sign


def _hammer(emulator: Emulator, path: str, query: list[tuple[str, str]], threads: int) -> float:
    """Requests per second over SECONDS with `threads` keep-alive clients."""
    parts = urlsplit(emulator.base_url)
    sign = _signer(emulator, "town")
    url = f"{emulator.base_url}{path}"
    target = path + ("?" + "&".join(f"{k}={percent_encode(v)}" for k, v in query) if query else "")
    counts = [0] * threads
    deadline = time.perf_counter() + SECONDS

    def client(slot: int) -> None:
        connection = http.client.HTTPConnection(parts.hostname or "", parts.port)
        while time.perf_counter() < deadline:
            connection.request("GET", target, headers={"Authorization": sign("GET", url, query)})
            response = connection.getresponse()
            response.read()
            assert response.status == 200, response.status
            counts[slot] += 1
        connection.close()

    workers = [threading.Thread(target=client, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(counts) / SECONDS


def run() -> str:
    """Serve the shipped town with 800 mentions; measure pages of 100 and users/me."""
    emulator = Emulator(
        emulator_test_config(), clock=Clock.stepped(datetime(2026, 3, 2, tzinfo=UTC))
    )
    emulator.limiter.enforce = False  # measure serving, not the 15-minute windows
    town_id = emulator.config.town_account().user_id
    resident = emulator.sink.add_user("bench_resident", "Bench")
    for n in range(MENTIONS):
        emulator.sink.tweet(resident, f"@{emulator.config.town_account().handle} petición {n}")
    page = [("max_results", "100"), ("tweet.fields", "author_id,created_at,conversation_id")]
    rows: list[str] = []
    with emulator:
        for threads in (1, 4):
            mentions = _hammer(emulator, f"/2/users/{town_id}/mentions", page, threads)
            me = _hammer(emulator, "/2/users/me", [], threads)
            rows.append(f"| {threads} | {mentions:,.0f} | {me:,.0f} | {mentions / me:.2f} |")
    return "\n".join(
        [
            f"Server and client share the machine; {SECONDS:g} s per figure; OAuth 1.0a signed "
            f"keep-alive requests; {MENTIONS} mentions stored, pages of 100 posts with three "
            "tweet.fields.",
            "",
            "| client threads | mentions pages/s | users/me requests/s | ratio |",
            "|---:|---:|---:|---:|",
            *rows,
        ]
    )
