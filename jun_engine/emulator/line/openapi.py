"""Checks the LINE emulator's responses against LINE's OpenAPI files with openapi-core.

Two additions to LINE's files, both from LINE's documentation: every error answer of every
operation has the ErrorResponse shape (the files declare it for only some), and every response
must carry `x-line-request-id`.
"""

from __future__ import annotations

import copy
from typing import Any

from jun_engine.emulator.line.routes import LineRouter
from jun_engine.emulator.line.spec import MANAGE_AUDIENCE, MESSAGING_API, load
from jun_engine.emulator.openapi import mock_response_of
from jun_engine.emulator.wire import Exchange

API_HOST = "https://api.line.me"
DATA_HOST = "https://api-data.line.me"
_ERROR = {"$ref": "#/components/schemas/ErrorResponse"}


def with_error_responses(document: dict[str, Any]) -> dict[str, Any]:
    """A copy of an OpenAPI document where every operation's `default` is LINE's ErrorResponse."""
    out = copy.deepcopy(document)
    for item in out["paths"].values():
        for method, operation in item.items():
            if method in ("get", "post", "put", "delete") and isinstance(operation, dict):
                responses = operation.setdefault("responses", {})
                responses.setdefault(
                    "default",
                    {"description": "Error", "content": {"application/json": {"schema": _ERROR}}},
                )
    return out


class LineResponseValidator:
    """Validates LINE emulator exchanges against messaging-api.yml and manage-audience.yml."""

    def __init__(self) -> None:
        from openapi_core import OpenAPI

        self._apis: dict[str, Any] = {
            name: OpenAPI.from_dict(with_error_responses(load(name)))
            for name in (MESSAGING_API, MANAGE_AUDIENCE)
        }
        self._router = LineRouter()

    def violations(self, exchange: Exchange) -> list[str]:
        """What is wrong with one response; empty when it validates."""
        from openapi_core.testing import MockRequest

        request = exchange.request
        where = f"{request.method} {request.path} -> {exchange.status}"
        problems = []
        if "x-line-request-id" not in exchange.headers:
            problems.append(f"{where}: no x-line-request-id header")
        found = self._router.match(request.method, request.path)
        if found is None:
            return problems
        route = found[0]
        mock_request = MockRequest(
            DATA_HOST if route.data_host else API_HOST,
            request.method.lower(),
            request.path,
            path_pattern=route.template,
            args=list(request.query),  # type: ignore[arg-type]
        )
        try:
            self._apis[route.document].validate_response(mock_request, mock_response_of(exchange))
        except Exception as error:  # openapi-core raises a family of its own errors
            problems.append(f"{where}: {error.__cause__ or error}")
        return problems
