"""Credentials: the file names environment variables; values come only from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from jun_engine.config import CredentialsError, credentials_for, load_config
from jun_engine.config.schema import Config

SHIPPED = Path(__file__).parents[2] / "accounts.yaml"


@pytest.fixture(scope="module")
def config() -> Config:
    return load_config(SHIPPED, environ=None).config


def test_an_account_signs_with_the_app_keys_and_its_own_token(config: Config) -> None:
    environ = {
        "JUN_X_CONSUMER_KEY": "ck",
        "JUN_X_CONSUMER_SECRET": "cs",
        "JUN_X_BEARER_TOKEN": "bt",
        "JUN_X_WATER_ACCESS_TOKEN": "4021736598-at",
        "JUN_X_WATER_ACCESS_TOKEN_SECRET": "ats",
    }
    credentials = credentials_for(config, "water", environ)
    assert (
        credentials.consumer_key,
        credentials.consumer_secret,
        credentials.access_token,
        credentials.access_token_secret,
        credentials.bearer_token,
    ) == ("ck", "cs", "4021736598-at", "ats", "bt")


def test_an_account_of_another_app_uses_its_own_consumer_keys(config: Config) -> None:
    water = config.accounts["water"].model_copy(
        update={"consumer_key_env": "OTHER_KEY", "consumer_secret_env": "OTHER_SECRET"}
    )
    other = config.model_copy(update={"accounts": {**config.accounts, "water": water}})
    environ = {
        "OTHER_KEY": "ok",
        "OTHER_SECRET": "os",
        "JUN_X_WATER_ACCESS_TOKEN": "t",
        "JUN_X_WATER_ACCESS_TOKEN_SECRET": "s",
    }
    credentials = credentials_for(other, "water", environ)
    assert (credentials.consumer_key, credentials.consumer_secret) == ("ok", "os")
    assert credentials.bearer_token is None


def test_missing_credentials_name_the_variables_not_values(config: Config) -> None:
    environ = {"JUN_X_CONSUMER_KEY": "ck-value", "JUN_X_WATER_ACCESS_TOKEN": ""}
    with pytest.raises(CredentialsError) as raised:
        credentials_for(config, "water", environ)
    assert raised.value.missing == (
        "JUN_X_CONSUMER_SECRET",
        "JUN_X_WATER_ACCESS_TOKEN",
        "JUN_X_WATER_ACCESS_TOKEN_SECRET",
    )
    assert "account 'water' has no credentials: set JUN_X_CONSUMER_SECRET" in str(raised.value)
    assert "ck-value" not in str(raised.value)


def test_an_unknown_account_has_no_credentials(config: Config) -> None:
    with pytest.raises(CredentialsError, match="no account 'agua' under `accounts`"):
        credentials_for(config, "agua", {})


def test_credentials_never_show_their_values(config: Config) -> None:
    environ = {
        "JUN_X_CONSUMER_KEY": "ck-value",
        "JUN_X_CONSUMER_SECRET": "cs-value",
        "JUN_X_TOWN_ACCESS_TOKEN": "at-value",
        "JUN_X_TOWN_ACCESS_TOKEN_SECRET": "ats-value",
    }
    credentials = credentials_for(config, "town", environ)
    assert repr(credentials) == "Credentials(account='town')"
    assert "value" not in str(credentials)
