"""LINE's webhook over real HTTP: the LINE emulator signs and posts its events to the engine's
webhook app under uvicorn; every event is stored once, byte-exact, with its reply token, before
the 200. Bad requests (unsigned, mis-signed, cut short, oversized, not JSON, for another bot,
replayed) get their status and store nothing."""

from __future__ import annotations

import json
import random
import socket
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from jun_engine.channels.line.runtime import LineRuntime
from jun_engine.channels.ports import Wiring
from jun_engine.config.environment import LineCredentials
from jun_engine.domain.messages import Channel, MessageKind, Place
from jun_engine.emulator.line.emulator import LineEmulator
from jun_engine.emulator.line.webhooks import sign
from jun_engine.service.outage import OutageWatch
from jun_engine.store.engine import create_engine_from_url
from jun_engine.store.repository import get_message
from jun_engine.store.tables import InboundMessageRow, LineReplyTokenRow
from tests.channels.line.conftest import MAX_BODY, Served, free_port, line_config
from tests.emulator.line.clients import admin, friend

HOSTILE = "Robert'); DROP TABLE inbound_message;-- \u202eevil\u202c <b>x</b> \\n é 🙂\u0301\t\r\n"
"""Quotes, SQL, a right-to-left override, markup, an escaped-looking backslash, a combining mark
on an emoji, control whitespace: stored exactly."""


def deliveries(line: LineEmulator) -> list[dict[str, Any]]:
    return list(admin(line, "GET", "deliveries")["deliveries"])


def stored(engine: Engine) -> list[InboundMessageRow]:
    with Session(engine) as session:
        return list(
            session.exec(select(InboundMessageRow).order_by(col(InboundMessageRow.id))).all()
        )


def tokens(engine: Engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(LineReplyTokenRow)).one()


def test_a_text_is_stored_once_byte_exact_with_its_reply_token(
    line_emulator: LineEmulator, served: Served
) -> None:
    # Given a friend of the account
    user = friend(line_emulator)
    # When they send hostile text
    sent = admin(line_emulator, "POST", f"users/{user}/text", {"text": HOSTILE})
    assert line_emulator.wait_webhooks()
    # Then the webhook answered 200 once the message was stored as a private LINE message
    assert [d["status"] for d in deliveries(line_emulator)] == [200]
    with Session(served.engine) as session:
        message = get_message(session, Channel.LINE, MessageKind.DM, sent["messageId"])
        token = session.exec(select(LineReplyTokenRow)).one()
    assert message is not None
    assert message.text == HOSTILE
    assert (message.author_id, message.conversation_id) == (user, user)
    assert message.account_id == line_emulator.state.channel.bot_user_id
    assert message.created_at == line_emulator.clock.now()  # the event's timestamp
    # And its raw payload is the event's JSON exactly as the emulator wrote it in the body
    assert message.raw == json.dumps(sent["event"], ensure_ascii=False, separators=(",", ":"))
    assert (token.platform_id, token.user_id, token.token) == (
        sent["messageId"],
        user,
        sent["replyToken"],
    )
    assert served.wakes.is_set()


def test_photos_pins_and_buttons_become_domain_messages(
    line_emulator: LineEmulator, served: Served
) -> None:
    user = friend(line_emulator)
    photo = admin(line_emulator, "POST", f"users/{user}/image")
    pin = admin(
        line_emulator,
        "POST",
        f"users/{user}/location",
        {"latitude": 33.59, "longitude": 130.4, "title": "天神", "address": "福岡市中央区天神"},
    )
    button = admin(
        line_emulator,
        "POST",
        f"users/{user}/postback",
        {"data": "book=vaccine", "params": {"date": "2026-03-09"}},
    )
    admin(line_emulator, "POST", f"users/{user}/sticker", {})
    assert line_emulator.wait_webhooks()
    with Session(served.engine) as session:
        image = get_message(session, Channel.LINE, MessageKind.DM, photo["messageId"])
        place = get_message(session, Channel.LINE, MessageKind.DM, pin["messageId"])
        action = get_message(session, Channel.LINE, MessageKind.DM, button["webhookEventId"])
    assert image is not None
    assert (image.text, image.attachments) == ("", (photo["messageId"],))
    assert place is not None
    assert place.place == Place(33.59, 130.4, "天神")
    assert place.text == "福岡市中央区天神"
    assert action is not None
    assert action.action == "book=vaccine"
    assert json.loads(action.raw)["postback"]["params"] == {"date": "2026-03-09"}
    # The sticker is acknowledged and not stored; three reply tokens kept
    assert len(stored(served.engine)) == 3
    assert tokens(served.engine) == 3
    assert {d["status"] for d in deliveries(line_emulator)} == {200}


