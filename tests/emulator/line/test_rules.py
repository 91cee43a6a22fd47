"""LINE's rules, one table each: auth, body checks naming the property, message-count and length
limits, retry keys, reply tokens, the monthly quota, blocked users, profiles, rate limits."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from linebot.v3.messaging import ApiException, PushMessageRequest, TextMessage

from jun_engine.emulator.line.emulator import LineEmulator
from jun_engine.emulator.line.errors import (
    BAD_TOKEN,
    INVALID_REPLY_TOKEN,
    MONTHLY_LIMIT,
    NO_AUTH_HEADER,
    RATE_LIMITED,
)
from jun_engine.emulator.line.friends import Friend
from jun_engine.emulator.line.limits import LIMITS, LineRateLimiter
from jun_engine.emulator.line.quota import PLANS
from tests.emulator.line.clients import admin, error_body, friend, messaging, raw, received

PUSH = "/v2/bot/message/push"
MULTICAST = "/v2/bot/message/multicast"
BROADCAST = "/v2/bot/message/broadcast"
NARROWCAST = "/v2/bot/message/narrowcast"
REPLY = "/v2/bot/message/reply"
HELLO = [{"type": "text", "text": "こんにちは"}]


def _friends(line: LineEmulator, count: int) -> list[str]:
    """`count` friends created in-process (the admin API is tested elsewhere)."""
    return [
        line.residents.add(Friend(line.state.mint.user_id(), f"住民 {n}")).user_id
        for n in range(count)
    ]


@pytest.mark.parametrize(
    ("token", "message"),
    [("", NO_AUTH_HEADER), ("wrong-token", BAD_TOKEN)],
    ids=["no header", "wrong token"],
)
def test_a_request_without_the_channel_token_is_401(
    line_emulator: LineEmulator, token: str, message: str
) -> None:
    answer = raw(line_emulator, "GET", "/v2/bot/message/quota", token=token)
    assert (answer.status, answer.json()) == (401, {"message": message})
    assert answer.headers["x-line-request-id"]


def test_the_sdk_sees_401_with_a_wrong_token(line_emulator: LineEmulator) -> None:
    with pytest.raises(ApiException) as refused:
        messaging(line_emulator, token="nope").get_message_quota()
    assert refused.value.status == 401


BAD_BODIES: list[tuple[str, str, dict[str, Any], str, str]] = [
    ("six messages", PUSH, {"messages": HELLO * 6}, "messages", "Size must be between 1 and 5"),
    ("no messages", PUSH, {"messages": []}, "messages", "Size must be between 1 and 5"),
    ("no to", PUSH, {"_drop_to": True, "messages": HELLO}, "to", "must be specified"),
    (
        "bad to",
        PUSH,
        {"to": "someone", "messages": HELLO},
        "to",
        "The property, 'to', in the request body is invalid",
    ),
    (
        "5,001 units",
        PUSH,
        {"messages": [{"type": "text", "text": "あ" * 5001}]},
        "messages[0].text",
        "Length must be between 0 and 5000",
    ),
    (
        "2,501 emoji are 5,002 units",
        PUSH,
        {"messages": [{"type": "text", "text": "🌊" * 2501}]},
        "messages[0].text",
        "Length must be between 0 and 5000",
    ),
    (
        "text missing",
        PUSH,
        {"messages": [{"type": "text"}]},
        "messages[0].text",
        "must be specified",
    ),
    ("unknown type", PUSH, {"messages": [{"type": "fax"}]}, "messages[0].type", "must be one of"),
    (
        "a number for text",
        PUSH,
        {"messages": [{"type": "text", "text": 5}]},
        "messages[0].text",
        "must be a string",
    ),
    (
        "14 quick replies",
        PUSH,
        {
            "messages": [
                {
                    "type": "text",
                    "text": "?",
                    "quickReply": {
                        "items": [
                            {"type": "action", "action": {"type": "location", "label": "場所"}}
                        ]
                        * 14
                    },
                }
            ]
        },
        "messages[0].quickReply.items",
        "Size must be between 0 and 13",
    ),
    (
        "a location without latitude",
        PUSH,
        {"messages": [{"type": "location", "title": "t", "address": "a", "longitude": 130.4}]},
        "messages[0].latitude",
        "must be specified",
    ),
    (
        "501 recipients",
        MULTICAST,
        {"to": [f"U{n:032x}" for n in range(501)], "messages": HELLO},
        "to",
        "Size must be between 1 and 500",
    ),
    ("a bad recipient", MULTICAST, {"to": ["U1"], "messages": HELLO}, "to[0]", "invalid user id"),
    (
        "loading 7 s",
        "/v2/bot/chat/loading/start",
        {"loadingSeconds": 7},
        "loadingSeconds",
        "must be a multiple of 5",
    ),
    (
        "loading 65 s",
        "/v2/bot/chat/loading/start",
        {"loadingSeconds": 65},
        "loadingSeconds",
        "must be less than or equal to 60",
    ),
    ("no reply token", REPLY, {"messages": HELLO}, "replyToken", "must be specified"),
    (
        "forbid partial alone",
        NARROWCAST,
        {"messages": HELLO, "limit": {"forbidPartialDelivery": True}},
        "limit.forbidPartialDelivery",
        "can be true only if",
    ),
    (
        "bad age band",
        NARROWCAST,
        {"messages": HELLO, "filter": {"demographic": {"type": "age", "gte": "age_17"}}},
        "filter.demographic.gte",
        "must be one of",
    ),
]


@pytest.mark.parametrize(
    ("path", "body", "prop", "message"),
    [case[1:] for case in BAD_BODIES],
    ids=[case[0] for case in BAD_BODIES],
)
def test_a_bad_body_is_400_naming_the_property(
    line_emulator: LineEmulator, path: str, body: dict[str, Any], prop: str, message: str
) -> None:
    user = friend(line_emulator)
    sent = {"to": user, "chatId": user, **body}
    if sent.pop("_drop_to", False):
        del sent["to"]
    if path == MULTICAST and "to" in body:
        sent["to"] = body["to"]
    answer = raw(line_emulator, "POST", path, sent)
    assert answer.status == 400, answer.body
    error = answer.json()
    assert error["message"].startswith("The request body has")
    assert any(
        d["property"] == prop and d["message"].startswith(message) for d in error["details"]
    ), error
    assert received(line_emulator, user) == []


def test_exactly_5000_utf16_units_and_five_messages_are_accepted(
    line_emulator: LineEmulator,
) -> None:
    user = friend(line_emulator)
    text = "🌊" * 2500  # 2,500 characters, 5,000 UTF-16 code units
    answer = raw(
        line_emulator, "POST", PUSH, {"to": user, "messages": [{"type": "text", "text": text}] * 5}
    )
    assert answer.status == 200, answer.body
    assert [m["message"]["text"] for m in received(line_emulator, user)] == [text] * 5


def test_a_lone_surrogate_is_refused_and_stores_nothing(line_emulator: LineEmulator) -> None:
    user = friend(line_emulator)
    body = ('{"to": "' + user + '", "messages": [{"type": "text", "text": "a\\ud800b"}]}').encode()
    answer = raw(
        line_emulator, "POST", PUSH, data=body, headers={"Content-Type": "application/json"}
    )
    assert answer.status == 400
    assert answer.json()["details"][0]["property"] == "messages[0].text"
    assert received(line_emulator, user) == []


def test_the_sdk_sees_the_property_in_a_400(line_emulator: LineEmulator) -> None:
    user = friend(line_emulator)
    with pytest.raises(ApiException) as refused:
        messaging(line_emulator).push_message(
            PushMessageRequest(to=user, messages=[TextMessage(text="x" * 5001)])
        )
    assert refused.value.status == 400
    assert error_body(refused.value)["details"][0]["property"] == "messages[0].text"


# --- retry keys ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", [PUSH, MULTICAST, BROADCAST, NARROWCAST])
def test_a_repeated_retry_key_is_409_with_the_accepted_request_and_delivered_once(
    line_emulator: LineEmulator, path: str
) -> None:
    user = friend(line_emulator)
    body: dict[str, Any] = {"messages": HELLO}
    if path == PUSH:
        body["to"] = user
    if path == MULTICAST:
        body["to"] = [user]
    key = {"X-Line-Retry-Key": str(uuid.uuid4())}
    first = raw(line_emulator, "POST", path, body, key)
    assert first.status in (200, 202)
    line_emulator.step(3600)  # an hour later: still within 24 h
    again = raw(line_emulator, "POST", path, body, key)
    assert again.status == 409
    assert again.headers["x-line-accepted-request-id"] == first.headers["x-line-request-id"]
    assert again.headers["x-line-request-id"] != first.headers["x-line-request-id"]
    if path == PUSH:
        assert again.json()["sentMessages"] == first.json()["sentMessages"]
    assert len(received(line_emulator, user)) == 1
    line_emulator.step(24 * 3600)  # the key has expired: a new send
    assert raw(line_emulator, "POST", path, body, key).status in (200, 202)
    line_emulator.step(2)
    assert len(received(line_emulator, user)) == 2


@pytest.mark.parametrize(
    ("method", "path", "key"),
    [
        ("POST", REPLY, str(uuid.uuid4())),
        ("GET", "/v2/bot/message/quota", str(uuid.uuid4())),
        ("POST", "/v2/bot/message/validate/push", str(uuid.uuid4())),
        ("POST", PUSH, "not-a-uuid"),
    ],
    ids=["reply", "quota", "validate", "not a uuid"],
)
def test_a_retry_key_where_line_takes_none_or_not_a_uuid_is_400(
    line_emulator: LineEmulator, method: str, path: str, key: str
) -> None:
    user = friend(line_emulator)
    body = {"to": user, "replyToken": "x", "messages": HELLO} if method == "POST" else None
    answer = raw(line_emulator, method, path, body, {"X-Line-Retry-Key": key})
    assert answer.status == 400
    assert answer.json()["details"][0]["property"] == "X-Line-Retry-Key"
    assert received(line_emulator, user) == []


# --- reply tokens --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wait", "second_use", "ok"),
    [(0, False, True), (59, False, True), (61, False, False), (0, True, False)],
    ids=["at once", "after 59 s", "after 61 s", "used twice"],
)
def test_a_reply_token_works_once_within_60_seconds(
    line_emulator: LineEmulator, wait: int, second_use: bool, ok: bool
) -> None:
    user = friend(line_emulator)
    token = admin(line_emulator, "POST", f"users/{user}/text", {"text": "水道料金"})["replyToken"]
    line_emulator.step(wait)
    body = {"replyToken": token, "messages": HELLO}
    if second_use:
        assert raw(line_emulator, "POST", REPLY, body).status == 200
    answer = raw(line_emulator, "POST", REPLY, body)
    if ok:
        assert answer.status == 200
    else:
        assert (answer.status, answer.json()) == (400, {"message": INVALID_REPLY_TOKEN})
    assert len(received(line_emulator, user)) == (1 if ok or second_use else 0)


def test_an_unknown_reply_token_is_invalid(line_emulator: LineEmulator) -> None:
    answer = raw(line_emulator, "POST", REPLY, {"replyToken": "0" * 32, "messages": HELLO})
    assert (answer.status, answer.json()["message"]) == (400, INVALID_REPLY_TOKEN)


# --- quota ---------------------------------------------------------------------------------


@pytest.mark.parametrize("plan", sorted(PLANS))
def test_the_quota_endpoint_tells_each_plan(line_emulator: LineEmulator, plan: str) -> None:
    admin(line_emulator, "POST", "quota", {"plan": plan})
    answer = raw(line_emulator, "GET", "/v2/bot/message/quota").json()
    monthly = PLANS[plan].monthly
    assert answer == (
        {"type": "none"} if monthly is None else {"type": "limited", "value": monthly}
    )


def test_the_monthly_quota_runs_out_per_recipient_and_comes_back_next_month(
    line_emulator: LineEmulator,
) -> None:
    users = _friends(line_emulator, 201)
    assert (
        raw(line_emulator, "POST", MULTICAST, {"to": users[:150], "messages": HELLO * 4}).status
        == 200
    )
    over = raw(line_emulator, "POST", MULTICAST, {"to": users[150:], "messages": HELLO})
    assert (over.status, over.json()) == (429, {"message": MONTHLY_LIMIT})
    assert (
        raw(line_emulator, "POST", MULTICAST, {"to": users[150:200], "messages": HELLO}).status
        == 200
    )
    refused = raw(line_emulator, "POST", PUSH, {"to": users[200], "messages": HELLO})
    assert (refused.status, refused.json()["message"]) == (429, MONTHLY_LIMIT)
    usage = raw(line_emulator, "GET", "/v2/bot/message/quota/consumption").json()
    assert usage == {"totalUsage": 200}
    token = admin(line_emulator, "POST", f"users/{users[200]}/text", {"text": "?"})["replyToken"]
    assert raw(line_emulator, "POST", REPLY, {"replyToken": token, "messages": HELLO}).status == 200
    now = line_emulator.clock.now()
    next_month = datetime(now.year + now.month // 12, now.month % 12 + 1, 1, tzinfo=UTC)
    line_emulator.step((next_month - now).total_seconds())  # 09:00 in Tokyo: the new month
    assert raw(line_emulator, "POST", PUSH, {"to": users[200], "messages": HELLO}).status == 200
    assert raw(line_emulator, "GET", "/v2/bot/message/quota/consumption").json()["totalUsage"] == 1


# --- blocked users, profiles ---------------------------------------------------------------


def test_blocked_users_get_nothing_and_are_not_counted(line_emulator: LineEmulator) -> None:
    stays, blocks = _friends(line_emulator, 2)
    admin(line_emulator, "POST", f"users/{blocks}/unfollow")
    assert raw(line_emulator, "POST", PUSH, {"to": blocks, "messages": HELLO}).status == 200
    raw(line_emulator, "POST", MULTICAST, {"to": [stays, blocks], "messages": HELLO})
    raw(line_emulator, "POST", BROADCAST, {"messages": HELLO})
    assert received(line_emulator, blocks) == []
    assert len(received(line_emulator, stays)) == 2
    usage = raw(line_emulator, "GET", "/v2/bot/message/quota/consumption").json()
    assert usage["totalUsage"] == 2
    ledger = admin(line_emulator, "GET", "ledger")
    assert [(e["targeted"], e["delivered"]) for e in ledger["entries"]] == [(1, 0), (2, 1), (1, 1)]


@pytest.mark.parametrize("who", ["unknown", "blocked", "friend"])
def test_a_profile_is_404_unless_a_friend(line_emulator: LineEmulator, who: str) -> None:
    user = f"U{7:032x}" if who == "unknown" else friend(line_emulator, "佐藤 健")
    if who == "blocked":
        admin(line_emulator, "POST", f"users/{user}/unfollow")
    answer = raw(line_emulator, "GET", f"/v2/bot/profile/{user}")
    if who == "friend":
        assert answer.json()["displayName"] == "佐藤 健"
    else:
        assert (answer.status, answer.json()) == (404, {"message": "Not found"})


# --- rate limits ---------------------------------------------------------------------------


def test_the_61st_broadcast_in_an_hour_is_429_without_headers(line_emulator: LineEmulator) -> None:
    for _ in range(60):
        assert raw(line_emulator, "POST", BROADCAST, {"messages": HELLO}).status == 200
    refused = raw(line_emulator, "POST", BROADCAST, {"messages": HELLO})
    assert (refused.status, refused.json()) == (429, {"message": RATE_LIMITED})
    assert not [h for h in refused.headers if "rate" in h]
    line_emulator.step(3600)
    assert raw(line_emulator, "POST", BROADCAST, {"messages": HELLO}).status == 200


@pytest.mark.parametrize("group", sorted(LIMITS))
def test_each_limit_group_admits_its_count_per_window(group: str) -> None:
    limiter = LineRateLimiter()
    limit = LIMITS[group]
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    for _ in range(limit.count):
        limiter.admit(group, start)
    with pytest.raises(Exception, match="rate limit"):
        limiter.admit(group, start)
    limiter.admit(group, start + timedelta(seconds=limit.seconds))
