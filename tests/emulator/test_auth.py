"""OAuth 1.0a verification per RFC 5849, and bearer tokens."""

from __future__ import annotations

import requests
from requests_oauthlib import OAuth1  # type: ignore[import-untyped]

from jun_engine.emulator.auth import hmac_sha1, signature_base_string
from jun_engine.emulator.emulator import Emulator

TOWN_ID = "1130425167"


def test_signature_matches_the_oauth_core_reference_example() -> None:
    params = [
        ("file", "vacation.jpg"),
        ("size", "original"),
        ("oauth_consumer_key", "dpf43f3p2l4k3l03"),
        ("oauth_token", "nnch734d00sl2jdk"),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_timestamp", "1191242096"),
        ("oauth_nonce", "kllo9940pd9333jh"),
        ("oauth_version", "1.0"),
    ]
    base = signature_base_string("GET", "http://photos.example.net/photos", params)
    assert base.startswith("GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg")
    assert hmac_sha1(base, "kd94hf93k423kf44", "pfkkdhi9sl3r4s00") == "tR3+Ty81lMeYAr/Fid0kMTYa/WM="


def _oauth(emulator: Emulator, *, secret: str | None = None) -> OAuth1:
    env = emulator.credentials_env()
    app, town = emulator.config.x.app, emulator.config.accounts["town"]
    return OAuth1(
        env[app.consumer_key_env],
        env[app.consumer_secret_env],
        env[town.access_token_env],
        secret or env[town.access_token_secret_env],
    )


def test_query_parameters_with_reserved_characters_are_signed(x_emulator: Emulator) -> None:
    url = f"{x_emulator.base_url}/2/tweets/search/recent"
    query = {"query": 'from:AytoJun "corte de agua" ñ+%&=', "max_results": "10"}
    response = requests.get(url, params=query, auth=_oauth(x_emulator), timeout=10)
    assert response.status_code == 200


def test_a_signature_over_other_parameters_is_refused(x_emulator: Emulator) -> None:
    prepared = requests.Request(
        "GET", f"{x_emulator.base_url}/2/users/{TOWN_ID}/mentions", auth=_oauth(x_emulator)
    ).prepare()
    assert prepared.url is not None
    prepared.url += "?max_results=50"  # changed after signing
    response = requests.Session().send(prepared, timeout=10)
    assert response.status_code == 401
    assert response.json() == {
        "title": "Unauthorized",
        "detail": "Unauthorized",
        "type": "about:blank",
        "status": 401,
    }


def test_a_replayed_nonce_is_refused(x_emulator: Emulator) -> None:
    prepared = requests.Request(
        "GET", f"{x_emulator.base_url}/2/users/me", auth=_oauth(x_emulator)
    ).prepare()
    session = requests.Session()
    assert session.send(prepared, timeout=10).status_code == 200
    assert session.send(prepared, timeout=10).status_code == 401


def test_missing_or_wrong_credentials_are_401(x_emulator: Emulator) -> None:
    url = f"{x_emulator.base_url}/2/users/me"
    assert requests.get(url, timeout=10).status_code == 401
    assert requests.get(url, auth=_oauth(x_emulator, secret="nope"), timeout=10).status_code == 401


def test_credentials_are_deterministic_per_seed_and_shaped_like_xs(x_emulator: Emulator) -> None:
    again = Emulator(x_emulator.config, seed=0)
    other = Emulator(x_emulator.config, seed=1)
    token_env = x_emulator.config.accounts["town"].access_token_env
    assert again.credentials.env == x_emulator.credentials.env
    assert other.credentials.env[token_env] != x_emulator.credentials.env[token_env]
    assert x_emulator.credentials.env[token_env].startswith(f"{TOWN_ID}-")