def _body(line: LineEmulator, text: str = "hola", *, age: timedelta = timedelta(0)) -> bytes:
    moment = line.clock.now() - age
    event = {
        "type": "message",
        "mode": "active",
        "timestamp": int(moment.timestamp() * 1000),
        "source": {"type": "user", "userId": "U" + "a" * 32},
        "webhookEventId": "01JNEXAMPLEEVENT000000000" + str(int(age.total_seconds()) % 10),
        "deliveryContext": {"isRedelivery": False},
        "replyToken": "f" * 32,
        "message": {"id": "5551" + str(len(text)), "type": "text", "text": text, "quoteToken": "q"},
    }
    body = {"destination": line.state.channel.bot_user_id, "events": [event]}
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def _post(served: Served, body: bytes, signature: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["X-Line-Signature"] = signature
    return httpx.post(served.url, content=body, headers=headers, timeout=10).status_code


@pytest.mark.parametrize(
    ("case", "status"),
    [
        ("unsigned", 401),
        ("mis-signed", 401),
        ("signed by another secret", 401),
        ("truncated", 400),
        ("oversized", 413),
        ("not JSON", 400),
        ("an array", 400),
        ("no webhookEventId", 400),
        ("another bot", 400),
        ("text not a string", 400),
    ],
)
def test_a_bad_request_gets_its_status_and_stores_nothing(
    line_emulator: LineEmulator, served: Served, case: str, status: int
) -> None:
    secret = line_emulator.state.channel.secret
    good = _body(line_emulator)
    body = good
    signature: str | None = sign(secret, good)
    if case == "unsigned":
        signature = None
    elif case == "mis-signed":
        signature = sign(secret, good + b" ")
    elif case == "signed by another secret":
        signature = sign("0" * 32, good)
    elif case == "truncated":
        body = good[: len(good) // 2]
    elif case == "oversized":
        body = _body(line_emulator, "x" * (MAX_BODY + 1))
    elif case == "not JSON":
        body = b"destination=U&events=[]"
    elif case == "an array":
        body = b"[]"
    elif case == "no webhookEventId":
        body = good.replace(b'"webhookEventId"', b'"webhookEventID"')
    elif case == "another bot":
        body = good.replace(line_emulator.state.channel.bot_user_id.encode(), b"U" + b"0" * 32)
    elif case == "text not a string":
        body = good.replace(b'"text": "hola"', b'"text": 42')
    if case not in {"unsigned", "mis-signed", "signed by another secret"}:
        signature = sign(secret, body)
    assert _post(served, body, signature) == status
    assert stored(served.engine) == []
    assert tokens(served.engine) == 0


def test_a_body_cut_short_in_transit_stores_nothing(
    line_emulator: LineEmulator, served: Served
) -> None:
    body = _body(line_emulator)
    parts = urlsplit(served.url)
    head = (
        f"POST {parts.path} HTTP/1.1\r\nHost: {parts.hostname}\r\nContent-Type: application/json"
        f"\r\nX-Line-Signature: {sign(line_emulator.state.channel.secret, body)}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection((parts.hostname or "", parts.port or 0), timeout=10) as sock:
        sock.sendall(head + body[: len(body) // 2])
        sock.shutdown(socket.SHUT_WR)  # the sender stops half way through
        sock.recv(1024)  # the server gives up on the request (whatever it answers, if at all)
    # A whole request after it is served normally: the server is fine, the half stored nothing
    assert _post(served, b'{"destination":"U' + b"0" * 32 + b'","events":[]}', "x") == 401
    assert stored(served.engine) == []


def test_a_replayed_body_is_stored_once_and_an_old_one_not_at_all(
    line_emulator: LineEmulator, served: Served
) -> None:
    secret = line_emulator.state.channel.secret
    body = _body(line_emulator)
    # The same signed body three times: 200 each time (LINE must stop), one message
    assert [_post(served, body, sign(secret, body)) for _ in range(3)] == [200, 200, 200]
    assert len(stored(served.engine)) == 1
    # A signed body whose events are two days old: acknowledged, and nothing stored
    old = _body(line_emulator, "antiguo", age=timedelta(days=2))
    assert _post(served, old, sign(secret, old)) == 200
    assert len(stored(served.engine)) == 1


def test_an_empty_events_list_is_answered_200(line_emulator: LineEmulator, served: Served) -> None:
    # LINE's "verify" button and the emulator's: an empty `events` list
    report = admin(line_emulator, "POST", "webhook/verify")
    assert (report["success"], report["statusCode"]) == (True, 200)
    assert stored(served.engine) == []


def test_a_redelivery_storm_is_stored_once(line_emulator: LineEmulator, served: Served) -> None:
    # Given deliveries sent twice, overtaking each other, and each redelivered three more times
    admin(line_emulator, "POST", "faults", {"spec": "dup=1,reorder=0.5,redeliver=1"})
    users = [friend(line_emulator, f"住民 {n}") for n in range(3)]
    sent = [
        admin(line_emulator, "POST", f"users/{u}/text", {"text": f"通報 {n}"})
        for n, u in enumerate(users * 2)
    ]
    for _ in range(4):  # the storm's repeats come a second apart
        assert line_emulator.wait_webhooks()
        line_emulator.step(1)
    assert line_emulator.wait_webhooks()
    # Then many deliveries came, and each message is stored exactly once
    assert len(deliveries(line_emulator)) >= 4 * len(sent)
    assert sorted(r.platform_id for r in stored(served.engine)) == sorted(
        s["messageId"] for s in sent
    )
    assert tokens(served.engine) == len(sent)


def test_a_database_outage_answers_503_and_line_redelivers(
    line_emulator: LineEmulator, tmp_path: object
) -> None:
    # Given the webhook served on a database that cannot be reached
    config = line_config(line_emulator, free_port())
    channel = line_emulator.state.channel
    runtime = LineRuntime(
        config, {"jun": LineCredentials("jun", channel.secret, channel.access_token)}
    )
    folder = Path(str(tmp_path)) / "gone"
    folder.mkdir()
    broken = create_engine_from_url(f"sqlite:///{folder}/jun.db")
    folder.rmdir()  # the database's folder disappears: no connection can open
    outage = OutageWatch()
    wiring = Wiring(broken, line_emulator.clock, lambda: None, outage, random.Random(0))
    runtime.begin(wiring, line_emulator.clock.now())
    try:
        host, port = runtime.address or ("", 0)
        line_emulator.state.webhook.url = f"http://{host}:{port}/line/webhook"
        # When a resident writes
        admin(line_emulator, "POST", f"users/{friend(line_emulator)}/text", {"text": "hola"})
        assert line_emulator.wait_webhooks()
    finally:
        runtime.close()
        broken.dispose()
    # Then the webhook said 503, the engine knows of the outage, and LINE will send it again
    assert [d["status"] for d in deliveries(line_emulator)] == [503]
    assert outage.fault is not None
    assert admin(line_emulator, "GET", "deliveries")["pending"] == 1
