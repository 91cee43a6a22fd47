"""X's official SDK (xdk), a second independent client, reads mentions and posts by base_url."""

from __future__ import annotations

from xdk import Client
from xdk.oauth1_auth import OAuth1

from jun_engine.emulator.emulator import Emulator

TOWN_ID = "1130425167"


def _xdk_client(emulator: Emulator) -> Client:
    env = emulator.credentials_env()
    account = emulator.config.accounts["town"]
    auth = OAuth1(
        api_key=env[emulator.config.x.app.consumer_key_env],
        api_secret=env[emulator.config.x.app.consumer_secret_env],
        callback="oob",
        access_token=env[account.access_token_env],
        access_token_secret=env[account.access_token_secret_env],
    )
    return Client(base_url=emulator.base_url, auth=auth)


def test_xdk_reads_mentions_and_posts(x_emulator: Emulator) -> None:
    resident = x_emulator.sink.add_user("resident_xdk", "Resi")
    mention = x_emulator.sink.tweet(resident, "@AytoJun ¿hay mercadillo hoy?")
    client = _xdk_client(x_emulator)
    pages = client.users.get_mentions(TOWN_ID, max_results=5, post_fields=["author_id"])
    first = next(iter(pages))
    assert [t.id for t in first.data] == [mention]
    created = client.posts.create(body={"text": "Sí, hasta las 14:00"})
    assert created.data.text == "Sí, hasta las 14:00"
    assert x_emulator.stats()["accounts"]["town"]["posts_sent"] == 1
