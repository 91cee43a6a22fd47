"""Text that is not Unicode (a lone surrogate, JSON's `\\ud800`) is refused and stores nothing.

No UTF-8 wire can carry a lone surrogate, so X never holds one. The admin API answers 400 with
what is wrong; X's endpoints answer as X answers invalid text, a 400 invalid-request problem.
Either way every later read of the account works, and what was sent before is still delivered.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
import tweepy
from sqlalchemy.engine import Engine

from jun_engine.config.schema import Config
from jun_engine.domain.statuses import PollStream
from jun_engine.emulator.emulator import Emulator
from tests.channels.x.intake.helpers import reader_for, stored_ids
from tests.emulator.clients import client_for

TOWN_ID = "1130425167"
LONE = "\ud800"
"""A high surrogate with no low one after it: JSON can escape it, UTF-8 cannot encode it."""


def _raw_admin(emulator: Emulator, name: str, payload: dict[str, Any]) -> requests.Response:
    # json.dumps escapes the surrogate as the six ASCII characters \ud800, as a hostile
    # client would send it; the bytes on the wire are valid UTF-8.
    body = json.dumps(payload).encode("ascii")
    assert b"\\ud800" in body
    return requests.post(
        f"{emulator.base_url}/_emulator/{name}",
        data=body,
        headers={"Content-Type": "application/json"},
        timeout=10,
    )


def _town_counts(emulator: Emulator) -> dict[str, Any]:
    stats = requests.get(f"{emulator.base_url}/_emulator/stats", timeout=10).json()
    town: dict[str, Any] = stats["accounts"]["town"]
    return town


@pytest.mark.parametrize(
    ("name", "payload"),
    [
        ("tweets", {"author": "@marisa", "text": f"@AytoJun farola {LONE} rota"}),
        ("dms", {"sender": "@marisa", "recipient": "AytoJun", "text": LONE}),
        ("users", {"handle": "x" + LONE}),
        ("users", {"handle": "marisa2", "name": LONE}),
    ],
    ids=["mention", "dm", "handle", "name"],
)
def test_the_admin_api_refuses_a_lone_surrogate_and_stores_nothing(
    x_emulator: Emulator, name: str, payload: dict[str, Any]
) -> None:
    marisa = x_emulator.sink.add_user("marisa", "Marisa")
    before = x_emulator.sink.tweet(marisa, "@AytoJun el contenedor está lleno")
    users_before = len(x_emulator.state.users())

    refused = _raw_admin(x_emulator, name, payload)

    assert refused.status_code == 400
    assert "surrogate" in refused.json()["error"]
    assert "nothing was stored" in refused.json()["error"]
    counts = _town_counts(x_emulator)
    assert (counts["mentions_received"], counts["dms_received"]) == (1, 0)
    assert len(x_emulator.state.users()) == users_before
    # Every read of the town's mentions and DMs still works, and the mention sent before is there
    x_emulator.step(5)
    town = client_for(x_emulator, "town")
    mentions = town.get_users_mentions(TOWN_ID, user_auth=True, expansions=["author_id"])
    assert [str(t.id) for t in mentions.data] == [before]
    assert town.get_direct_message_events(user_auth=True).data is None


@pytest.mark.parametrize("kind", ["post", "dm"])
def test_x_answers_a_lone_surrogate_as_invalid_request_and_creates_nothing(
    x_emulator: Emulator, kind: str
) -> None:
    marisa_id = x_emulator.sink.add_user("marisa", "Marisa")
    town = client_for(x_emulator, "town")

    def send() -> object:
        if kind == "post":
            return town.create_tweet(text=f"Aviso {LONE}")
        return town.create_direct_message(participant_id=marisa_id, text=f"Su cita {LONE}")

    with pytest.raises(tweepy.BadRequest) as refused:
        send()

    response = refused.value.response
    assert response.headers["Content-Type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["type"] == "https://api.twitter.com/2/problems/invalid-request"
    assert problem["title"] == "Invalid Request"
    assert list(problem["errors"][0]["parameters"]) == ["text"]
    counts = _town_counts(x_emulator)
    assert (counts["posts_sent"], counts["dms_sent"]) == (0, 0)
    # The town's timeline and DM reads still work, and a normal post goes through afterwards
    town.create_tweet(text="Aviso: corte de agua")
    assert [t.text for t in town.get_users_tweets(TOWN_ID, user_auth=True).data] == [
        "Aviso: corte de agua"
    ]
    assert town.get_direct_message_events(user_auth=True).data is None


def test_the_engine_stores_a_mention_sent_before_a_refused_surrogate(
    x_emulator: Emulator, x_emulator_config: Config, engine: Engine
) -> None:
    marisa = x_emulator.sink.add_user("marisa", "Marisa")
    with reader_for(x_emulator, x_emulator_config, engine, "town", PollStream.MENTIONS) as reader:
        reader.sweep()  # the first sweep starts from now
        x_emulator.step(5)
        normal = x_emulator.sink.tweet(marisa, "@AytoJun la farola de la plaza no funciona")
        hostile = _raw_admin(x_emulator, "tweets", {"author": "@marisa", "text": LONE})
        assert hostile.status_code == 400
        x_emulator.step(5)
        swept = reader.sweep()
    assert swept.stored == 1
    assert stored_ids(engine) == [normal]
