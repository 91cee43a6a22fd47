"""Real recorded X responses, served over HTTP, come out of the gateway as the right domain objects.

X sent these without `tweet.fields`, so only `id` and `text` are present: the time comes from the
snowflake id, hashtags from the text, and the author is unknown ("").
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from jun_engine.channels.results import Page, Post, PostedRef, RateLimit, SentDmRef, UserRef
from jun_engine.channels.x import XGateway, mapping
from jun_engine.domain.messages import Channel, InboundMessage, MessageKind
from tests.channels.x.canned import CannedServer
from tests.channels.x.recorded import Interaction, interactions

ALL = interactions()
TWEEPY_DEV = "1072250532645998596"

# Hashtags X would see in the recorded texts (everything else has none).
RT_TAGS = (
    "#TwitterBots",
    "#Tweepy",
    "#OpenAI",
    "#MEME",
    "#Python",
    "#Programming",
    "#DataScience",
    "#Blockchain",
    "#Cardano",
    "#A",
)
HASHTAGS = {
    "1578522395434192896": ("#PBS", "#immigrants", "#jobs", "#economy"),
    "1578522194770296832": RT_TAGS,
    "1578520573914718208": RT_TAGS,
    "1578519902427619328": RT_TAGS,
    "1293593516040269825": ("#TwitterAPI",),
}


def snowflake_ms(post_id: str) -> datetime:
    return datetime.fromtimestamp(((int(post_id) >> 22) + 1288834974657) / 1000, UTC)


def expected_mention(item: dict[str, str], account_id: str) -> InboundMessage:
    return InboundMessage(
        channel=Channel.X,
        kind=MessageKind.MENTION,
        platform_id=item["id"],
        account_id=account_id,
        author_id="",
        text=item["text"],
        created_at=snowflake_ms(item["id"]),
        hashtags=HASHTAGS.get(item["id"], ()),
    )


def expected_post(item: dict[str, str]) -> Post:
    return Post(
        id=item["id"],
        author_id="",
        text=item["text"],
        created_at=snowflake_ms(item["id"]),
        hashtags=HASHTAGS.get(item["id"], ()),
    )


def expected_dm(item: dict[str, str]) -> InboundMessage:
    return InboundMessage(
        channel=Channel.X,
        kind=MessageKind.DM,
        platform_id=item["id"],
        account_id=TWEEPY_DEV,
        author_id="",
        text=item["text"],
        created_at=snowflake_ms(item["id"]),
    )


def expected_page(recorded: Interaction, items: tuple[object, ...]) -> Page[object]:
    meta = recorded.body["meta"]
    return Page(
        items=items,
        result_count=meta["result_count"],
        newest_id=meta.get("newest_id"),
        oldest_id=meta.get("oldest_id"),
        next_token=meta.get("next_token"),
    )


def _data(recorded: Interaction) -> list[dict[str, str]]:
    data: list[dict[str, str]] = recorded.body.get("data", [])
    return data


# (method, path pattern) -> what the engine calls for it, and what it must get back.
Route = tuple[Callable[[XGateway, Interaction], object], Callable[[Interaction], object]]
ROUTES: dict[tuple[str, str], Route] = {
    ("GET", r"/2/users/me"): (
        lambda g, r: g.me(),
        lambda r: UserRef(TWEEPY_DEV, "TweepyDev", "Tweepy Testing"),
    ),
    ("GET", r"/2/users/(\d+)/mentions"): (
        lambda g, r: g.mentions("783214"),
        lambda r: expected_page(r, tuple(expected_mention(i, "783214") for i in _data(r))),
    ),
    ("GET", r"/2/tweets/search/recent"): (
        lambda g, r: g.search_recent("Tweepy"),
        lambda r: expected_page(r, tuple(expected_post(i) for i in _data(r))),
    ),
    ("GET", r"/2/dm_events"): (
        lambda g, r: g.dm_events(),
        lambda r: expected_page(r, tuple(expected_dm(i) for i in _data(r))),
    ),
    ("POST", r"/2/tweets"): (
        lambda g, r: g.create_post(r.request_body["text"]),
        lambda r: PostedRef(r.body["data"]["id"], "Test Tweet"),
    ),
    ("DELETE", r"/2/tweets/(\d+)"): (
        lambda g, r: g.delete_post(r.path.split("/")[-1]),
        lambda r: True,
    ),
    ("POST", r"/2/dm_conversations/with/(\d+)/messages"): (
        lambda g, r: g.send_dm(r.path.split("/")[-2], r.request_body["text"]),
        lambda r: SentDmRef(r.body["data"]["dm_event_id"], r.body["data"]["dm_conversation_id"]),
    ),
}
# Recorded calls the engine never makes (group DMs, lookups): their payloads go through the
# mapping functions directly.
NOT_CALLED = (
    r"/2/dm_conversations(/[\d-]+)?(/messages)?",
    r"/2/dm_conversations/.*/dm_events",
    r"/2/tweets/(\d+)",
)


def route_for(recorded: Interaction) -> Route | None:
    for (method, pattern), route in ROUTES.items():
        if method == recorded.method and re.fullmatch(pattern, recorded.path):
            return route
    return None


def route(recorded: Interaction) -> Route:
    found = route_for(recorded)
    assert found is not None, recorded.name
    return found


CALLED = [r for r in ALL if route_for(r) is not None]
MAPPED_ONLY = [r for r in ALL if route_for(r) is None]
PAGES = [r for r in CALLED if r.method == "GET" and "meta" in r.body]


def test_every_recorded_interaction_is_covered() -> None:
    assert len(ALL) == 23
    for recorded in MAPPED_ONLY:
        assert any(re.fullmatch(p, recorded.path) for p in NOT_CALLED), recorded.name


@pytest.mark.parametrize("recorded", CALLED, ids=lambda r: r.name)
def test_recorded_answer_served_to_the_gateway_gives_the_expected_domain_object(
    canned: CannedServer, gateway: XGateway, recorded: Interaction
) -> None:
    # Given the server answers exactly as X did
    canned.answer(recorded.canned())
    call, expected = route(recorded)
    # When the engine makes the call
    result = call(gateway, recorded)
    # Then it gets the domain object the recording describes, and the engine's request matched
    assert result == expected(recorded)
    assert canned.seen[-1].method == recorded.method
    assert canned.seen[-1].path == recorded.path


@pytest.mark.parametrize("recorded", PAGES, ids=lambda r: r.name)
def test_the_rate_limit_headers_come_with_every_page(
    canned: CannedServer, gateway: XGateway, recorded: Interaction
) -> None:
    canned.answer(recorded.canned())
    call, _ = route(recorded)
    result = call(gateway, recorded)
    assert isinstance(result, Page)
    headers = recorded.headers
    assert result.rate_limit == RateLimit(
        int(headers["x-rate-limit-limit"]),
        int(headers["x-rate-limit-remaining"]),
        datetime.fromtimestamp(int(headers["x-rate-limit-reset"]), UTC),
    )


@pytest.mark.parametrize("recorded", PAGES, ids=lambda r: r.name)
def test_each_message_keeps_its_item_json_exactly_as_received(
    canned: CannedServer, gateway: XGateway, recorded: Interaction
) -> None:
    canned.answer(recorded.canned())
    call, _ = route(recorded)
    result = call(gateway, recorded)
    body = recorded.canned().body.decode()
    assert isinstance(result, Page)
    for item, message in zip(_data(recorded), result.items, strict=True):
        assert message.raw in body
        assert json.loads(message.raw) == item


@pytest.mark.parametrize(
    "recorded",
    [r for r in MAPPED_ONLY if "data" in r.body and r.method == "GET"],
    ids=lambda r: r.name,
)
def test_payloads_of_calls_the_engine_does_not_make_still_map(recorded: Interaction) -> None:
    data = recorded.body["data"]
    if isinstance(data, list):  # DM events of one conversation
        got = [mapping.dm_event(i, json.dumps(i), account_id=TWEEPY_DEV, handles={}) for i in data]
        assert got == [expected_dm(i) for i in data]
    else:  # a post looked up by id
        assert mapping.post(data, json.dumps(data)) == expected_post(data)


def test_a_snowflake_id_gives_the_time_x_minted_it() -> None:
    # A recorded bot post states its own sending time: "2022-10-07 22:42:12.637103 tweepy"
    minted = mapping.snowflake_time("1578516068309794817")
    sent = datetime(2022, 10, 7, 22, 42, 12, 637103, tzinfo=UTC)
    assert timedelta(0) <= minted - sent < timedelta(seconds=1)
