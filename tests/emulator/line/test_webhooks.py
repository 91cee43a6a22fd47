"""Webhooks: signed with HMAC-SHA256 of the exact body, accepted by the SDK's WebhookParser as
the right event classes, refused with a wrong signature, redelivered with isRedelivery when no
2xx comes back, and struck by duplicates, reordering, bursts and redelivery storms."""

from __future__ import annotations

import json
import socket
from datetime import timedelta
from typing import Any

import pytest
from linebot.v3 import WebhookParser
from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.webhooks import (
    FollowEvent,
    ImageMessageContent,
    LocationMessageContent,
    MessageEvent,
    PostbackEvent,
    StickerMessageContent,
    TextMessageContent,
    UnfollowEvent,
)

from jun_engine.emulator.line.emulator import LineEmulator
from jun_engine.emulator.line.faults import WebhookFaults
from jun_engine.emulator.line.spec import Checker
from jun_engine.emulator.line.testing import WebhookInbox
from jun_engine.emulator.line.webhooks import REDELIVERY_BACKOFF, sign
from tests.emulator.line.clients import admin, blob, friend

WEBHOOK_SCHEMA = {"$ref": "#/components/schemas/CallbackRequest"}


def _bodies(inbox: WebhookInbox) -> list[dict[str, Any]]:
    return [json.loads(r.body) for r in inbox.received]


def _event_ids(inbox: WebhookInbox) -> list[list[str]]:
    return [[e["webhookEventId"] for e in b["events"]] for b in _bodies(inbox)]


def _parsed_by_the_sdk(line: LineEmulator, inbox: WebhookInbox) -> int:
    """Parse every body received with the SDK's WebhookParser; how many events it read."""
    parser = WebhookParser(line.state.channel.secret)
    events = [e for r in inbox.received for e in parser.parse(r.body.decode(), r.signature)]
    assert all(type(e).__name__ != "UnknownEvent" for e in events)
    return len(events)


def test_every_kind_of_event_is_signed_and_parsed_by_the_sdk(
    line_emulator: LineEmulator, line_webhook_inbox: WebhookInbox
) -> None:
    user = friend(line_emulator, "มานี มีนา", language="th")
    actions: list[tuple[str, dict[str, Any]]] = [
        ("text", {"text": "น้ำท่วมถนน 🌊 <b>ด่วน</b>\u202e"}),
        ("image", {}),
        ("location", {"latitude": 7.0057, "longitude": 100.4747, "title": "หาดใหญ่"}),
        ("sticker", {}),
        ("postback", {"data": "action=book", "params": {"datetime": "2026-03-10T09:30"}}),
        ("unfollow", {}),
        ("follow", {}),
    ]
    for action, body in actions:
        admin(line_emulator, "POST", f"users/{user}/{action}", body)
    assert line_webhook_inbox.wait_for(len(actions))
    parser = WebhookParser(line_emulator.state.channel.secret)
    parsed = []
    checker = Checker("webhook.yml")
    for received in line_webhook_inbox.received:
        assert received.signature == sign(line_emulator.state.channel.secret, received.body)
        assert checker.problems(json.loads(received.body), WEBHOOK_SCHEMA) == []
        payload = parser.parse(received.body.decode("utf-8"), received.signature, as_payload=True)
        assert payload.destination == line_emulator.state.channel.bot_user_id
        parsed.extend(payload.events)
    kinds = [type(e) for e in parsed]
    assert kinds == [MessageEvent] * 4 + [PostbackEvent, UnfollowEvent, FollowEvent]
    contents = [type(e.message) for e in parsed[:4]]
    assert contents == [
        TextMessageContent,
        ImageMessageContent,
        LocationMessageContent,
        StickerMessageContent,
    ]
    assert parsed[0].message.text == actions[0][1]["text"]
    assert parsed[4].postback.params == {"datetime": "2026-03-10T09:30"}
    assert parsed[6].follow.is_unblocked is True
    photo = bytes(blob(line_emulator).get_message_content(parsed[1].message.id))
    assert photo.startswith(b"\x89PNG")


def test_a_wrong_signature_is_rejected_by_the_sdk(
    line_emulator: LineEmulator, line_webhook_inbox: WebhookInbox
) -> None:
    user = friend(line_emulator)
    admin(line_emulator, "POST", f"users/{user}/text", {"text": "hello"})
    assert line_webhook_inbox.wait_for(1)
    received = line_webhook_inbox.received[0]
    parser = WebhookParser(line_emulator.state.channel.secret)
    with pytest.raises(InvalidSignatureError):
        parser.parse(received.body.decode(), sign("0" * 32, received.body))
    with pytest.raises(InvalidSignatureError):
        parser.parse(received.body.decode().replace("hello", "hellO"), received.signature)


def test_the_endpoint_check_sends_an_empty_events_list(
    line_emulator: LineEmulator, line_webhook_inbox: WebhookInbox
) -> None:
    result = admin(line_emulator, "POST", "webhook/verify")
    assert (result["success"], result["statusCode"]) == (True, 200)
    body = line_webhook_inbox.received[0]
    assert json.loads(body.body)["events"] == []
    assert (
        WebhookParser(line_emulator.state.channel.secret).parse(body.body.decode(), body.signature)
        == []
    )


