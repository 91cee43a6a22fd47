"""Test helpers: the official LINE SDK pointed at a running LINE emulator, and admin calls."""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from linebot.v3.messaging import ApiClient, Configuration, MessagingApi, MessagingApiBlob

from jun_engine.emulator.line.emulator import LineEmulator


def configuration(line: LineEmulator, token: str | None = None) -> Configuration:
    """An SDK Configuration whose host (api and api-data alike) is the emulator."""
    return Configuration(
        host=line.base_url,
        access_token=token if token is not None else line.state.channel.access_token,
    )


def messaging(line: LineEmulator, token: str | None = None) -> MessagingApi:
    """The SDK's MessagingApi (api.line.me calls)."""
    return MessagingApi(ApiClient(configuration(line, token)))


def blob(line: LineEmulator) -> MessagingApiBlob:
    """The SDK's MessagingApiBlob (api-data.line.me calls), on its own Configuration."""
    return MessagingApiBlob(ApiClient(configuration(line)))


@dataclass(frozen=True, slots=True)
class Answer:
    """A raw HTTP answer."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body as JSON."""
        return json.loads(self.body)


def raw(
    line: LineEmulator,
    method: str,
    path: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
    *,
    token: str | None = None,
    data: bytes | None = None,
) -> Answer:
    """One plain HTTP request to the emulator, authenticated with the channel's token unless
    `token` says otherwise ("" sends no Authorization header)."""
    parts = urlsplit(line.base_url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10.0)
    sent = dict(headers or {})
    bearer = line.state.channel.access_token if token is None else token
    if bearer:
        sent.setdefault("Authorization", f"Bearer {bearer}")
    payload = data
    if body is not None:
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
        sent.setdefault("Content-Type", "application/json")
    try:
        connection.request(method, path, payload, sent)
        response = connection.getresponse()
        return Answer(
            response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        )
    finally:
        connection.close()


def admin(line: LineEmulator, method: str, path: str, body: Any = None) -> Any:
    """Call /_emulator/line/<path>; the parsed JSON answer (AssertionError on 4xx/5xx)."""
    answer = raw(
        line, method, f"/_emulator/line/{path}", body if body is not None else {}, token=""
    )
    assert answer.status < 400, answer.body
    return answer.json()


def friend(line: LineEmulator, name: str = "田中 花子", **profile: Any) -> str:
    """A new friend of the account; their user id."""
    created = admin(line, "POST", "users", {"displayName": name, **profile})
    return str(created["userId"])


def received(line: LineEmulator, user_id: str) -> list[dict[str, Any]]:
    """What a user received, oldest first."""
    return list(admin(line, "GET", f"users/{user_id}/messages")["messages"])


def error_body(exc: Any) -> dict[str, Any]:
    """The JSON body of an SDK ApiException."""
    return dict(json.loads(exc.body))
