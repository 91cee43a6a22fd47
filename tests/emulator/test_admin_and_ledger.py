"""The admin API under /_emulator/ and the pay-per-use ledger it reports."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from jun_engine.emulator.emulator import Emulator
from tests.emulator.clients import bearer_client, client_for

TOWN_ID = "1130425167"


def _admin(emulator: Emulator, method: str, name: str, **kwargs: Any) -> Any:
    response = requests.request(
        method, f"{emulator.base_url}/_emulator/{name}", timeout=10, **kwargs
    )
    return response.status_code, response.json()


def test_a_resident_made_through_the_admin_api_is_seen_by_the_town(x_emulator: Emulator) -> None:
    status, user = _admin(x_emulator, "POST", "users", json={"handle": "marisa", "name": "Marisa"})
    assert status == 201
    status, post = _admin(
        x_emulator,
        "POST",
        "tweets",
        json={"author": "@marisa", "text": "@AytoJun contenedor lleno"},
    )
    assert status == 201
    _admin(
        x_emulator,
        "POST",
        "dms",
        json={"sender_id": user["id"], "recipient": "AytoJun", "text": "mi DNI es..."},
    )
    page = client_for(x_emulator, "town").get_users_mentions(TOWN_ID, user_auth=True)
    assert [str(t.id) for t in page.data] == [post["id"]]
    _, stats = _admin(x_emulator, "GET", "stats")
    assert stats["accounts"]["town"]["mentions_received"] == 1
    assert stats["accounts"]["town"]["dms_received"] == 1


def test_what_the_town_posted_and_sent_is_readable(x_emulator: Emulator) -> None:
    resident = x_emulator.sink.add_user("pepe", "Pepe")
    town = client_for(x_emulator, "town")
    town.create_tweet(text="Bando: fiestas el sábado")
    town.create_direct_message(participant_id=resident, text="Su cita es el lunes")
    _, posts = _admin(x_emulator, "GET", "posts", params={"author": "AytoJun"})
    _, dms = _admin(x_emulator, "GET", "dms", params={"sender": TOWN_ID})
    assert [p["text"] for p in posts["posts"]] == ["Bando: fiestas el sábado"]
    assert [(d["recipient_id"], d["text"]) for d in dms["dms"]] == [
        (resident, "Su cita es el lunes")
    ]


def test_stepping_the_clock_through_the_admin_api(x_emulator: Emulator) -> None:
    before = x_emulator.clock.now()
    status, body = _admin(x_emulator, "POST", "clock/step", json={"seconds": 90})
    assert status == 200
    assert (x_emulator.clock.now() - before).total_seconds() == 90
    assert body["now"].endswith("Z")


@pytest.mark.parametrize(
    ("method", "name", "payload"),
    [
        ("POST", "tweets", {"author": "nobody_here", "text": "x"}),
        ("POST", "clock/step", {"seconds": -1}),
        ("POST", "faults", {"spec": "5xx=7"}),
        ("GET", "nothing", None),
    ],
)
def test_bad_admin_requests_get_a_clear_error(
    x_emulator: Emulator, method: str, name: str, payload: dict[str, Any] | None
) -> None:
    status, body = _admin(x_emulator, method, name, json=payload)
    assert 400 <= status < 500
    assert body["error"]


def test_faults_and_usage_cap_can_be_switched_per_run(x_emulator: Emulator) -> None:
    status, body = _admin(
        x_emulator, "POST", "faults", json={"spec": "slow=0.5:1s", "usage_capped": True}
    )
    assert (status, body) == (200, {"spec": "slow=0.5:1s", "usage_capped": True})


def test_the_ledger_bills_owned_reads_once_a_day_and_writes_per_request(
    x_emulator: Emulator,
) -> None:
    resident = x_emulator.sink.add_user("ana", "Ana")
    asked = x_emulator.sink.tweet(resident, "@AytoJun ¿hay bus al hospital?")
    town = client_for(x_emulator, "town")
    town.get_users_mentions(TOWN_ID, user_auth=True)
    town.get_users_mentions(TOWN_ID, user_auth=True)  # same post, same day: not billed again
    town.create_tweet(text="Sí, línea 2", in_reply_to_tweet_id=asked)  # a summoned reply
    town.create_tweet(text="Horarios: https://jun.es/bus")  # a post with a URL
    bearer_client(x_emulator).get_users_mentions(TOWN_ID)  # the app already read it today
    _, ledger = _admin(x_emulator, "GET", "ledger")
    lines = ledger["accounts"]["town"]["endpoints"]
    assert lines["mentions"] == {"requests": 2, "resources": 1, "usd": pytest.approx(0.001)}
    assert lines["tweet_create"]["usd"] == pytest.approx(0.010 + 0.200)
    assert ledger["total_usd"] == pytest.approx(0.211)


def test_looking_through_own_posts_and_dm_events_is_billed_as_x_bills_it(
    x_emulator: Emulator,
) -> None:
    # What the outbox does before retrying a send whose answer was lost: read its own posts
    # (owned reads, $0.001 each) and its DM events ($0.010 each, never owned).
    resident = x_emulator.sink.add_user("mira", "Mira")
    x_emulator.sink.dm(resident, TOWN_ID, "¿a qué hora abre?")
    town = client_for(x_emulator, "town")
    town.create_tweet(text="Bando: mercado el jueves")
    town.create_tweet(text="Bando: piscina abierta")
    town.create_direct_message(participant_id=resident, text="A las nueve")
    before = x_emulator.ledger.total_usd(TOWN_ID)
    for _ in range(2):  # the second look the same UTC day reads the same resources: free
        assert len(town.get_users_tweets(TOWN_ID, user_auth=True, max_results=100).data) == 2
        assert len(town.get_direct_message_events(max_results=100).data) == 2
    x_emulator.step(24 * 3600)  # a new UTC day bills them again
    town.get_users_tweets(TOWN_ID, user_auth=True, max_results=100)
    town.get_direct_message_events(max_results=100)
    _, ledger = _admin(x_emulator, "GET", "ledger")
    lines = ledger["accounts"]["town"]["endpoints"]
    assert lines["user_tweets"] == {"requests": 3, "resources": 4, "usd": pytest.approx(0.004)}
    assert lines["dm_events"] == {"requests": 3, "resources": 4, "usd": pytest.approx(0.040)}
    assert x_emulator.ledger.total_usd(TOWN_ID) - before == pytest.approx(0.044)


def test_stats_count_what_each_account_received_and_sent(x_emulator: Emulator) -> None:
    resident = x_emulator.sink.add_user("cuenta", "Cuenta")
    x_emulator.sink.tweet(resident, "@AytoJun primera")
    x_emulator.sink.dm(resident, TOWN_ID, "hola")
    town = client_for(x_emulator, "town")
    town.create_tweet(text="Bando uno")
    town.delete_tweet(town.create_tweet(text="Bando dos").data["id"])
    town.create_direct_message(participant_id=resident, text="buenas")
    stats = x_emulator.stats()
    counts = {k: v for k, v in stats["accounts"]["town"].items() if k != "cost_usd"}
    assert counts == {
        "user_id": TOWN_ID,
        "mentions_received": 1,
        "dms_received": 1,
        "posts_sent": 1,
        "dms_sent": 1,
    }
    assert stats["accounts"]["town"]["cost_usd"] == pytest.approx(0.015 * 3 + 0.010)
    assert stats["ledger"]["total_usd"] == pytest.approx(x_emulator.ledger.total_usd())