@pytest.mark.parametrize("failure", [500, 404, 0], ids=["5xx", "4xx", "no answer"])
def test_no_2xx_means_a_redelivery_flagged_as_such(
    line_emulator: LineEmulator, line_webhook_inbox: WebhookInbox, failure: int
) -> None:
    admin(line_emulator, "PUT", "webhook", {"url": line_webhook_inbox.url, "timeoutSeconds": 0.3})
    line_webhook_inbox.statuses = [failure]
    user = friend(line_emulator)
    admin(line_emulator, "POST", f"users/{user}/text", {"text": "streetlight"})
    assert line_webhook_inbox.wait_for(1)
    assert line_emulator.wait_webhooks()
    assert len(line_webhook_inbox.received) == 1  # the redelivery waits for emulated time
    line_emulator.step(REDELIVERY_BACKOFF.total_seconds())
    assert line_webhook_inbox.wait_for(2)
    first, second = _bodies(line_webhook_inbox)
    assert first["events"][0]["deliveryContext"] == {"isRedelivery": False}
    assert second["events"][0]["deliveryContext"] == {"isRedelivery": True}
    assert first["events"][0]["webhookEventId"] == second["events"][0]["webhookEventId"]
    assert line_emulator.wait_webhooks()  # the second attempt's answer is logged
    log = admin(line_emulator, "GET", "deliveries")["deliveries"]
    assert [entry["attempt"] for entry in log] == [1, 2]


def _three_events(line: LineEmulator, faults: WebhookFaults) -> list[str]:
    """Queue three texts at once (deliveries held until all are queued) under `faults`."""
    line.webhooks.stop()
    line.webhooks.faults = faults
    user = friend(line)
    ids = [
        admin(line, "POST", f"users/{user}/text", {"text": f"#{n}"})["webhookEventId"]
        for n in range(3)
    ]
    line.webhooks.start()
    assert line.wait_webhooks()
    return ids


@pytest.mark.parametrize(
    ("faults", "expected"),
    [
        (WebhookFaults(), lambda ids: [[i] for i in ids]),
        (WebhookFaults(duplicate=1.0), lambda ids: [[i] for i in ids for _ in (0, 1)]),
        (WebhookFaults(burst=1.0), lambda ids: [ids]),
    ],
    ids=["none", "duplicates", "burst"],
)
def test_webhook_faults_shape_what_arrives(
    line_emulator: LineEmulator,
    line_webhook_inbox: WebhookInbox,
    faults: WebhookFaults,
    expected: Any,
) -> None:
    ids = _three_events(line_emulator, faults)
    assert _event_ids(line_webhook_inbox) == expected(ids)
    assert _parsed_by_the_sdk(line_emulator, line_webhook_inbox) == sum(map(len, expected(ids)))


def test_reordering_delivers_out_of_order(
    line_emulator: LineEmulator, line_webhook_inbox: WebhookInbox
) -> None:
    ids = _three_events(line_emulator, WebhookFaults(reorder=1.0))
    arrived = [b[0] for b in _event_ids(line_webhook_inbox)]
    assert sorted(arrived) == sorted(ids)
    assert arrived != ids


def test_a_redelivery_storm_repeats_answered_events(
    line_emulator: LineEmulator, line_webhook_inbox: WebhookInbox
) -> None:
    line_emulator.webhooks.faults = WebhookFaults(redeliver=1.0)
    user = friend(line_emulator)
    admin(line_emulator, "POST", f"users/{user}/text", {"text": "flood"})
    assert line_webhook_inbox.wait_for(1)
    assert line_emulator.wait_webhooks()  # the storm is queued
    line_emulator.step(5)
    assert line_webhook_inbox.wait_for(4)
    bodies = _bodies(line_webhook_inbox)
    assert [b["events"][0]["deliveryContext"]["isRedelivery"] for b in bodies] == [
        False,
        True,
        True,
        True,
    ]
    assert len({b["events"][0]["webhookEventId"] for b in bodies}) == 1
    assert _parsed_by_the_sdk(line_emulator, line_webhook_inbox) == 4


def test_content_is_gone_after_the_retention(
    line_emulator: LineEmulator, line_webhook_inbox: WebhookInbox
) -> None:
    user = friend(line_emulator)
    message_id = admin(line_emulator, "POST", f"users/{user}/image")["messageId"]
    line_emulator.step(
        (line_emulator.state.content.retention - timedelta(seconds=1)).total_seconds()
    )
    assert bytes(blob(line_emulator).get_message_content(message_id)).startswith(b"\x89PNG")
    line_emulator.step(1)
    from linebot.v3.messaging import ApiException

    with pytest.raises(ApiException) as gone:
        blob(line_emulator).get_message_content(message_id)
    assert gone.value.status == 404


def test_an_answer_cut_short_is_no_2xx_and_the_event_is_delivered_again(
    line_emulator: LineEmulator,
) -> None:
    # Given an engine that dies while answering: a 200's head, then the connection closes
    bodies: list[bytes] = []
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        server.settimeout(30)
        host, port = server.getsockname()[:2]
        admin(line_emulator, "PUT", "webhook", {"url": f"http://{host}:{port}/line/webhook"})
        user = friend(line_emulator)
        # When a resident writes, and the first delivery's answer is cut short
        admin(line_emulator, "POST", f"users/{user}/text", {"text": "farola"})
        _cut_short(server, bodies)
        assert line_emulator.wait_webhooks(60)  # the failed attempt is logged, the next queued
        line_emulator.step(REDELIVERY_BACKOFF.total_seconds())
        # Then LINE delivers it again, as for any answer that is not a 2xx
        _cut_short(server, bodies)
    assert line_emulator.wait_webhooks()
    log = admin(line_emulator, "GET", "deliveries")["deliveries"]
    assert [(entry["attempt"], entry["status"]) for entry in log][:2] == [(1, 0), (2, 0)]
    assert len(bodies) == 2


def _cut_short(server: socket.socket, bodies: list[bytes]) -> None:
    connection, _ = server.accept()
    with connection:
        connection.settimeout(30)
        received = b""
        while b"\r\n\r\n" not in received:
            received += connection.recv(65536)
        bodies.append(received)
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nOK")
