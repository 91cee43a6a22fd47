"""Fake but deterministic credentials for every configured account, derived from the seed."""

from __future__ import annotations

import hashlib
import string
from dataclasses import dataclass

from jun_engine.config.schema import Config

_ALPHABET = string.ascii_letters + string.digits


@dataclass(frozen=True, slots=True)
class App:
    """A developer app: the consumer key pair requests are signed with."""

    consumer_key: str
    consumer_secret: str


@dataclass(frozen=True, slots=True)
class UserToken:
    """An OAuth 1.0a access token of one account, issued to one app."""

    token: str
    secret: str
    user_id: str
    consumer_key: str
    dm_access: bool


@dataclass(frozen=True, slots=True)
class Credentials:
    """Every key the emulator accepts: apps, user tokens and app-only bearer tokens."""

    apps: dict[str, App]
    tokens: dict[str, UserToken]
    bearers: dict[str, str]
    """Bearer token -> the consumer key of its app."""
    env: dict[str, str]
    """Environment variable NAME (as accounts.yaml names it) -> value."""


def derive(seed: int, label: str, length: int) -> str:
    """A deterministic random-looking string for `label` under `seed`."""
    out: list[str] = []
    counter = 0
    while len(out) < length:
        digest = hashlib.sha256(f"{seed}:{label}:{counter}".encode()).digest()
        out.extend(_ALPHABET[b % len(_ALPHABET)] for b in digest)
        counter += 1
    return "".join(out[:length])


def _app(seed: int, label: str) -> App:
    return App(derive(seed, f"{label}:ck", 25), derive(seed, f"{label}:cs", 50))


def issue_token(seed: int, app: App, user_id: str, *, dm_access: bool, label: str) -> UserToken:
    """An access token of the form `<user_id>-<random>` (tweepy reads the id from it)."""
    token = f"{user_id}-{derive(seed, f'{label}:at', 40)}"
    return UserToken(token, derive(seed, f"{label}:as", 45), user_id, app.consumer_key, dm_access)


def build_credentials(config: Config, seed: int) -> Credentials:
    """The keys for `x.app` and every account in accounts.yaml, and their env var mapping."""
    main = _app(seed, "app")
    apps = {main.consumer_key: main}
    bearer = "AAAAAAAAAAAAAAAAAAAAA" + derive(seed, "app:bearer", 80)
    bearers = {bearer: main.consumer_key}
    env = {
        config.x.app.consumer_key_env: main.consumer_key,
        config.x.app.consumer_secret_env: main.consumer_secret,
    }
    if config.x.app.bearer_token_env:
        env[config.x.app.bearer_token_env] = bearer
    tokens: dict[str, UserToken] = {}
    for key, account in config.accounts.items():
        app = main
        if account.consumer_key_env and account.consumer_secret_env:
            app = _app(seed, f"account:{key}")
            apps[app.consumer_key] = app
            env[account.consumer_key_env] = app.consumer_key
            env[account.consumer_secret_env] = app.consumer_secret
        user_token = issue_token(
            seed, app, account.user_id, dm_access=account.dm_access, label=f"account:{key}"
        )
        tokens[user_token.token] = user_token
        env[account.access_token_env] = user_token.token
        env[account.access_token_secret_env] = user_token.secret
    return Credentials(apps, tokens, bearers, env)
