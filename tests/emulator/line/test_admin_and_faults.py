"""The LINE admin API, API faults (5xx, lost answers, timeouts, 429 storms) and the simulated
town of LINE residents."""

from __future__ import annotations

import http.client
import json
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from linebot.v3 import WebhookParser
from linebot.v3.webhooks import LocationMessageContent, MessageEvent, TextMessageContent

from jun_engine.emulator.clock import Clock
from jun_engine.emulator.faults import FaultSpec
from jun_engine.emulator.line.emulator import LineEmulator
from jun_engine.emulator.line.errors import RATE_LIMITED
from jun_engine.emulator.line.faults import LineFaults
from jun_engine.emulator.line.testing import WebhookInbox
from jun_engine.emulator.line.town import FUKUOKA, HAT_YAI, LineSimulatedTown
from jun_engine.emulator.testing import TEST_START
from tests.emulator.line.clients import admin, friend, raw, received

PUSH = "/v2/bot/message/push"
HELLO = [{"type": "text", "text": "断水のお知らせ"}]


def test_admin_creates_friends_and_reads_what_they_received(line_emulator: LineEmulator) -> None:
    created = admin(
        line_emulator,
        "POST",
        "users",
        {
            "displayName": "伊藤 陽菜",
            "language": "ja",
            "age": 41,
            "gender": "female",
            "area": "jp_40",
            "district": "博多区",
        },
    )
    user = created["userId"]
    assert created["following"] is True
    assert [u["userId"] for u in admin(line_emulator, "GET", "users")["users"]] == [user]
    for text in ("一", "二"):
        raw(line_emulator, "POST", PUSH, {"to": user, "messages": [{"type": "text", "text": text}]})
    assert [m["message"]["text"] for m in received(line_emulator, user)] == ["一", "二"]
    picture = raw(line_emulator, "GET", f"/_emulator/line/pictures/{user}", token="")
    assert picture.body.startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("POST", "users", {}, 400),
        ("POST", "users", {"displayName": "x", "gender": "other"}, 400),
        ("POST", f"users/U{1:032x}/text", {"text": "hi"}, 404),
        ("POST", "quota", {"plan": "platinum"}, 400),
        ("POST", "faults", {"spec": "5xx=lots"}, 400),
        ("PUT", "webhook", {"url": "ftp://x"}, 400),
        ("POST", "clock/step", {"seconds": -1}, 400),
        ("GET", "nothing", None, 404),
    ],
)
def test_bad_admin_requests_say_what_is_wrong(
    line_emulator: LineEmulator, method: str, path: str, body: object, status: int
) -> None:
    answer = raw(line_emulator, method, f"/_emulator/line/{path}", body, token="")
    assert answer.status == status
    assert answer.json()["error"]


def test_the_ledger_totals_cost_and_pages(line_emulator: LineEmulator) -> None:
    users = [friend(line_emulator, f"n{n}") for n in range(3)]
    for user in users:
        raw(line_emulator, "POST", PUSH, {"to": user, "messages": HELLO * 2})
    raw(line_emulator, "POST", "/v2/bot/message/multicast", {"to": users, "messages": HELLO})
    ledger = admin(line_emulator, "GET", "ledger?offset=1&limit=2")
    assert ledger["count"] == 4
    assert ledger["quota_cost"] == 6
    assert ledger["endpoints"]["push"] == {"requests": 3, "delivered": 3, "quota_cost": 3}
    assert [e["endpoint"] for e in ledger["entries"]] == ["push", "push"]
    quota = admin(line_emulator, "GET", "quota")
    assert (quota["plan"], quota["used"], quota["remaining"]) == ("free", 6, 194)


