"""Benchmark: mentions pages of 100 served per second by the X emulator on loopback, and the
cost of `GET /_emulator/stats` (a dashboard polls it) with 100,000 messages stored."""

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
STORED = 100_000
"""Messages stored (half posts mentioning an account, half DMs to one) for the stats figure."""


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


def _fill(emulator: Emulator, count: int) -> None:
    """Store `count` messages from 500 residents to the configured accounts."""
    accounts = list(emulator.accounts)
    handles = [emulator.config.accounts[key].handle for key in emulator.accounts.values()]
    residents = [emulator.state.add_user(f"bench_{n}", f"Bench {n}").id for n in range(500)]
    for n in range(count):
        sender = residents[n % len(residents)]
        if n % 2:
            emulator.state.create_post(sender, f"@{handles[n % len(handles)]} aviso {n}")
        else:
            emulator.state.create_dm(
                sender, accounts[n % len(accounts)], f"hola {n}", via_api=False
            )


def _stats_rows(emulator: Emulator) -> list[str]:
    """Stats requests per second before and after storing STORED messages."""
    empty = _hammer(emulator, "/_emulator/stats", [], 1)
    _fill(emulator, STORED)
    full = _hammer(emulator, "/_emulator/stats", [], 1)
    return [
        f"| 0 | {empty:,.0f} | {1000 / empty:.2f} | 1.00 |",
        f"| {STORED:,} | {full:,.0f} | {1000 / full:.2f} | {empty / full:.2f} |",
    ]


def run() -> str:
    """Serve the shipped town with 800 mentions; measure pages of 100 and users/me, then
    GET /_emulator/stats before and after storing 100,000 messages."""
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
        stats = _stats_rows(emulator)
    return "\n".join(
        [
            f"Server and client share the machine; {SECONDS:g} s per figure; OAuth 1.0a signed "
            f"keep-alive requests; {MENTIONS} mentions stored, pages of 100 posts with three "
            "tweet.fields.",
            "",
            "| client threads | mentions pages/s | users/me requests/s | ratio |",
            "|---:|---:|---:|---:|",
            *rows,
            "",
            f"`GET /_emulator/stats` (one keep-alive client, {SECONDS:g} s per figure), with the "
            f"town's accounts only and after storing {STORED:,} messages from 500 residents "
            "(half posts mentioning an account, half DMs to one):",
            "",
            "| messages stored | stats requests/s | ms per request | slowdown |",
            "|---:|---:|---:|---:|",
            *stats,
        ]
    )
