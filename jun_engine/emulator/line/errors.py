"""LINE's error answers: `{"message", "details"?, "sentMessages"?}` with LINE's own wording."""

from __future__ import annotations

from typing import Any

from jun_engine.emulator.line.spec import Problem

RATE_LIMITED = "The API rate limit has been exceeded. Try again later."
MONTHLY_LIMIT = "You have reached your monthly limit."
INVALID_REPLY_TOKEN = "Invalid reply token"  # noqa: S105 (an error message)
NOT_FOUND = "Not found"
NO_AUTH_HEADER = (
    "Authorization header required. Must follow the scheme, 'Authorization: Bearer <ACCESS TOKEN>'"
)
BAD_TOKEN = (
    "Authentication failed. Confirm that the access token in the authorization header is valid."  # noqa: S105
)


class LineError(Exception):
    """An error LINE would answer with; the dispatcher turns it into the response."""

    def __init__(
        self,
        status: int,
        message: str,
        details: list[Problem] | None = None,
        *,
        headers: dict[str, str] | None = None,
        sent_messages: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details or []
        self.headers = headers or {}
        self.sent_messages = sent_messages

    def body(self) -> dict[str, Any]:
        """The JSON body LINE sends (details only when there are some)."""
        out: dict[str, Any] = {"message": self.message}
        if self.details:
            out["details"] = [{"message": m, "property": p} for p, m in self.details]
        if self.sent_messages:
            out["sentMessages"] = self.sent_messages
        return out


def invalid_body(problems: list[Problem]) -> LineError:
    """400 for a body that breaks the schema or a rule, naming every bad property."""
    return LineError(400, f"The request body has {len(problems)} error(s)", problems)


def bad_request(message: str, prop: str | None = None) -> LineError:
    """400 with one message (and the property it is about, when there is one)."""
    if prop is None:
        return LineError(400, message)
    return LineError(400, message, [(prop, message)])


def not_found() -> LineError:
    """404 as LINE words it."""
    return LineError(404, NOT_FOUND)


def rate_limited() -> LineError:
    """429 for a rate limit: LINE sends no rate-limit headers."""
    return LineError(429, RATE_LIMITED)


def monthly_limit() -> LineError:
    """429 when the month's quota is spent."""
    return LineError(429, MONTHLY_LIMIT)
