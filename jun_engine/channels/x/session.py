"""A requests session that sends tweepy's calls to a configured origin, with a default timeout.

tweepy 4.17 hard-codes `https://api.twitter.com` and sets no timeout. tweepy hands this session
the URL and an OAuth 1.0a `auth` object; rewriting the URL *before* `requests` prepares the
request means the signature covers the URL actually sent (the emulator checks it like X would).

It also shields tweepy from one malformed answer it cannot survive: an error status whose body is
JSON but not an object (tweepy calls `.get` on it and raises AttributeError). Such a body carries
no detail anyway, so the session empties it and tweepy raises its normal error for the status.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import requests

X_API_ORIGIN = "https://api.twitter.com"

Timeout = tuple[float, float]
"""(connect, read) seconds."""

DEFAULT_TIMEOUT: Timeout = (5.0, 30.0)


class InvalidBaseUrlError(ValueError):
    """The configured X API base URL is not an http(s) origin."""

    def __init__(self, url: str) -> None:
        super().__init__(
            f"X API base URL must look like https://api.twitter.com or http://127.0.0.1:8080, "
            f"got {url!r}"
        )


def _checked_base(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise InvalidBaseUrlError(url)
    return url.rstrip("/")


class RebasedSession(requests.Session):
    """Rewrites `https://api.twitter.com/...` to `<base_url>/...` and applies a default timeout."""

    def __init__(self, base_url: str = X_API_ORIGIN, timeout: Timeout = DEFAULT_TIMEOUT) -> None:
        super().__init__()
        self.base_url = _checked_base(base_url)
        self.timeout = timeout

    def rebase(self, url: str) -> str:
        """The URL this session really calls for `url`."""
        if url.startswith(X_API_ORIGIN + "/"):
            return self.base_url + url[len(X_API_ORIGIN) :]
        return url

    def request(
        self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any
    ) -> requests.Response:
        """Send to the rebased URL; a call that names no timeout gets the session's."""
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        target = self.rebase(url.decode() if isinstance(url, bytes) else url)
        response = super().request(method, target, *args, **kwargs)
        if response.status_code >= 400 and not _object_or_unreadable(response.content):
            response._content = b""
        return response


def _object_or_unreadable(content: bytes) -> bool:
    try:
        return isinstance(json.loads(content), dict)
    except (UnicodeDecodeError, ValueError):
        return True
