"""The small parts of the X channel: credentials, the rebasing session, rate limits, hashtags."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from jun_engine.channels.results import RateLimit
from jun_engine.channels.x import credentials_for
from jun_engine.channels.x.mapping import hashtags_in_text
from jun_engine.channels.x.ratelimit import rate_limit, reset_time
from jun_engine.channels.x.session import InvalidBaseUrlError, RebasedSession
from jun_engine.config.schema import Config
from jun_engine.domain.errors import MissingSecret


def small_config() -> Config:
    return Config.model_validate(
        {
            "town": {"name": "Jun", "account": "town"},
            "x": {"app": {"consumer_key_env": "JUN_CK", "consumer_secret_env": "JUN_CS"}},
            "accounts": {
                "town": {
                    "handle": "AytoJun",
                    "user_id": 1001,
                    "access_token_env": "JUN_TOWN_AT",
                    "access_token_secret_env": "JUN_TOWN_ATS",
                },
            },
            "departments": {
                "general": {"name": {"es": "General"}, "account": "town", "triage": True}
            },
        }
    )


ENV = {"JUN_CK": "ck", "JUN_CS": "cs", "JUN_TOWN_AT": "1001-at", "JUN_TOWN_ATS": "ats"}


def test_credentials_come_from_the_named_variables_and_never_show() -> None:
    creds = credentials_for(small_config(), "town", ENV)
    assert (creds.user_id, creds.consumer_key, creds.access_token) == ("1001", "ck", "1001-at")
    assert "ats" not in repr(creds)
    assert "cs" not in repr(creds).replace("access", "")


def test_every_missing_secret_is_named_at_once() -> None:
    with pytest.raises(MissingSecret) as caught:
        credentials_for(small_config(), "town", {"JUN_CK": "ck", "JUN_TOWN_AT": ""})
    assert caught.value.variables == ("JUN_CS", "JUN_TOWN_AT", "JUN_TOWN_ATS")
    assert "JUN_CS, JUN_TOWN_AT, JUN_TOWN_ATS" in str(caught.value)


@pytest.mark.parametrize(
    ("base", "url", "expected"),
    [
        (
            "http://127.0.0.1:8080",
            "https://api.twitter.com/2/users/me",
            "http://127.0.0.1:8080/2/users/me",
        ),
        (
            "http://emu.local:9/x/",
            "https://api.twitter.com/2/tweets?a=1",
            "http://emu.local:9/x/2/tweets?a=1",
        ),
        (
            "https://api.twitter.com",
            "https://api.twitter.com/2/tweets",
            "https://api.twitter.com/2/tweets",
        ),
        (
            "http://127.0.0.1:8080",
            "https://upload.twitter.com/1.1/media",
            "https://upload.twitter.com/1.1/media",
        ),
    ],
)
def test_the_session_rebases_only_the_api_origin(base: str, url: str, expected: str) -> None:
    with RebasedSession(base) as session:
        assert session.rebase(url) == expected


@pytest.mark.parametrize("bad", ["", "127.0.0.1:8080", "ftp://x", "http://", "http://h/?q=1"])
def test_a_bad_base_url_is_refused_clearly(bad: str) -> None:
    with pytest.raises(InvalidBaseUrlError, match="X API base URL must look like"):
        RebasedSession(bad)


def test_rate_limit_headers_become_a_rate_limit() -> None:
    headers = {
        "x-rate-limit-limit": "15",
        "x-rate-limit-remaining": "3",
        "x-rate-limit-reset": "1893456000",
        "x-app-limit-24hour-limit": "1440",
        "x-app-limit-24hour-remaining": "0",
        "x-app-limit-24hour-reset": "1893500000",
    }
    limit = rate_limit(headers)
    assert limit == RateLimit(
        15,
        3,
        datetime(2030, 1, 1, tzinfo=UTC),
        daily=RateLimit(1440, 0, datetime.fromtimestamp(1893500000, UTC)),
    )
    assert limit is not None
    assert limit.exhausted
    assert reset_time(headers) == datetime.fromtimestamp(1893500000, UTC)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"x-rate-limit-limit": "15"},
        {"x-rate-limit-limit": "a", "x-rate-limit-remaining": "1", "x-rate-limit-reset": "1"},
        {"x-rate-limit-limit": "1", "x-rate-limit-remaining": "1", "x-rate-limit-reset": "9" * 30},
    ],
)
def test_missing_or_garbled_rate_limit_headers_are_none(headers: dict[str, str]) -> None:
    assert rate_limit(headers) is None


@pytest.mark.parametrize(
    ("text", "tags"),
    [
        ("Sin luz #ApagónJun #EndesaMeEstresa", ("#ApagónJun", "#EndesaMeEstresa")),
        ("ไฟดับอีกแล้ว #แก้ไขแล้ว", ("#แก้ไขแล้ว",)),
        ("full-width ＃Jun", ("#Jun",)),
        ("numbers #2026 #1a", ("#1a",)),
        ("not a tag: a#b, &#38; or a lone #", ()),
        ("repeat #jun #jun", ("#jun",)),
    ],
)
def test_hashtags_are_read_from_text_when_x_sent_no_entities(
    text: str, tags: tuple[str, ...]
) -> None:
    assert hashtags_in_text(text) == tags
