"""An X account's OAuth 1.0a keys, read once at the edge from the variables accounts.yaml names."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from jun_engine.config.schema import Config
from jun_engine.domain.errors import MissingSecret


@dataclass(frozen=True, slots=True)
class XCredentials:
    """The four OAuth 1.0a user-context keys of one account, and the account's user id.

    OAuth 1.0a user keys never expire, which suits a daemon that runs for months (FACTS.md).
    The secrets stay out of `repr`, so they cannot leak into a log line or a traceback.
    """

    user_id: str
    consumer_key: str = field(repr=False)
    consumer_secret: str = field(repr=False)
    access_token: str = field(repr=False)
    access_token_secret: str = field(repr=False)


def credentials_for(config: Config, account: str, environ: Mapping[str, str]) -> XCredentials:
    """The keys of `account` (a key under `accounts`), read from `environ`; every gap at once."""
    entry = config.accounts[account]
    names = (
        entry.consumer_key_env or config.x.app.consumer_key_env,
        entry.consumer_secret_env or config.x.app.consumer_secret_env,
        entry.access_token_env,
        entry.access_token_secret_env,
    )
    missing = tuple(name for name in names if not environ.get(name))
    if missing:
        raise MissingSecret(account, missing)
    consumer_key, consumer_secret, token, token_secret = (environ[name] for name in names)
    return XCredentials(entry.user_id, consumer_key, consumer_secret, token, token_secret)
