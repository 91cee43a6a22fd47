"""tweepy 4.17 drives every endpoint the engine uses against the emulator, over real HTTP."""

from __future__ import annotations

import pytest
import tweepy

from jun_engine.emulator.emulator import Emulator
from tests.emulator.clients import bearer_client, client_for

TOWN_ID = "1130425167"


@pytest.fixture
def resident(x_emulator: Emulator) -> str:
    """A resident's user id."""
    return x_emulator.sink.add_user("vecina_lola", "Lola")


def test_users_me_returns_the_account_the_token_belongs_to(x_emulator: Emulator) -> None:
    me = client_for(x_emulator, "town").get_me(user_fields=["created_at", "verified"])
    assert (me.data.id, me.data.username) == (int(TOWN_ID), "AytoJun")
    assert me.data.verified is True


def test_mentions_are_reverse_chronological_with_requested_fields(
    x_emulator: Emulator, resident: str
) -> None:
    # Given two posts mentioning the town, a minute apart
    first = x_emulator.sink.tweet(resident, "@AytoJun la farola de mi calle no funciona")
    x_emulator.step(60)
    second = x_emulator.sink.tweet(resident, "@AytoJun sigue sin luz #farola")
    # When the town reads its mentions with author expansion
    page = client_for(x_emulator, "town").get_users_mentions(
        TOWN_ID,
        user_auth=True,
        tweet_fields=["author_id", "created_at", "conversation_id", "entities"],
        expansions=["author_id"],
    )
    # Then the newest comes first, with entities and the author in includes
    assert [t.id for t in page.data] == [int(second), int(first)]
    assert page.data[0].author_id == int(resident)
    assert page.data[0].entities["mentions"][0]["username"] == "AytoJun"
    assert page.data[0].entities["hashtags"][0]["tag"] == "farola"
    assert page.includes["users"][0].username == "vecina_lola"
    assert page.meta["newest_id"] == second


def test_mentions_paginate_and_since_id_is_exclusive(x_emulator: Emulator, resident: str) -> None:
    ids = [x_emulator.sink.tweet(resident, f"@AytoJun aviso {n}") for n in range(12)]
    client = client_for(x_emulator, "town")
    first = client.get_users_mentions(TOWN_ID, user_auth=True, max_results=5)
    second = client.get_users_mentions(
        TOWN_ID, user_auth=True, max_results=5, pagination_token=first.meta["next_token"]
    )
    newer = client.get_users_mentions(TOWN_ID, user_auth=True, since_id=ids[9])
    assert [str(t.id) for t in first.data] == ids[::-1][:5]
    assert [str(t.id) for t in second.data] == ids[::-1][5:10]
    assert [str(t.id) for t in newer.data] == [ids[11], ids[10]]


def test_replies_to_the_town_count_as_mentions_without_an_at(
    x_emulator: Emulator, resident: str
) -> None:
    # Given the town posted, and a resident replied without writing @AytoJun
    notice = client_for(x_emulator, "town").create_tweet(text="Corte de agua mañana en Centro")
    reply = x_emulator.sink.tweet(resident, "¿a qué hora?", in_reply_to_id=notice.data["id"])
    # Then the reply is in the town's mentions, with no explicit mention entity
    page = client_for(x_emulator, "town").get_users_mentions(
        TOWN_ID, user_auth=True, tweet_fields=["entities", "conversation_id", "referenced_tweets"]
    )
    assert [str(t.id) for t in page.data] == [reply]
    assert page.data[0].entities is None
    assert str(page.data[0].conversation_id) == notice.data["id"]


def test_app_only_bearer_reads_mentions(x_emulator: Emulator, resident: str) -> None:
    x_emulator.sink.tweet(resident, "@AytoJun hola")
    page = bearer_client(x_emulator).get_users_mentions(TOWN_ID)
    assert page.meta["result_count"] == 1


