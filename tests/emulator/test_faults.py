"""Faults chosen per run: parsed from a spec, and what each does on the wire."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests
import tweepy

from jun_engine.emulator.emulator import Emulator
from jun_engine.emulator.faults import FaultSpec, FaultSpecError
from tests.emulator.clients import client_for

TOWN_ID = "1130425167"


def test_the_full_spec_parses_and_reads_back() -> None:
    text = (
        "5xx=0.05,timeout=0.01:30s,slow=0.1:2s,truncate=0.02,lost=0.05:30s,storm=60s/600s,"
        "late=0.1:30s,repeat=0.05"
    )
    spec = FaultSpec.parse(text)
    assert spec.slow_for == timedelta(seconds=2)
    assert spec.storm_every == timedelta(minutes=10)
    assert spec.describe() == text
    assert not FaultSpec.parse("").any


@pytest.mark.parametrize("bad", ["5xx", "5xx=1.5", "slow=0.1:soon", "storm=10m/1m", "gremlins=1"])
def test_a_bad_spec_says_what_is_wrong(bad: str) -> None:
    with pytest.raises(FaultSpecError, match="expected comma-separated"):
        FaultSpec.parse(bad)


def test_truncated_bodies_break_json_parsing(x_emulator: Emulator) -> None:
    x_emulator.dice.spec = FaultSpec(truncate=1.0)
    with pytest.raises(requests.exceptions.RequestException):
        client_for(x_emulator, "town").get_me()


def test_timeouts_leave_the_client_waiting(x_emulator: Emulator) -> None:
    x_emulator.dice.spec = FaultSpec(timeout=1.0, timeout_for=timedelta(seconds=5))
    client = client_for(x_emulator, "town")
    with pytest.raises(requests.exceptions.Timeout):
        client.session.get(f"{x_emulator.base_url}/2/users/me", timeout=0.2)


def test_a_429_storm_refuses_everything_until_it_passes(x_emulator: Emulator) -> None:
    x_emulator.dice.spec = FaultSpec(
        storm_for=timedelta(seconds=60), storm_every=timedelta(minutes=10)
    )
    town = client_for(x_emulator, "town")
    assert town.get_me().data
    x_emulator.step(9 * 60 + 30)  # inside the last minute of the period
    with pytest.raises(tweepy.TooManyRequests) as refused:
        town.get_me()
    assert int(refused.value.response.headers["x-rate-limit-reset"]) > 0
    x_emulator.step(60)
    assert town.get_me().data


def test_late_mentions_appear_only_after_the_delay(x_emulator: Emulator) -> None:
    x_emulator.dice.spec = FaultSpec(late=1.0, late_by=timedelta(seconds=30))
    resident = x_emulator.sink.add_user("tarde", "Tarde")
    x_emulator.sink.tweet(resident, "@AytoJun llego tarde")
    town = client_for(x_emulator, "town")
    assert town.get_users_mentions(TOWN_ID, user_auth=True).meta["result_count"] == 0
    x_emulator.step(30)
    assert town.get_users_mentions(TOWN_ID, user_auth=True).meta["result_count"] == 1


def test_repeated_pages_serve_the_same_posts_again(x_emulator: Emulator) -> None:
    resident = x_emulator.sink.add_user("repite", "Repite")
    for n in range(10):
        x_emulator.sink.tweet(resident, f"@AytoJun número {n}")
    x_emulator.dice.spec = FaultSpec(repeat=1.0)
    town = client_for(x_emulator, "town")
    first = town.get_users_mentions(TOWN_ID, user_auth=True, max_results=5)
    again = town.get_users_mentions(
        TOWN_ID, user_auth=True, max_results=5, pagination_token=first.meta["next_token"]
    )
    assert [t.id for t in again.data] == [t.id for t in first.data]


def test_the_lost_spec_takes_a_hold_or_a_5xx() -> None:
    held, answered = FaultSpec.parse("lost=0.05"), FaultSpec.parse("lost=0.5:5xx")
    assert (held.lost, held.lost_for, held.lost_status) == (0.05, timedelta(seconds=30), None)
    assert answered.lost_status == 503
    assert FaultSpec.parse("lost=1:2s").describe() == "lost=1:2s"
    assert answered.describe() == "lost=0.5:5xx"
    with pytest.raises(FaultSpecError, match="not a duration"):
        FaultSpec.parse("lost=0.1:soon")


@pytest.mark.parametrize(
    "spec",
    [FaultSpec(server_error=1.0), FaultSpec(timeout=1.0, timeout_for=timedelta(seconds=5))],
    ids=["5xx", "timeout"],
)
def test_5xx_and_timeouts_mean_nothing_happened(x_emulator: Emulator, spec: FaultSpec) -> None:
    resident = x_emulator.sink.add_user("nadapasa", "Nada")
    town = client_for(x_emulator, "town", timeout=0.3)
    x_emulator.dice.spec = spec
    with pytest.raises((tweepy.TwitterServerError, requests.exceptions.Timeout)):
        town.create_tweet(text="Aviso: corte de luz")
    with pytest.raises((tweepy.TwitterServerError, requests.exceptions.Timeout)):
        town.create_direct_message(participant_id=resident, text="Su cita")
    assert x_emulator.state.posts_by(TOWN_ID) == []
    assert x_emulator.state.dms_sent_by(TOWN_ID) == []
    assert x_emulator.ledger.total_usd() == 0


def test_a_lost_answer_leaves_the_client_waiting_though_the_post_landed(
    x_emulator: Emulator,
) -> None:
    town = client_for(x_emulator, "town", timeout=0.3)
    x_emulator.dice.spec = FaultSpec(lost=1.0, lost_for=timedelta(seconds=5))
    with pytest.raises(requests.exceptions.Timeout):
        town.create_tweet(text="Aviso: corte de agua")
    assert [p.text for p in x_emulator.state.posts_by(TOWN_ID)] == ["Aviso: corte de agua"]
    assert x_emulator.ledger.total_usd(TOWN_ID) == pytest.approx(0.015)


def test_a_lost_answer_can_be_a_503_though_the_dm_was_sent(x_emulator: Emulator) -> None:
    resident = x_emulator.sink.add_user("perdida", "Perdida")
    town = client_for(x_emulator, "town")
    x_emulator.dice.spec = FaultSpec.parse("lost=1:5xx")
    with pytest.raises(tweepy.TwitterServerError) as failed:
        town.create_direct_message(participant_id=resident, text="Su cita es el lunes")
    assert failed.value.response.status_code == 503
    assert "x-rate-limit-remaining" in failed.value.response.headers
    assert [e.text for e in x_emulator.state.dms_received_by(resident)] == ["Su cita es el lunes"]
