"""What an Open311 request can be refused for, as GeoReport v2 says: 404 for an unknown
resource, jurisdiction or service code, 403 for a missing or bad `api_key`, 429 beyond a key's
rate, 400 for anything else. Each error is a `{code, description}` the wire writes as a list."""

from __future__ import annotations


class Open311Error(Exception):
    """A refused Open311 request: its HTTP status and one sentence for the client."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def bad_request(description: str) -> Open311Error:
    """400: the request is malformed (a missing or invalid parameter)."""
    return Open311Error(400, description)


def forbidden(description: str) -> Open311Error:
    """403: no `api_key`, or one the town never issued or has revoked."""
    return Open311Error(403, description)


def not_found(description: str) -> Open311Error:
    """404: an unknown service, request, token or jurisdiction."""
    return Open311Error(404, description)


def too_many(description: str) -> Open311Error:
    """429: the key made more requests this minute than the town allows."""
    return Open311Error(429, description)
