"""The validator the `x_emulator` fixture applies really rejects what X's description forbids."""

from __future__ import annotations

import json

import pytest

from jun_engine.emulator.openapi import ResponseValidator
from jun_engine.emulator.wire import Exchange, Request

ROUTE = "/2/users/{id}/mentions"


def _exchange(status: int, body: object, content_type: str = "application/json") -> Exchange:
    request = Request("GET", "/2/users/1/mentions")
    return Exchange(request, status, {}, json.dumps(body).encode(), content_type, ROUTE)


def test_a_well_formed_page_validates(x_openapi_validator: ResponseValidator | None) -> None:
    if x_openapi_validator is None:
        pytest.skip("openapi-core or X's OpenAPI file is not available")
    page = {
        "data": [{"id": "1", "text": "hi", "edit_history_tweet_ids": ["1"]}],
        "meta": {"result_count": 1},
    }
    assert x_openapi_validator.violations(_exchange(200, page)) == []


@pytest.mark.parametrize(
    ("status", "body", "content_type"),
    [
        (200, {"data": [{"id": "not-a-number", "text": "hi"}]}, "application/json"),
        (200, {"data": []}, "application/json"),  # an empty page has no data key
        (401, {"title": 401}, "application/problem+json"),
    ],
)
def test_malformed_responses_are_violations(
    x_openapi_validator: ResponseValidator | None, status: int, body: object, content_type: str
) -> None:
    if x_openapi_validator is None:
        pytest.skip("openapi-core or X's OpenAPI file is not available")
    assert x_openapi_validator.violations(_exchange(status, body, content_type))
