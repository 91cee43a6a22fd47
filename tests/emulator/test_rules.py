"""X's posting rules, each tested both ways: reply restriction, duplicates, lengths."""

from __future__ import annotations

import pytest
import tweepy

from jun_engine.emulator.emulator import Emulator
from jun_engine.emulator.problems import DUPLICATE_CONTENT, REPLY_NOT_ALLOWED
from jun_engine.emulator.rules import weighted_length
from tests.emulator.clients import client_for


@pytest.fixture
def resident(x_emulator: Emulator) -> str:
    return x_emulator.sink.add_user("vecino_paco", "Paco")


def test_a_department_may_reply_when_the_author_mentioned_it(
    x_emulator: Emulator, resident: str
) -> None:
    asked = x_emulator.sink.tweet(resident, "@JunObras hay un bache en la calle Real")
    reply = client_for(x_emulator, "public_works").create_tweet(
        text="Gracias, vamos mañana", in_reply_to_tweet_id=asked
    )
    assert reply.data["text"] == "Gracias, vamos mañana"


def test_a_department_may_not_reply_when_only_the_town_was_mentioned(
    x_emulator: Emulator, resident: str
) -> None:
    asked = x_emulator.sink.tweet(resident, "@AytoJun hay un bache en la calle Real")
    with pytest.raises(tweepy.Forbidden) as refused:
        client_for(x_emulator, "public_works").create_tweet(
            text="Gracias, vamos mañana", in_reply_to_tweet_id=asked
        )
    assert refused.value.response.json()["detail"] == REPLY_NOT_ALLOWED


def test_a_reply_to_an_account_engages_it(x_emulator: Emulator, resident: str) -> None:
    town = client_for(x_emulator, "town")
    notice = town.create_tweet(text="Fiestas patronales el sábado")
    question = x_emulator.sink.tweet(resident, "¿a qué hora?", in_reply_to_id=notice.data["id"])
    assert town.create_tweet(text="A las 20:00", in_reply_to_tweet_id=question).data["id"]


def test_people_in_the_app_are_exempt_from_the_reply_restriction(
    x_emulator: Emulator, resident: str
) -> None:
    asked = x_emulator.sink.tweet(resident, "@AytoJun hay un bache")
    works_id = x_emulator.config.accounts["public_works"].user_id
    assert x_emulator.sink.tweet(works_id, "Lo vemos, gracias", in_reply_to_id=asked)


def test_posting_the_same_text_twice_is_refused_with_xs_text(x_emulator: Emulator) -> None:
    town = client_for(x_emulator, "town")
    town.create_tweet(text="Menú escolar del lunes: lentejas")
    with pytest.raises(tweepy.Forbidden) as refused:
        town.create_tweet(text="Menú escolar del lunes: lentejas")
    assert refused.value.response.json() == {
        "detail": DUPLICATE_CONTENT,
        "type": "about:blank",
        "title": "Forbidden",
        "status": 403,
    }


def test_different_text_or_another_account_is_not_a_duplicate(x_emulator: Emulator) -> None:
    town, school = client_for(x_emulator, "town"), client_for(x_emulator, "school")
    town.create_tweet(text="Menú escolar del lunes: lentejas")
    assert town.create_tweet(text="Menú escolar del martes: paella").data["id"]
    assert school.create_tweet(text="Menú escolar del lunes: lentejas").data["id"]


def test_a_deleted_post_may_be_posted_again(x_emulator: Emulator) -> None:
    town = client_for(x_emulator, "town")
    first = town.create_tweet(text="Aviso: corte de agua")
    town.delete_tweet(first.data["id"])
    assert town.create_tweet(text="Aviso: corte de agua").data["id"]


@pytest.mark.parametrize(
    ("text", "weight"),
    [
        ("a" * 280, 280),
        ("ñ" * 280, 280),  # Latin with accents weighs 1
        ("ไฟดับ" * 56, 280),  # Thai weighs 1
        ("漢" * 140, 280),  # CJK weighs 2
        ("😀" * 140, 280),  # an emoji weighs 2
        ("https://jun.es/" + "x" * 300, 23),  # every URL weighs 23
    ],
)
def test_weighted_length_follows_twitter_text_v3(text: str, weight: int) -> None:
    assert weighted_length(text) == weight


def test_280_weighted_characters_pass_and_281_are_refused(x_emulator: Emulator) -> None:
    town = client_for(x_emulator, "town")
    assert town.create_tweet(text="漢" * 140).data["id"]
    with pytest.raises(tweepy.Forbidden, match="too long"):
        town.create_tweet(text="漢" * 140 + "a")


def test_dms_hold_10000_characters_and_no_more(x_emulator: Emulator, resident: str) -> None:
    town = client_for(x_emulator, "town")
    assert town.create_direct_message(participant_id=resident, text="x" * 10_000).data
    with pytest.raises(tweepy.BadRequest):
        town.create_direct_message(participant_id=resident, text="x" * 10_001)