def test_post_reply_delete_and_read_own_posts(x_emulator: Emulator, resident: str) -> None:
    asked = x_emulator.sink.tweet(resident, "@AytoJun ¿cuándo abre la piscina?")
    town = client_for(x_emulator, "town")
    reply = town.create_tweet(text="El 15 de junio", in_reply_to_tweet_id=asked)
    own = town.get_users_tweets(
        TOWN_ID, user_auth=True, tweet_fields=["referenced_tweets", "conversation_id"]
    )
    assert own.data[0].referenced_tweets[0].type == "replied_to"
    assert str(own.data[0].conversation_id) == asked
    assert town.delete_tweet(reply.data["id"]).data == {"deleted": True}
    assert town.get_users_tweets(TOWN_ID, user_auth=True).meta["result_count"] == 0


def test_search_recent_finds_a_departments_reply_in_a_conversation(
    x_emulator: Emulator, resident: str
) -> None:
    asked = x_emulator.sink.tweet(resident, "@AytoJun @JunObras bache enorme en la calle Real")
    works = client_for(x_emulator, "public_works")
    works.create_tweet(text="Vamos mañana", in_reply_to_tweet_id=asked)
    found = works.search_recent_tweets(
        f"conversation_id:{asked} from:JunObras", user_auth=True, tweet_fields=["author_id"]
    )
    assert [t.text for t in found.data] == ["Vamos mañana"]


def test_dms_are_sent_and_listed_newest_first_both_ways(
    x_emulator: Emulator, resident: str
) -> None:
    x_emulator.sink.dm(resident, TOWN_ID, "Quiero pedir cita")
    x_emulator.step(5)
    town = client_for(x_emulator, "town")
    sent = town.create_direct_message(participant_id=resident, text="¿Qué día le viene bien?")
    assert sent.data["dm_conversation_id"] == f"{TOWN_ID}-{resident}"
    events = town.get_direct_message_events(
        user_auth=True, event_types="MessageCreate", dm_event_fields=["sender_id", "created_at"]
    )
    assert [e.text for e in events.data] == ["¿Qué día le viene bien?", "Quiero pedir cita"]
    assert events.data[1].sender_id == int(resident)


def test_hostile_text_is_stored_and_returned_exactly(x_emulator: Emulator, resident: str) -> None:
    hostile = "@AytoJun \u202eטקסט\u202c 🏳️‍🌈 \x00\x07 ไฟดับ " + "ñ" * 200
    x_emulator.sink.tweet(resident, hostile)
    page = client_for(x_emulator, "town").get_users_mentions(TOWN_ID, user_auth=True)
    assert page.data[0].text == hostile


def test_tweepy_gets_its_own_exceptions(x_emulator: Emulator, resident: str) -> None:
    town = client_for(x_emulator, "town")
    with pytest.raises(tweepy.BadRequest, match="max_results"):
        town.get_users_mentions(TOWN_ID, user_auth=True, max_results=500)
    with pytest.raises(tweepy.BadRequest, match="invalid operator"):
        town.search_recent_tweets("lang:es farola", user_auth=True)
    with pytest.raises(tweepy.Unauthorized):
        client_for(x_emulator, "town", access_token_secret="wrong").get_me()
    with pytest.raises(tweepy.Forbidden):
        client_for(x_emulator, "public_works").get_direct_message_events(user_auth=True)
    with pytest.raises(tweepy.Forbidden):
        bearer_client(x_emulator).create_tweet(text="hola", user_auth=False)
    with pytest.raises(tweepy.Unauthorized):
        bearer_client(x_emulator, token="AAAA-not-a-token").get_users_mentions(TOWN_ID)


def test_tweepy_gets_server_errors_under_the_5xx_fault(x_emulator: Emulator) -> None:
    x_emulator.dice.spec = x_emulator.dice.spec.__class__(server_error=1.0)
    with pytest.raises(tweepy.TwitterServerError):
        client_for(x_emulator, "town").get_me()
