"""Test helpers: real tweepy clients pointed at a running emulator through `Client.session`."""

from __future__ import annotations

from typing import Any

import requests
import tweepy

from jun_engine.emulator.emulator import Emulator

X_ORIGIN = "https://api.twitter.com"
DEFAULT_TIMEOUT = 10.0


class EmulatorSession(requests.Session):
    """A requests session that sends tweepy's api.twitter.com calls to the emulator."""

    def __init__(self, base_url: str, timeout: float = DEFAULT_TIMEOUT) -> None:
        super().__init__()
        self.base_url = base_url
        self.timeout = timeout

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        target = url.decode() if isinstance(url, bytes) else url
        if target.startswith(X_ORIGIN):
            target = self.base_url + target[len(X_ORIGIN) :]
        kwargs.setdefault("timeout", self.timeout)
        return super().request(method, target, *args, **kwargs)


def client_for(
    emulator: Emulator, account: str, *, timeout: float = DEFAULT_TIMEOUT, **overrides: str
) -> tweepy.Client:
    """A tweepy Client acting as `account` (a key under accounts:) with OAuth 1.0a user keys;
    requests give up after `timeout` seconds."""
    env = emulator.credentials_env()
    app = emulator.config.x.app
    settings = emulator.config.accounts[account]
    keys = {
        "consumer_key": env[app.consumer_key_env],
        "consumer_secret": env[app.consumer_secret_env],
        "access_token": env[settings.access_token_env],
        "access_token_secret": env[settings.access_token_secret_env],
    }
    keys.update(overrides)
    client = tweepy.Client(**keys)
    client.session = EmulatorSession(emulator.base_url, timeout)
    return client


def bearer_client(emulator: Emulator, token: str | None = None) -> tweepy.Client:
    """A tweepy Client with only the app's bearer token (app-only auth)."""
    env = emulator.credentials_env()
    name = emulator.config.x.app.bearer_token_env
    assert name is not None
    client = tweepy.Client(bearer_token=token or env[name])
    client.session = EmulatorSession(emulator.base_url)
    return client
