"""The 15-minute windows and 24-hour caps, with X's numbers, headers and 429 bodies."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests
import tweepy

from jun_engine.emulator.emulator import Emulator
from jun_engine.emulator.limits import ENDPOINT_LIMITS
from jun_engine.emulator.testing import TEST_START
from tests.emulator.clients import bearer_client, client_for

TOWN_ID = "1130425167"


def test_exhausting_the_mentions_window_gives_429_until_the_reset(x_emulator: Emulator) -> None:
    # Given the town polls its mentions 300 times in one window (X's per-user limit)
    town = client_for(x_emulator, "town")
    for _ in range(ENDPOINT_LIMITS["mentions"].per_user or 0):
        town.get_users_mentions(TOWN_ID, user_auth=True)
    # When it polls once more, Then X says 429 with the window's reset time
    with pytest.raises(tweepy.TooManyRequests) as refused:
        town.get_users_mentions(TOWN_ID, user_auth=True)
    reset = int(refused.value.response.headers["x-rate-limit-reset"])
    assert reset == int((TEST_START + timedelta(minutes=15)).timestamp())
    assert refused.value.response.headers["x-rate-limit-remaining"] == "0"
    assert refused.value.response.json()["title"] == "Too Many Requests"
    # When the clock passes the reset, Then the window is fresh again
    x_emulator.step(15 * 60)
    assert town.get_users_mentions(TOWN_ID, user_auth=True).meta["result_count"] == 0


def test_every_response_carries_the_rate_limit_headers(x_emulator: Emulator) -> None:
    env = x_emulator.credentials_env()
    bearer = env[x_emulator.config.x.app.bearer_token_env or ""]
    response = requests.get(
        f"{x_emulator.base_url}/2/users/{TOWN_ID}/mentions",
        headers={"Authorization": f"Bearer {bearer}"},
        timeout=10,
    )
    assert response.headers["x-rate-limit-limit"] == "450"  # the per-app number for bearer
    assert response.headers["x-rate-limit-remaining"] == "449"


def test_dm_reads_allow_15_per_window(x_emulator: Emulator) -> None:
    town = client_for(x_emulator, "town")
    for _ in range(15):
        town.get_direct_message_events(user_auth=True)
    with pytest.raises(tweepy.TooManyRequests):
        town.get_direct_message_events(user_auth=True)


def test_the_daily_dm_cap_outlasts_the_15_minute_window(x_emulator: Emulator) -> None:
    # Given the app already sent 1,440 DMs today (counted directly: 96 windows of 15)
    limiter = x_emulator.limiter
    town = client_for(x_emulator, "town")
    resident = x_emulator.sink.add_user("vecino", "Vecino")
    principal_key = (TOWN_ID, "dm_create", "24h")
    town.create_direct_message(participant_id=resident, text="primero")
    limiter._windows[principal_key].count = 1440  # test shortcut: the day's cap is used up
    x_emulator.step(15 * 60)
    # When the town sends one more in a fresh 15-minute window, Then the 24-hour cap refuses it
    with pytest.raises(tweepy.TooManyRequests) as refused:
        town.create_direct_message(participant_id=resident, text="otro")
    assert refused.value.response.headers["x-user-limit-24hour-remaining"] == "0"


def test_usage_capped_mode_gives_the_usage_capped_problem(x_emulator: Emulator) -> None:
    x_emulator.limiter.usage_capped = True
    with pytest.raises(tweepy.TooManyRequests) as refused:
        bearer_client(x_emulator).get_users_mentions(TOWN_ID)
    body = refused.value.response.json()
    assert body["type"] == "https://api.twitter.com/2/problems/usage-capped"
    x_emulator.step(15 * 60)  # waiting does not cure it
    with pytest.raises(tweepy.TooManyRequests):
        bearer_client(x_emulator).get_users_mentions(TOWN_ID)
