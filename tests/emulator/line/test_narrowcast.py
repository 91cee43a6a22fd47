"""Narrowcast as LINE does it: 202, phases, demographic filters matched against the friends'
profiles, uploaded audiences and the 50-recipient rule, `limit`, redelivery."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from jun_engine.emulator.line.emulator import LineEmulator
from jun_engine.emulator.line.friends import Friend
from tests.emulator.line.clients import admin, raw

NARROWCAST = "/v2/bot/message/narrowcast"
HELLO = [{"type": "text", "text": "PM2.5の予報です"}]

PEOPLE: dict[str, dict[str, Any]] = {
    "hanako": {"age": 34, "gender": "female", "area": "jp_40", "app_type": "ios", "days": 400},
    "ken": {"age": 71, "gender": "male", "area": "jp_40", "app_type": "android", "days": 10},
    "somchai": {"age": 19, "gender": "male", "area": "th_05", "app_type": "android", "days": 40},
    "malee": {"age": 52, "gender": "female", "area": "th_01", "app_type": "ios", "days": 200},
    "unknown": {"age": None, "gender": None, "area": None, "app_type": "ios", "days": 3},
}


@pytest.fixture
def town(line_emulator: LineEmulator) -> dict[str, str]:
    """Five friends with known profiles, who followed `days` ago."""
    ids: dict[str, str] = {}
    now = line_emulator.clock.now()
    for name, p in PEOPLE.items():
        person = Friend(
            line_emulator.state.mint.user_id(),
            name,
            age=p["age"],
            gender=p["gender"],
            area=p["area"],
            app_type=p["app_type"],
        )
        line_emulator.residents.add(person)
        person.followed_at = now - timedelta(days=p["days"])
        ids[name] = person.user_id
    return ids


def _send(line: LineEmulator, body: dict[str, Any]) -> str:
    answer = raw(line, "POST", NARROWCAST, {"messages": HELLO, **body})
    assert answer.status == 202, answer.body
    assert answer.json() == {}
    return answer.headers["x-line-request-id"]


def _progress(line: LineEmulator, request_id: str) -> dict[str, Any]:
    answer = raw(line, "GET", f"/v2/bot/message/progress/narrowcast?requestId={request_id}")
    assert answer.status == 200
    result: dict[str, Any] = answer.json()
    return result


def _reached(line: LineEmulator, town: dict[str, str]) -> set[str]:
    return {n for n, u in town.items() if admin(line, "GET", f"users/{u}/messages")["messages"]}


def _age(gte: str | None = None, lt: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "age"}
    if gte:
        out["gte"] = gte
    if lt:
        out["lt"] = lt
    return out


FILTERS: list[tuple[str, dict[str, Any], set[str]]] = [
    ("age 30-40", _age("age_30", "age_40"), {"hanako"}),
    ("age 70+", _age("age_70"), {"ken"}),
    ("under 20", _age(lt="age_20"), {"somchai"}),
    ("women", {"type": "gender", "oneOf": ["female"]}, {"hanako", "malee"}),
    ("Fukuoka", {"type": "area", "oneOf": ["jp_40"]}, {"hanako", "ken"}),
    (
        "Thailand south and Bangkok",
        {"type": "area", "oneOf": ["th_05", "th_01"]},
        {"somchai", "malee"},
    ),
    ("iOS", {"type": "appType", "oneOf": ["ios"]}, {"hanako", "malee", "unknown"}),
    (
        "friends 30-180 days",
        {"type": "subscriptionPeriod", "gte": "day_30", "lt": "day_180"},
        {"somchai"},
    ),
    ("friends a year+", {"type": "subscriptionPeriod", "gte": "day_365"}, {"hanako"}),
    (
        "Fukuoka over 60",
        {"type": "operator", "and": [{"type": "area", "oneOf": ["jp_40"]}, _age("age_60")]},
        {"ken"},
    ),
    (
        "Thai or iOS",
        {
            "type": "operator",
            "or": [{"type": "area", "oneOf": ["th_05"]}, {"type": "appType", "oneOf": ["ios"]}],
        },
        {"somchai", "hanako", "malee", "unknown"},
    ),
    (
        "not women",
        {"type": "operator", "not": {"type": "gender", "oneOf": ["female"]}},
        {"ken", "somchai", "unknown"},
    ),
]


@pytest.mark.parametrize(
    ("demographic", "expected"), [f[1:] for f in FILTERS], ids=[f[0] for f in FILTERS]
)
def test_demographic_filters_match_the_friends_profiles(
    line_emulator: LineEmulator,
    town: dict[str, str],
    demographic: dict[str, Any],
    expected: set[str],
) -> None:
    request_id = _send(line_emulator, {"filter": {"demographic": demographic}})
    assert _progress(line_emulator, request_id)["phase"] == "waiting"
    assert _reached(line_emulator, town) == set()
    line_emulator.step(1)
    assert _progress(line_emulator, request_id)["phase"] == "sending"
    line_emulator.step(1)
    done = _progress(line_emulator, request_id)
    assert done["phase"] == "succeeded"
    assert (done["targetCount"], done["successCount"]) == (len(expected), len(expected))
    assert _reached(line_emulator, town) == expected
    usage = raw(line_emulator, "GET", "/v2/bot/message/quota/consumption").json()
    assert usage["totalUsage"] == len(expected)


def _audience(line: LineEmulator, user_ids: list[str]) -> int:
    answer = raw(
        line,
        "POST",
        "/v2/bot/audienceGroup/upload",
        {"description": "water-cut opt-in", "audiences": [{"id": u} for u in user_ids]},
    )
    assert answer.status == 202, answer.body
    group: int = answer.json()["audienceGroupId"]
    return group


@pytest.mark.parametrize(("size", "phase", "code"), [(49, "failed", 4), (50, "succeeded", None)])
def test_an_audience_under_50_fails_with_error_code_4(
    line_emulator: LineEmulator, size: int, phase: str, code: int | None
) -> None:
    users = [
        line_emulator.residents.add(Friend(line_emulator.state.mint.user_id(), f"n{n}")).user_id
        for n in range(size)
    ]
    group = _audience(line_emulator, users)
    request_id = _send(line_emulator, {"recipient": {"type": "audience", "audienceGroupId": group}})
    line_emulator.step(2)
    done = _progress(line_emulator, request_id)
    assert (done["phase"], done.get("errorCode")) == (phase, code)
    delivered = sum(
        bool(admin(line_emulator, "GET", f"users/{u}/messages")["messages"]) for u in users
    )
    assert delivered == (size if code is None else 0)


def test_no_recipient_at_all_fails_with_error_code_2(
    line_emulator: LineEmulator, town: dict[str, str]
) -> None:
    request_id = _send(
        line_emulator, {"filter": {"demographic": {"type": "area", "oneOf": ["tw_01"]}}}
    )
    line_emulator.step(2)
    assert _progress(line_emulator, request_id)["errorCode"] == 2


def test_limit_max_and_up_to_remaining_quota(
    line_emulator: LineEmulator, town: dict[str, str]
) -> None:
    first = _send(line_emulator, {"limit": {"max": 2}})
    line_emulator.step(2)
    assert _progress(line_emulator, first)["successCount"] == 2
    admin(line_emulator, "POST", "quota", {"plan": "free"})
    raw(
        line_emulator,
        "POST",
        "/v2/bot/message/multicast",
        {"to": list(town.values()) * 1, "messages": HELLO},
    )
    users = [
        line_emulator.residents.add(Friend(line_emulator.state.mint.user_id(), f"n{n}")).user_id
        for n in range(193)
    ]
    raw(line_emulator, "POST", "/v2/bot/message/multicast", {"to": users, "messages": HELLO})
    # 2 + 5 + 193 = 200 used: the free plan is spent.
    refused = raw(line_emulator, "POST", NARROWCAST, {"messages": HELLO})
    assert (refused.status, refused.json()["message"]) == (
        429,
        "You have reached your monthly limit.",
    )
    strict = _send(
        line_emulator, {"limit": {"upToRemainingQuota": True, "forbidPartialDelivery": True}}
    )
    line_emulator.step(2)
    assert (
        _progress(line_emulator, strict)["phase"],
        _progress(line_emulator, strict)["errorCode"],
    ) == ("failed", 5)


def test_a_redelivery_recipient_reaches_who_an_earlier_narrowcast_reached(
    line_emulator: LineEmulator, town: dict[str, str]
) -> None:
    women = _send(
        line_emulator, {"filter": {"demographic": {"type": "gender", "oneOf": ["female"]}}}
    )
    line_emulator.step(2)
    again = _send(line_emulator, {"recipient": {"type": "redelivery", "requestId": women}})
    line_emulator.step(2)
    assert _progress(line_emulator, again)["successCount"] == 2
    assert len(admin(line_emulator, "GET", f"users/{town['malee']}/messages")["messages"]) == 2


def test_progress_of_an_unknown_request_is_404(line_emulator: LineEmulator) -> None:
    answer = raw(line_emulator, "GET", "/v2/bot/message/progress/narrowcast?requestId=nope")
    assert answer.status == 404


def test_up_to_remaining_quota_sends_what_the_quota_allows(
    line_emulator: LineEmulator, town: dict[str, str]
) -> None:
    admin(line_emulator, "POST", "quota", {"plan": "free"})
    others = [
        line_emulator.residents.add(Friend(line_emulator.state.mint.user_id(), f"n{n}")).user_id
        for n in range(197)
    ]
    multicast = {"to": others, "messages": HELLO}
    assert raw(line_emulator, "POST", "/v2/bot/message/multicast", multicast).status == 200
    request_id = _send(line_emulator, {"limit": {"upToRemainingQuota": True}})
    line_emulator.step(2)
    done = _progress(line_emulator, request_id)
    assert (done["phase"], done["successCount"], done["targetCount"]) == ("succeeded", 3, 3)
    usage = raw(line_emulator, "GET", "/v2/bot/message/quota/consumption").json()
    assert usage == {"totalUsage": 200}
