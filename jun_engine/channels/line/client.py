"""One LINE official account's API clients (line-bot-sdk), pointed at LINE or at its emulator."""

from __future__ import annotations

from dataclasses import dataclass, field

from linebot.v3.messaging import ApiClient, Configuration, MessagingApi, MessagingApiBlob

from jun_engine.config.environment import LineCredentials

LINE_API = "https://api.line.me"
"""LINE's API host. Content and rich-menu images live on api-data.line.me: the SDK knows."""

TIMEOUT = (5.0, 15.0)
"""Connect and read timeouts in seconds, passed to every call as `_request_timeout`."""


@dataclass
class LineClients:
    """The SDK's API objects for one account, sharing one connection pool."""

    account: str
    messaging: MessagingApi
    blob: MessagingApiBlob
    _client: ApiClient = field(repr=False)

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()


def line_clients(credentials: LineCredentials, base_url: str | None = None) -> LineClients:
    """Clients for `credentials`' account: real LINE, or everything at `base_url` (the emulator
    serves both of LINE's hosts on one port, and the SDK then sends both there)."""
    if base_url is None:
        configuration = Configuration(access_token=credentials.access_token)
    else:
        configuration = Configuration(
            host=base_url.rstrip("/"), access_token=credentials.access_token
        )
    client = ApiClient(configuration)
    return LineClients(credentials.account, MessagingApi(client), MessagingApiBlob(client), client)
