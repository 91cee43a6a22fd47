"""Who is calling: OAuth 1.0a signatures verified per RFC 5849 (HMAC-SHA1), and bearer tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote

from jun_engine.emulator.credentials import Credentials
from jun_engine.emulator.problems import unauthorized
from jun_engine.emulator.wire import Request

TIMESTAMP_TOLERANCE = 300
"""Seconds an oauth_timestamp may differ from the real time (not the emulated clock)."""

_NONCE_MEMORY = 10_000


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller: a user (OAuth 1.0a) or an app alone (bearer token)."""

    consumer_key: str
    user_id: str | None = None
    dm_access: bool = False

    @property
    def is_user(self) -> bool:
        """True for a user context (OAuth 1.0a), False for app-only."""
        return self.user_id is not None


def percent_encode(value: str) -> str:
    """RFC 3986 percent-encoding as OAuth 1.0a requires: only A-Z a-z 0-9 - . _ ~ stay."""
    return quote(value, safe="~")


def parse_oauth_header(header: str) -> dict[str, str]:
    """The parameters of an `Authorization: OAuth k="v", ...` header, percent-decoded."""
    params: dict[str, str] = {}
    for part in header[len("OAuth ") :].split(","):
        name, sep, raw = part.strip().partition("=")
        if not sep:
            continue
        params[unquote(name.strip())] = unquote(raw.strip().strip('"'))
    return params


def signature_base_string(method: str, base_uri: str, params: list[tuple[str, str]]) -> str:
    """RFC 5849 section 3.4.1: METHOD & encoded base URI & encoded normalised parameters."""
    encoded = sorted((percent_encode(k), percent_encode(v)) for k, v in params)
    normalised = "&".join(f"{k}={v}" for k, v in encoded)
    return "&".join((method.upper(), percent_encode(base_uri), percent_encode(normalised)))


def hmac_sha1(base: str, consumer_secret: str, token_secret: str) -> str:
    """The base64 HMAC-SHA1 signature of a base string under the two secrets."""
    key = f"{percent_encode(consumer_secret)}&{percent_encode(token_secret)}"
    digest = hmac.new(key.encode(), base.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class Authenticator:
    """Checks each request's credentials against the emulator's keys."""

    def __init__(self, credentials: Credentials, *, scheme: str = "http") -> None:
        self._credentials = credentials
        self._scheme = scheme
        self._nonces: OrderedDict[tuple[str, str, str], None] = OrderedDict()
        self._lock = threading.Lock()

    def authenticate(self, request: Request) -> Principal:
        """The caller of `request`; ApiProblemError 401 when credentials are missing or wrong."""
        header = request.headers.get("authorization", "")
        if header.startswith("Bearer "):
            app = self._credentials.bearers.get(header[len("Bearer ") :].strip())
            if app is None:
                raise unauthorized()
            return Principal(consumer_key=app)
        if header.startswith("OAuth "):
            return self._oauth1(request, parse_oauth_header(header))
        raise unauthorized()

    def _oauth1(self, request: Request, oauth: dict[str, str]) -> Principal:
        token = self._credentials.tokens.get(oauth.get("oauth_token", ""))
        app = self._credentials.apps.get(oauth.get("oauth_consumer_key", ""))
        if token is None or app is None or token.consumer_key != app.consumer_key:
            raise unauthorized()
        if oauth.get("oauth_signature_method") != "HMAC-SHA1" or not self._fresh(oauth):
            raise unauthorized()
        params = [(k, v) for k, v in oauth.items() if k not in ("oauth_signature", "realm")]
        params.extend(request.query)
        if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            params.extend(
                parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True)
            )
        base = signature_base_string(request.method, self._base_uri(request), params)
        expected = hmac_sha1(base, app.consumer_secret, token.secret)
        if not hmac.compare_digest(expected, oauth.get("oauth_signature", "")):
            raise unauthorized()
        return Principal(app.consumer_key, token.user_id, token.dm_access)

    def _base_uri(self, request: Request) -> str:
        host = request.headers.get("host", "").lower()
        default_port = {"http": ":80", "https": ":443"}[self._scheme]
        host = host.removesuffix(default_port)
        return f"{self._scheme}://{host}{request.path}"

    def _fresh(self, oauth: dict[str, str]) -> bool:
        stamp, nonce = oauth.get("oauth_timestamp", ""), oauth.get("oauth_nonce", "")
        if not stamp.isdigit() or not nonce or abs(int(stamp) - time.time()) > TIMESTAMP_TOLERANCE:
            return False
        key = (oauth.get("oauth_token", ""), stamp, nonce)
        with self._lock:
            if key in self._nonces:
                return False
            self._nonces[key] = None
            if len(self._nonces) > _NONCE_MEMORY:
                self._nonces.popitem(last=False)
        return True
