"""What the gateway asks X for, how it signs it, and what it makes of a full answer."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import urlencode

from oauthlib.common import Request  # type: ignore[import-untyped]
from oauthlib.oauth1.rfc5849 import signature  # type: ignore[import-untyped]

from jun_engine.channels.results import Post
from jun_engine.channels.x import XGateway
from jun_engine.domain.messages import Channel, InboundMessage, MessageKind
from tests.channels.x.canned import Canned, CannedServer, Seen
from tests.channels.x.conftest import CREDENTIALS

TOWN = "1001"
RESIDENT = "3003"
HOSTILE = "🔥 حريق ‮gas‬ \x07\x00 ไฟดับ " + "é" * 10_000

MENTION = {
    "id": "1900000000000000001",
    "text": "@AytoJun @PoliciaJun hay una farola rota #ApagónJun",
    "author_id": RESIDENT,
    "created_at": "2026-11-20T18:04:05.000Z",
    "conversation_id": "1900000000000000000",
    "edit_history_tweet_ids": ["1900000000000000001"],
    "referenced_tweets": [{"type": "replied_to", "id": "1900000000000000000"}],
    "entities": {
        "mentions": [
            {"start": 0, "end": 8, "username": "AytoJun", "id": TOWN},
            {"start": 9, "end": 20, "username": "PoliciaJun", "id": "1002"},
        ],
        "hashtags": [{"start": 42, "end": 52, "tag": "ApagónJun"}],
    },
}


def signed_correctly(seen: Seen, base_url: str) -> bool:
    """Check the OAuth 1.0a signature the way X does, over the URL the server really got."""
    header = {"Authorization": seen.headers["authorization"]}
    request = Request(f"{base_url}{seen.path}?{urlencode(seen.query)}", seen.method, headers=header)
    request.params = signature.collect_parameters(uri_query=urlencode(seen.query), headers=header)
    oauth = dict(signature.collect_parameters(headers=header, exclude_oauth_signature=False))
    request.signature = oauth["oauth_signature"]
    return bool(
        signature.verify_hmac_sha1(
            request, CREDENTIALS.consumer_secret, CREDENTIALS.access_token_secret
        )
    )


def test_mentions_ask_for_the_fields_the_engine_needs_and_no_user_expansion(
    canned: CannedServer, gateway: XGateway
) -> None:
    gateway.mentions(TOWN, since_id="5", max_results=100)
    seen = canned.seen[-1]
    assert seen.path == f"/2/users/{TOWN}/mentions"
    assert seen.query["since_id"] == "5"
    assert seen.query["max_results"] == "100"
    assert set(seen.query["tweet.fields"].split(",")) == {
        "author_id",
        "conversation_id",
        "created_at",
        "entities",
        "note_tweet",
        "referenced_tweets",
    }
    assert "expansions" not in seen.query


def test_author_expansion_is_a_choice_that_adds_handles(canned: CannedServer) -> None:
    body = {
        "data": [MENTION],
        "includes": {"users": [{"id": RESIDENT, "username": "lola_jun", "name": "Lola"}]},
        "meta": {"result_count": 1},
    }
    canned.answer(Canned.json(200, body))
    with XGateway(CREDENTIALS, base_url=canned.url, expand_authors=True) as gateway:
        page = gateway.mentions(TOWN)
    assert canned.seen[-1].query["expansions"] == "author_id"
    assert canned.seen[-1].query["user.fields"] == "username"
    assert page.items[0].author_handle == "lola_jun"


def test_every_call_is_user_context_signed_over_the_rebased_url(
    canned: CannedServer, gateway: XGateway
) -> None:
    gateway.mentions(TOWN, since_id="7")
    gateway.search_recent("conversation_id:1 from:PoliciaJun")
    canned.answer(Canned.json(201, {"data": {"id": "9", "text": "hola"}}))
    gateway.create_post("hola")
    assert len(canned.seen) == 3
    for seen in canned.seen:
        assert seen.headers["authorization"].startswith("OAuth ")
        assert signed_correctly(seen, canned.url), seen.path
        assert not signed_correctly(seen, "https://api.twitter.com")


def test_a_full_mention_maps_every_field(canned: CannedServer, gateway: XGateway) -> None:
    canned.answer(
        Canned.json(
            200,
            {
                "data": [MENTION],
                "meta": {"result_count": 1, "newest_id": MENTION["id"], "oldest_id": MENTION["id"]},
            },
        )
    )
    page = gateway.mentions(TOWN)
    assert page.items == (
        InboundMessage(
            channel=Channel.X,
            kind=MessageKind.MENTION,
            platform_id="1900000000000000001",
            account_id=TOWN,
            author_id=RESIDENT,
            text="@AytoJun @PoliciaJun hay una farola rota #ApagónJun",
            created_at=datetime(2026, 11, 20, 18, 4, 5, tzinfo=UTC),
            conversation_id="1900000000000000000",
            in_reply_to_id="1900000000000000000",
            mentioned_ids=(TOWN, "1002"),
            hashtags=("#ApagónJun",),
        ),
    )
    assert page.items[0].explicitly_mentions
    assert page.newest_id == page.oldest_id == MENTION["id"]


def test_a_long_post_keeps_its_whole_note_text(canned: CannedServer, gateway: XGateway) -> None:
    long_text = "La calle Real lleva tres semanas sin luz. " * 40
    item = {**MENTION, "text": long_text[:270] + "…", "note_tweet": {"text": long_text}}
    canned.answer(Canned.json(200, {"data": [item], "meta": {"result_count": 1}}))
    assert gateway.mentions(TOWN).items[0].text == long_text


def test_dm_events_ask_for_message_creates_and_keep_both_directions(
    canned: CannedServer, gateway: XGateway
) -> None:
    events = [
        {
            "id": "1900000000000000011",
            "event_type": "MessageCreate",
            "text": "Gracias",
            "sender_id": TOWN,
            "dm_conversation_id": f"{TOWN}-{RESIDENT}",
            "created_at": "2026-11-20T18:05:00.000Z",
        },
        {
            "id": "1900000000000000010",
            "event_type": "MessageCreate",
            "text": HOSTILE,
            "sender_id": RESIDENT,
            "dm_conversation_id": f"{TOWN}-{RESIDENT}",
            "created_at": "2026-11-20T18:04:00.000Z",
        },
    ]
    canned.answer(Canned.json(200, {"data": events, "meta": {"result_count": 2}}))
    page = gateway.dm_events()
    seen = canned.seen[-1]
    assert seen.path == "/2/dm_events"
    assert seen.query["event_types"] == "MessageCreate"
    assert "sender_id" in seen.query["dm_event.fields"].split(",")
    assert [m.author_id for m in page.items] == [TOWN, RESIDENT]
    resident_dm = page.items[1]
    assert resident_dm.kind is MessageKind.DM
    assert resident_dm.is_private
    assert resident_dm.account_id == TOWN
    assert resident_dm.text == HOSTILE
    assert resident_dm.conversation_id == f"{TOWN}-{RESIDENT}"
    assert json.loads(resident_dm.raw) == events[1]


def test_a_department_s_posts_show_which_thread_they_answer(
    canned: CannedServer, gateway: XGateway
) -> None:
    reply = {
        "id": "1900000000000000020",
        "text": "Arreglada. #resuelto",
        "author_id": "1002",
        "created_at": "2026-11-21T09:00:00.000Z",
        "conversation_id": "1900000000000000000",
        "referenced_tweets": [{"type": "replied_to", "id": "1900000000000000001"}],
        "entities": {"hashtags": [{"start": 11, "end": 20, "tag": "resuelto"}]},
    }
    canned.answer(Canned.json(200, {"data": [reply], "meta": {"result_count": 1}}))
    page = gateway.user_posts("1002", since_id="1")
    assert canned.seen[-1].path == "/2/users/1002/tweets"
    assert page.items == (
        Post(
            id="1900000000000000020",
            author_id="1002",
            text="Arreglada. #resuelto",
            created_at=datetime(2026, 11, 21, 9, tzinfo=UTC),
            conversation_id="1900000000000000000",
            in_reply_to_id="1900000000000000001",
            hashtags=("#resuelto",),
        ),
    )


def test_writes_send_the_text_exactly(canned: CannedServer, gateway: XGateway) -> None:
    canned.answer(
        Canned.json(201, {"data": {"id": "77", "text": "x"}}),
        Canned.json(201, {"data": {"dm_event_id": "88", "dm_conversation_id": "1001-3003"}}),
    )
    posted = gateway.create_post("Recibido ✅ #JUN-42", in_reply_to="1900000000000000001")
    sent = gateway.send_dm(RESIDENT, HOSTILE)
    post_request, dm_request = canned.seen
    assert json.loads(post_request.body) == {
        "text": "Recibido ✅ #JUN-42",
        "reply": {"in_reply_to_tweet_id": "1900000000000000001"},
    }
    assert dm_request.path == f"/2/dm_conversations/with/{RESIDENT}/messages"
    assert json.loads(dm_request.body) == {"text": HOSTILE}
    assert (posted.id, sent.event_id, sent.conversation_id) == ("77", "88", "1001-3003")


def test_partial_errors_beside_data_are_kept_as_problems(
    canned: CannedServer, gateway: XGateway
) -> None:
    body = {
        "data": [MENTION],
        "errors": [
            {
                "title": "Not Found Error",
                "detail": "Could not find tweet with referenced_tweets.id: [1].",
            }
        ],
        "meta": {"result_count": 1},
    }
    canned.answer(Canned.json(200, body))
    page = gateway.mentions(TOWN)
    assert len(page.items) == 1
    assert page.problems == ("Could not find tweet with referenced_tweets.id: [1].",)
