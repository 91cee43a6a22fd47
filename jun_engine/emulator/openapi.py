"""Checks the emulator's responses against X's OpenAPI description with openapi-core."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from jun_engine.emulator.wire import Exchange

SPEC_ENV = "JUN_X_OPENAPI"
SPEC_NAME = "openapi-v2.159.json"
SERVER = "https://api.x.com"


def find_spec(start: Path | None = None) -> Path | None:
    """The OpenAPI file: $JUN_X_OPENAPI, else ../shared/x-api/ next to the repository."""
    named = os.environ.get(SPEC_ENV)
    if named:
        return Path(named)
    here = (start or Path(__file__)).resolve()
    for parent in here.parents:
        candidate = parent.parent / "shared" / "x-api" / SPEC_NAME
        if candidate.is_file():
            return candidate
    return None


class ResponseValidator:
    """Validates exchanges against the spec's response schemas (problem+json included)."""

    def __init__(self, spec_path: Path) -> None:
        from openapi_core import Config, OpenAPI

        spec = json.loads(spec_path.read_text(encoding="utf-8"))
        config = Config(extra_media_type_deserializers={"application/problem+json": json.loads})
        self._api: Any = OpenAPI.from_dict(spec, config=config)

    def violations(self, exchange: Exchange) -> list[str]:
        """What is wrong with one response; empty when it validates."""
        from openapi_core.testing import MockRequest

        request = exchange.request
        query: Any = list(request.query)  # a multi-dict source: repeated names survive
        mock_request = MockRequest(
            SERVER,
            request.method.lower(),
            request.path,
            path_pattern=exchange.route,
            args=query,
        )
        mock_response = mock_response_of(exchange)
        try:
            self._api.validate_response(mock_request, mock_response)
        except Exception as error:  # openapi-core raises a family of its own errors
            cause = error.__cause__ or error
            return [f"{request.method} {request.path} -> {exchange.status}: {cause}"]
        return []


def mock_response_of(exchange: Exchange) -> Any:
    """The response of an exchange as openapi-core's validator reads it."""
    from openapi_core.testing import MockResponse

    return MockResponse(
        exchange.body,
        exchange.status,
        headers=exchange.headers,
        content_type=exchange.content_type.split(";")[0],
    )
