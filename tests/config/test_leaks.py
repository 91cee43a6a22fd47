"""Secrets written into accounts.yaml are refused by field, and never echoed back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jun_engine.cli.app import app
from jun_engine.config import ConfigError, load_config
from jun_engine.config.document import read_document
from jun_engine.config.leaks import looks_like_secret, masked, shown

REPO = Path(__file__).parents[2]
SHIPPED = REPO / "accounts.yaml"

ACCESS_TOKEN = "1130425167-Zq8RkV1mXw2Lp9TnB4yHcE7uJd3Fa6Gs"
BEARER = "AAAAAAAAAAAAAAAAAAAAAMLheAAAAAAA0%2BuSeid%2BULvsea4JtiGRiSDSJSI%3DEUifiRBkKG5E2XzMDjRfl"
CONSUMER_KEY = "xvz1evFS4wEEPTGEFPHBog7Qd"
CONSUMER_SECRET = "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw8pYq5Lm"
LINE_SECRET = "8c1f0a9e5b7d3c2e4f6a8b0c1d3e5f70"
"""A LINE channel secret: 32 lowercase hex digits."""
PRIVATE_KEY = "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----"


@pytest.mark.parametrize(
    "secret", [ACCESS_TOKEN, BEARER, CONSUMER_KEY, CONSUMER_SECRET, LINE_SECRET, PRIVATE_KEY]
)
def test_credentials_look_like_secrets(secret: str) -> None:
    assert looks_like_secret(secret)


@pytest.mark.parametrize(
    "text",
    [
        "JUN_X_DEPUTY_MAYOR_ACCESS_TOKEN_SECRET",
        "https://air-quality-api.open-meteo.com/v1/air-quality",
        "#EndesaMeEstresa",
        "models/Router2026.joblib",
        "1569034481277743104",
        "Teniente de Alcaldía de Jun",
        "ฝ่ายทะเบียนศาลากลาง",
        "U4af4980629e1c3a5b7d9f1e3a5c7b9d1",  # a LINE official account's bot_user_id: public
        "Ca56f94637cc4b36d1b5e7a9c3f1e5d79",  # a LINE group id
        "325708",  # a LINE message id
        "17827294762163",  # a LINE webhook's message id, as long as they come
        "12345678901234567890123456789012",  # 32 digits: a number, not hex
        "richmenu-8dfdfc571eca39c0ffcd1f799519c5b5",  # a rich menu id
        "8C1F0A9E5B7D3C2E4F6A8B0C1D3E5F70",  # upper-case hex: not how LINE writes a secret
    ],
)
def test_ordinary_words_do_not(text: str) -> None:
    assert not looks_like_secret(text)


def test_no_string_of_the_shipped_file_looks_like_a_secret() -> None:
    tree = read_document(SHIPPED).tree
    strings: list[str] = []
    pending: list[object] = [tree]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            strings.append(value)
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    assert len(strings) > 500
    assert [s for s in strings if looks_like_secret(s)] == []


def test_masking_shows_only_the_length() -> None:
    assert masked(CONSUMER_SECRET) == "'********' (50 characters, masked)"
    assert shown(CONSUMER_SECRET) == masked(CONSUMER_SECRET)
    assert shown("lowercase_name", secret=True) == masked("lowercase_name")
    assert shown("agua") == "'agua'"


def _file_with(tmp_path: Path, old: str, new: str) -> Path:
    text = SHIPPED.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "accounts.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


PLACES = {
    "access token for its variable": ("JUN_X_TOWN_ACCESS_TOKEN\n", f"{ACCESS_TOKEN}\n"),
    "consumer secret for its variable": ("JUN_X_CONSUMER_SECRET\n", f"{CONSUMER_SECRET}\n"),
    "bearer token in a keyword list": ("[apagón,", f"['{BEARER}', apagón,"),
    "consumer key as a mapping key": ("  town:\n    handle:", f"  {CONSUMER_KEY}:\n    handle:"),
    "lowercase secret-ish variable value": ("JUN_X_WATER_ACCESS_TOKEN\n", "hunter2-password\n"),
    "LINE channel secret for its variable": ("JUN_X_CONSUMER_SECRET\n", f"{LINE_SECRET}\n"),
}


@pytest.mark.parametrize("where", PLACES)
def test_a_secret_is_an_error_that_never_echoes_it(tmp_path: Path, where: str) -> None:
    # Given a secret written into the file
    old, new = PLACES[where]
    path = _file_with(tmp_path, old, new)
    secret = new.strip().strip("[',").split("'")[0].split(":")[0].strip()
    # When it is checked, as text and as JSON, and loaded through the API
    text = CliRunner().invoke(app, ["check", "--target", "emulator", str(path)])
    as_json = CliRunner().invoke(app, ["check", "--target", "emulator", "--json", str(path)])
    with pytest.raises(ConfigError) as raised:
        load_config(path, target="emulator", environ={})
    # Then it is an error, and the secret appears nowhere
    assert text.exit_code == 2
    assert as_json.exit_code == 2
    assert "masked" in text.output
    for output in (text.output, as_json.output, str(raised.value)):
        assert secret not in output
    assert any(p["severity"] == "error" for p in json.loads(as_json.output))
