"""X's error bodies: every refusal the emulator gives, as an exception carrying X's exact JSON.

ApiProblemError (status, body, headers)
  raised by a handler, the auth check, the limits or the rules; the server sends it as
  `application/problem+json` (or `application/json` for the 200-with-errors form).
"""

from __future__ import annotations

from typing import Any

PROBLEMS = "https://api.twitter.com/2/problems/"

REPLY_NOT_ALLOWED = (
    "Reply to this conversation is not allowed because you have not been mentioned or "
    "otherwise engaged by the author of the post you are replying to."
)
DUPLICATE_CONTENT = "You are not allowed to create a Tweet with duplicate content."


class ApiProblemError(Exception):
    """An HTTP error response in X's problem form."""

    def __init__(
        self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(f"{status} {body.get('title', '')}: {body.get('detail', '')}")
        self.status = status
        self.body = body
        self.headers = dict(headers or {})


def _generic(status: int, title: str, detail: str | None = None) -> ApiProblemError:
    body = {"title": title, "detail": detail or title, "type": "about:blank", "status": status}
    return ApiProblemError(status, body)


def invalid_request(message: str, parameters: dict[str, list[str]]) -> ApiProblemError:
    """400: a parameter is missing, unknown, malformed or out of range."""
    body = {
        "errors": [{"parameters": parameters, "message": message}],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": PROBLEMS + "invalid-request",
    }
    return ApiProblemError(400, body)


def unauthorized() -> ApiProblemError:
    """401: no credentials, unknown credentials, or a bad OAuth signature."""
    return _generic(401, "Unauthorized")


def forbidden(detail: str | None = None) -> ApiProblemError:
    """403: a bare Forbidden, or X's text for a rule (duplicate content, reply restriction)."""
    return _generic(403, "Forbidden", detail)


def unsupported_authentication() -> ApiProblemError:
    """403: an app-only bearer token on an endpoint that needs a user context."""
    body = {
        "title": "Unsupported Authentication",
        "detail": "Authenticating with OAuth 2.0 Application-Only is forbidden for this "
        "endpoint.  Supported authentication types are [OAuth 1.0a User Context, "
        "OAuth 2.0 User Context].",
        "type": PROBLEMS + "unsupported-authentication",
        "status": 403,
    }
    return ApiProblemError(403, body)


def not_found(resource_type: str, parameter: str, value: str) -> ApiProblemError:
    """404: the post or user named in the path does not exist."""
    return ApiProblemError(404, resource_not_found(resource_type, parameter, value))


def resource_not_found(resource_type: str, parameter: str, value: str) -> dict[str, Any]:
    """The partial-error object X puts in `errors` for a missing user or post."""
    noun = {"user": "user", "tweet": "tweet"}.get(resource_type, resource_type)
    return {
        "value": value,
        "detail": f"Could not find {noun} with {parameter}: [{value}].",
        "title": "Not Found Error",
        "resource_type": resource_type,
        "parameter": parameter,
        "resource_id": value,
        "type": PROBLEMS + "resource-not-found",
    }


def no_route() -> ApiProblemError:
    """404 for a path X does not serve."""
    return _generic(404, "Not Found", "Sorry, that page does not exist.")


def method_not_allowed() -> ApiProblemError:
    """405 for a known path with the wrong method."""
    return _generic(405, "Method Not Allowed")


def too_many_requests(headers: dict[str, str] | None = None) -> ApiProblemError:
    """429: a 15-minute window or a 24-hour cap is used up."""
    problem = _generic(429, "Too Many Requests")
    problem.headers.update(headers or {})
    return problem


def usage_capped() -> ApiProblemError:
    """429 of type usage-capped: out of credit or over the monthly cap; waiting does not help."""
    body = {
        "title": "UsageCapExceeded",
        "detail": "Usage cap exceeded: Monthly product cap",
        "type": PROBLEMS + "usage-capped",
        "period": "Monthly",
        "scope": "Product",
        "status": 429,
    }
    return ApiProblemError(429, body)


def server_error(status: int = 503) -> ApiProblemError:
    """5xx, as the fault injector gives them."""
    titles = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}
    return _generic(status, titles.get(status, "Server Error"))
