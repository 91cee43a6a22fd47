"""The engine's exception tree: every error it raises on purpose, each building its own message.

    JunError
    ├── MissingSecret              an environment variable named in accounts.yaml is unset
    └── ChannelError               a channel (X, later LINE) could not do what was asked
        ├── RateLimited            429: wait until `reset_at`, unless `usage_capped`
        ├── AuthError              401: the keys are wrong or revoked; stop loudly
        ├── Forbidden              403: not allowed (missing scope or plan access, ...)
        │   ├── DuplicateContent   the same text was posted before (after a timeout: look first)
        │   ├── ReplyNotAllowed    the author did not mention this account (API reply restriction)
        │   └── DmNotPermitted     this account may not DM that user
        ├── NotFound               404: the post, user or conversation does not exist
        ├── InvalidRequest         400: the request itself is wrong; retrying cannot help
        ├── ServerError            5xx: the platform failed; back off and retry
        ├── UnexpectedStatus       any other HTTP status
        ├── MailRefused            an SMTP server's reply: 4xx for now (retry), 5xx for good
        └── NetworkError           no usable answer; `request_sent` says whether it may have landed
            ├── ConnectionFailed   refused, reset, DNS
            ├── RequestTimedOut    connect or read timeout
            └── MalformedResponse  truncated JSON, HTML from a proxy, a body of the wrong shape

What the retry policy reads: `retryable` (can trying again help at all) and `retry_at` (the
earliest useful moment, when the platform said so). Messages never quote what a resident wrote.
"""

# The names say what happened (RateLimited, NotFound), as the brief and httpx-style trees do.
# ruff: noqa: N818

from __future__ import annotations

from datetime import datetime


class JunError(Exception):
    """Base of every error jun-engine raises on purpose."""


class MissingSecret(JunError):
    """A secret's environment variable, named in accounts.yaml, is not set."""

    def __init__(self, account: str, variables: tuple[str, ...]) -> None:
        self.account = account
        self.variables = variables
        names = ", ".join(variables)
        super().__init__(f"account {account!r} needs the environment variable(s) {names}")


class ChannelError(JunError):
    """A channel call failed. `status` is the HTTP status when there was one."""

    def __init__(self, message: str, *, status: int | None = None, detail: str = "") -> None:
        self.status = status
        self.detail = detail
        super().__init__(message)

    @property
    def retryable(self) -> bool:
        """Whether the same call may succeed later without anyone changing anything."""
        return False

    @property
    def retry_at(self) -> datetime | None:
        """The earliest moment a retry can help, when the platform said; None: use backoff."""
        return None


def _with_detail(summary: str, detail: str) -> str:
    return f"{summary}: {detail}" if detail else summary


class RateLimited(ChannelError):
    """429: over the window quota (wait for `reset_at`) or out of paid usage (waiting won't do)."""

    def __init__(
        self, reset_at: datetime | None, *, usage_capped: bool = False, detail: str = ""
    ) -> None:
        self.reset_at = reset_at
        self.usage_capped = usage_capped
        if usage_capped:
            summary = "usage cap reached (out of credit or over the monthly cap)"
        elif reset_at is not None:
            summary = f"rate limited until {reset_at:%Y-%m-%d %H:%M:%S %Z}"
        else:
            summary = "rate limited (no reset time given)"
        super().__init__(_with_detail(summary, detail), status=429, detail=detail)

    @property
    def retryable(self) -> bool:
        """Waiting for the window's reset cures a rate limit, never a usage cap."""
        return not self.usage_capped

    @property
    def retry_at(self) -> datetime | None:
        return None if self.usage_capped else self.reset_at


class AuthError(ChannelError):
    """401: the account's keys are wrong, expired or revoked."""

    def __init__(self, detail: str = "") -> None:
        summary = "authentication failed (check the account's keys)"
        super().__init__(_with_detail(summary, detail), status=401, detail=detail)


class Forbidden(ChannelError):
    """403: the platform refuses this call for this account."""

    summary = "forbidden"

    def __init__(self, detail: str = "") -> None:
        super().__init__(_with_detail(self.summary, detail), status=403, detail=detail)


class DuplicateContent(Forbidden):
    """403: this exact text was posted before. After a timeout it may be our own first attempt."""

    summary = "duplicate content refused"


class ReplyNotAllowed(Forbidden):
    """403: the post's author did not mention or quote this account, so it may not reply by API."""

    summary = "reply not allowed (the author did not mention this account)"


class DmNotPermitted(Forbidden):
    """403 on a DM: the recipient does not accept DMs from this account, or the scope is missing."""

    summary = "direct message not permitted"


class NotFound(ChannelError):
    """404: the resource does not exist (any more)."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(_with_detail("not found", detail), status=404, detail=detail)


class InvalidRequest(ChannelError):
    """400: the request is malformed; `parameters` names the offending ones when X says."""

    def __init__(self, detail: str = "", parameters: tuple[str, ...] = ()) -> None:
        self.parameters = parameters
        summary = "invalid request"
        if parameters:
            summary += f" (parameters: {', '.join(parameters)})"
        super().__init__(_with_detail(summary, detail), status=400, detail=detail)


class ServerError(ChannelError):
    """5xx: the platform failed; a later retry usually works."""

    def __init__(self, status: int, detail: str = "") -> None:
        summary = f"server error {status}"
        super().__init__(_with_detail(summary, detail), status=status, detail=detail)

    @property
    def retryable(self) -> bool:
        return True


class UnexpectedStatus(ChannelError):
    """An HTTP status the engine has no rule for."""

    def __init__(self, status: int, detail: str = "") -> None:
        summary = f"unexpected HTTP status {status}"
        super().__init__(_with_detail(summary, detail), status=status, detail=detail)


class MailRefused(ChannelError):
    """The SMTP server answered no (the weekly report's e-mail): 4xx says try later, 5xx (or no
    code: a feature the server lacks) says never. `status` holds the SMTP reply code."""

    def __init__(self, code: int | None, detail: str = "") -> None:
        summary = f"SMTP server refused ({code})" if code is not None else "SMTP server refused"
        super().__init__(_with_detail(summary, detail), status=code, detail=detail)

    @property
    def retryable(self) -> bool:
        return self.status is not None and 400 <= self.status < 500


class NetworkError(ChannelError):
    """No usable answer. If `request_sent`, a write may have landed: look before repeating it."""

    summary = "network error"

    def __init__(self, reason: str, *, request_sent: bool, status: int | None = None) -> None:
        self.reason = reason
        self.request_sent = request_sent
        landed = "the request may have reached the server" if request_sent else "nothing was sent"
        super().__init__(f"{self.summary} ({reason}); {landed}", status=status)

    @property
    def retryable(self) -> bool:
        return True


class ConnectionFailed(NetworkError):
    """The connection could not be made, or broke."""

    summary = "connection failed"


class RequestTimedOut(NetworkError):
    """The server did not connect or answer in time."""

    summary = "request timed out"


class MalformedResponse(NetworkError):
    """The answer cannot be read: truncated JSON, an HTML page, a body of the wrong shape."""

    summary = "malformed response"
