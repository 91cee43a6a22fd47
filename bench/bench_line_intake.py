"""Benchmark: LINE webhook ingest. Signed bodies posted over HTTP to the engine's webhook app
(uvicorn, signature check, strict parse, one durable transaction a body with messages and reply
tokens) against a bare insert of the same rows, on SQLite."""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import socket
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from multiprocessing import Queue
from pathlib import Path

import httpx
import sqlalchemy as sa

from jun_engine.channels.line.runtime import LineRuntime
from jun_engine.channels.ports import Wiring
from jun_engine.config.environment import LineCredentials
from jun_engine.config.schema import LineSettings
from jun_engine.emulator.clock import Clock
from jun_engine.emulator.line.webhooks import sign
from jun_engine.emulator.testing import emulator_test_config
from jun_engine.service.outage import OutageWatch
from jun_engine.store.engine import create_engine_from_url
from jun_engine.store.migrate import upgrade
from jun_engine.store.repository import MESSAGES

TITLE = "LINE webhook ingest: events per second, signed and stored, against a bare insert"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BODIES = 400
EVENTS_PER_BODY = 10
SENDERS = 4
"""Requests in flight at once (LINE posts deliveries concurrently)."""
BOT = "U" + "b" * 32
SECRET = "0123456789abcdef0123456789abcdef"  # a fake secret


def run() -> str:
    """The figures, as a Markdown table."""
    bodies = [_body(n) for n in range(BODIES)]
    events = BODIES * EVENTS_PER_BODY
    webhook = _webhook_rate(bodies)
    bare = _bare_rate(bodies)
    return "\n".join(
        [
            f"{BODIES} bodies of {EVENTS_PER_BODY} text events each ({events:,} events), posted "
            f"by {SENDERS} concurrent senders (in a process of their own, as LINE's servers "
            "are) over keep-alive connections to "
            "`LineRuntime`'s webhook "
            "(uvicorn on loopback): each checked (HMAC-SHA256 signature, strict JSON, "
            "destination) and stored in one transaction (messages, reply tokens, marker) "
            "before its 200. The bare insert writes the same message rows, one transaction a "
            "body, with nothing else. SQLite (WAL) in a temporary directory.\n",
            "| path | events/s | webhook / bare |",
            "|---|---|---|",
            f"| webhook: signed, parsed, stored durably | {webhook:,.0f} | {webhook / bare:.2f} |",
            f"| bare insert of the same rows | {bare:,.0f} | 1.00 |",
            "",
            f"Goal: at least 1,000 events/s through the webhook: "
            f"{'met' if webhook >= 1000 else 'NOT met'} (load average during the run: "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores).",
            "",
        ]
    )


def _webhook_rate(bodies: list[bytes]) -> float:
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory) / 'line.db'}"
        upgrade(url)
        engine = create_engine_from_url(url)
        runtime = _runtime(_free_port())
        wiring = Wiring(engine, Clock.stepped(START), lambda: None, OutageWatch(), random.Random(0))
        runtime.begin(wiring, START)
        host, port = runtime.address or ("", 0)
        try:
            elapsed = _posted_by_line(f"http://{host}:{port}", bodies)
        finally:
            runtime.close()
            engine.dispose()
    return len(bodies) * EVENTS_PER_BODY / elapsed


def _posted_by_line(base_url: str, bodies: list[bytes]) -> float:
    """Seconds LINE's side (a process of its own, as LINE is) takes to post every body with
    SENDERS requests in flight, each answered 200."""
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    poster = context.Process(target=_post_all, args=(base_url, bodies, results))
    poster.start()
    elapsed = float(results.get(timeout=600))
    poster.join()
    return elapsed


def _post_all(base_url: str, bodies: list[bytes], results: Queue[float]) -> None:
    with httpx.Client(base_url=base_url, timeout=60) as client:

        def post(body: bytes) -> None:
            signature = {"X-Line-Signature": sign(SECRET, body)}
            client.post("/line/webhook", content=body, headers=signature).raise_for_status()

        began = time.perf_counter()
        with ThreadPoolExecutor(SENDERS) as senders:
            list(senders.map(post, bodies))
        results.put(time.perf_counter() - began)


def _bare_rate(bodies: list[bytes]) -> float:
    rows = [[_row(event) for event in json.loads(body)["events"]] for body in bodies]
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory) / 'bare.db'}"
        upgrade(url)
        engine = create_engine_from_url(url)
        try:
            began = time.perf_counter()
            for chunk in rows:
                with engine.begin() as connection:
                    connection.execute(sa.insert(MESSAGES), chunk)
            elapsed = time.perf_counter() - began
        finally:
            engine.dispose()
    return len(bodies) * EVENTS_PER_BODY / elapsed


def _row(event: dict[str, object]) -> dict[str, object]:
    message = event["message"]
    assert isinstance(message, dict)
    return {
        "channel": "line",
        "kind": "dm",
        "platform_id": message["id"],
        "account_id": BOT,
        "author_id": "U" + "c" * 32,
        "text": message["text"],
        "created_at": START,
        "received_at": START,
        "conversation_id": "U" + "c" * 32,
        "mentioned_ids": "",
        "hashtags": "",
        "attachments": "",
        "raw": json.dumps(event, ensure_ascii=False),
        "status": "new",
    }


def _body(number: int) -> bytes:
    events = []
    for n in range(EVENTS_PER_BODY):
        ordinal = number * EVENTS_PER_BODY + n
        at = START - timedelta(seconds=EVENTS_PER_BODY * BODIES - ordinal)
        events.append(
            {
                "type": "message",
                "mode": "active",
                "timestamp": int(at.timestamp() * 1000),
                "source": {"type": "user", "userId": "U" + "c" * 32},
                "webhookEventId": f"01JNBENCH{ordinal:017d}",
                "deliveryContext": {"isRedelivery": False},
                "replyToken": f"{ordinal:032x}",
                "message": {
                    "id": str(600_000_000 + ordinal),
                    "type": "text",
                    "text": f"ไฟถนนดับที่ซอย {ordinal} มาสามวันแล้ว",
                    "quoteToken": "q",
                },
            }
        )
    return json.dumps({"destination": BOT, "events": events}, ensure_ascii=False).encode()


def _runtime(port: int) -> LineRuntime:
    config = emulator_test_config()
    section = {
        "webhook": {"host": "127.0.0.1", "port": port},
        "accounts": {
            "jun": {
                "channel_id": "1600000001",
                "bot_user_id": BOT,
                "channel_secret_env": "JUN_LINE_CHANNEL_SECRET",
                "access_token_env": "JUN_LINE_CHANNEL_ACCESS_TOKEN",
            }
        },
    }
    config = config.model_copy(update={"line": LineSettings.model_validate(section)})
    return LineRuntime(config, {"jun": LineCredentials("jun", SECRET, "token")})


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
