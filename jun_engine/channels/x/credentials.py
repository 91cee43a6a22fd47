"""An X account's OAuth 1.0a keys, read once at the edge from the variables accounts.yaml names."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from jun_engine.config.environment import credentials_for as read_credentials
from jun_engine.config.schema import Config


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
    """The keys of `account` (a key under `accounts`), read from `environ`; every gap at once.

    The environment is read by the configuration's one reader (`jun_engine.config.environment`),
    which raises `CredentialsError` (a `MissingSecret`) naming every unset variable.
    """
    keys = read_credentials(config, account, environ)
    return XCredentials(
        config.accounts[account].user_id,
        keys.consumer_key,
        keys.consumer_secret,
        keys.access_token,
        keys.access_token_secret,
    )
