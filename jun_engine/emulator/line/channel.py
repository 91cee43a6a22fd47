"""The one LINE channel the emulator plays: its id, secret, access token and bot user id."""

from __future__ import annotations

from dataclasses import dataclass

from jun_engine.emulator.line.ids import IdMint

API_URL_ENV = "JUN_LINE_API_URL"
SECRET_ENV = "JUN_LINE_CHANNEL_SECRET"  # noqa: S105 (a variable name)
TOKEN_ENV = "JUN_LINE_CHANNEL_ACCESS_TOKEN"  # noqa: S105 (a variable name)


@dataclass(frozen=True, slots=True)
class Channel:
    """A Messaging API channel: fake credentials, derived from the seed."""

    channel_id: str
    secret: str
    access_token: str
    bot_user_id: str
    """The official account's user id: the `destination` of every webhook."""

    @classmethod
    def minted(cls, mint: IdMint) -> Channel:
        """A channel with fresh credentials from `mint`."""
        return cls(
            channel_id=str(1_600_000_000 + int(mint.secret()[:6], 16)),
            secret=mint.secret(),
            access_token=mint.access_token(),
            bot_user_id=mint.user_id(),
        )

    def env(self, api_url: str | None) -> dict[str, str]:
        """The environment a LINE client needs: secret, token and (when serving) the host."""
        out = {SECRET_ENV: self.secret, TOKEN_ENV: self.access_token}
        if api_url is not None:
            out[API_URL_ENV] = api_url
        return out