def test_admin_clock_channel_and_faults(line_emulator: LineEmulator) -> None:
    before = admin(line_emulator, "GET", "clock")["now"]
    after = admin(line_emulator, "POST", "clock/step", {"seconds": 90})["now"]
    assert before < after
    assert (
        admin(line_emulator, "GET", "channel")["destination"]
        == line_emulator.state.channel.bot_user_id
    )
    spec = admin(line_emulator, "POST", "faults", {"spec": "5xx=0.5,dup=0.25"})["spec"]
    assert spec == "5xx=0.5,dup=0.25"
    assert admin(line_emulator, "POST", "faults", {"spec": ""})["spec"] == ""


def test_a_5xx_fault_answers_500_and_sends_nothing(line_emulator: LineEmulator) -> None:
    user = friend(line_emulator)
    line_emulator.dice.spec = FaultSpec(server_error=1.0)
    answer = raw(line_emulator, "POST", PUSH, {"to": user, "messages": HELLO})
    assert answer.status == 500
    assert answer.headers["x-line-request-id"]
    line_emulator.dice.spec = FaultSpec()
    assert received(line_emulator, user) == []


def test_a_lost_answer_was_still_delivered(line_emulator: LineEmulator) -> None:
    user = friend(line_emulator)
    line_emulator.dice.spec = FaultSpec(lost=1.0, lost_status=503)
    answer = raw(line_emulator, "POST", PUSH, {"to": user, "messages": HELLO})
    line_emulator.dice.spec = FaultSpec()
    assert answer.status == 503
    assert len(received(line_emulator, user)) == 1


def test_a_timeout_drops_the_connection_unanswered(line_emulator: LineEmulator) -> None:
    line_emulator.dice.spec = FaultSpec(timeout=1.0, timeout_for=timedelta(seconds=0.2))
    parts = urlsplit(line_emulator.base_url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    connection.request("GET", "/v2/bot/message/quota")
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        connection.getresponse()
    connection.close()
    line_emulator.dice.spec = FaultSpec()


def test_a_429_storm_uses_lines_message() -> None:
    faults = LineFaults.parse("storm=30s/60s")
    with LineEmulator(faults=faults, clock=Clock.stepped(TEST_START)) as line:
        line.step(45)
        answer = raw(line, "GET", "/v2/bot/message/quota")
        assert (answer.status, answer.json()) == (429, {"message": RATE_LIMITED})
        line.step(20)
        assert raw(line, "GET", "/v2/bot/message/quota").status == 200


def test_the_simulated_town_has_thai_and_japanese_residents_who_report_with_photos_and_pins(
    line_emulator: LineEmulator, line_webhook_inbox: WebhookInbox
) -> None:
    town = LineSimulatedTown(seed=4, rate_per_hour=120.0, per_city=6)
    line_emulator.attach_town(town)
    line_emulator.advance_town()
    people = town.people
    assert {p.area for p in people} == {FUKUOKA.area, HAT_YAI.area}
    assert all(p.district and p.age for p in people)
    line_emulator.step(3600)
    assert len(town.sent) > 20
    assert {s.city for s in town.sent} == {"Fukuoka", "Hat Yai"}
    assert line_emulator.wait_webhooks()
    events = []
    parser = WebhookParser(line_emulator.state.channel.secret)
    for got in line_webhook_inbox.received:
        events.extend(parser.parse(got.body.decode(), got.signature))
    messages = [e.message for e in events if isinstance(e, MessageEvent)]
    texts = [m.text for m in messages if isinstance(m, TextMessageContent)]
    assert any("冠水" in t or "陥没" in t for t in texts) or any("น้ำท่วม" in t for t in texts)
    pins = [m for m in messages if isinstance(m, LocationMessageContent)]
    assert pins
    assert all(6.9 < p.latitude < 7.1 or 33.5 < p.latitude < 33.7 for p in pins)
    again = LineSimulatedTown(seed=4, rate_per_hour=120.0, per_city=6)
    with LineEmulator(seed=0, clock=Clock.stepped(TEST_START)) as twin:
        twin.attach_town(again)
        twin.advance_town()
        twin.step(3600)
    assert [(s.category, s.text) for s in again.sent] == [(s.category, s.text) for s in town.sent]
    assert json.loads(line_webhook_inbox.received[0].body)["destination"]
