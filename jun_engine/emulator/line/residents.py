"""What LINE users do in the app, turned into webhook events: follow, unfollow, send text, a
photo, a map pin, a sticker, tap a postback. The admin API and the simulated town both act
through here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from jun_engine.emulator.line import events
from jun_engine.emulator.line.events import Event
from jun_engine.emulator.line.friends import Friend
from jun_engine.emulator.line.images import png
from jun_engine.emulator.line.state import LineState
from jun_engine.emulator.line.webhooks import Deliverer

PHOTO_SIZE = (48, 36)
"""Residents' photos are small generated PNGs."""


class NotAFriendError(LookupError):
    """The user is unknown, or (for anything but follow) does not follow the account."""


class Residents:
    """Acts as LINE users; each action queues its webhook and returns what a test needs."""

    def __init__(self, state: LineState, webhooks: Deliverer) -> None:
        self._state = state
        self._webhooks = webhooks

    def add(self, friend: Friend, *, following: bool = True) -> Friend:
        """Register a user; `following` makes them a friend already (no webhook)."""
        self._state.add_friend(friend)
        if following:
            self._state.friends.follow(friend.user_id, self._state.clock.now())
        return friend

    def follow(self, user_id: str) -> dict[str, Any]:
        """The user adds the account (again): a follow event with a reply token."""
        now = self._state.clock.now()
        if self._state.friends.get(user_id) is None:
            raise NotAFriendError(user_id)
        unblocked = self._state.friends.follow(user_id, now)
        token = self._token(user_id, now)
        return self._emit(
            events.follow(self._base("follow", user_id, now), token, unblocked=unblocked)
        )

    def unfollow(self, user_id: str) -> dict[str, Any]:
        """The user blocks the account: an unfollow event, and nothing reaches them after."""
        friend = self._state.friends.get(user_id)
        if friend is None or not friend.following:
            raise NotAFriendError(user_id)
        self._state.friends.unfollow(friend.user_id)
        return self._emit(self._base("unfollow", user_id, self._state.clock.now()))

    def text(self, user_id: str, text: str) -> dict[str, Any]:
        """The user sends a text message."""
        return self._message(user_id, lambda mid, quote: events.text_content(mid, quote, text))

    def image(
        self, user_id: str, data: bytes | None = None, content_type: str = "image/png"
    ) -> dict[str, Any]:
        """The user sends a photo (a generated one unless `data` is given)."""
        now = self._state.clock.now()

        def content(mid: str, quote: str) -> dict[str, Any]:
            photo = data if data is not None else png(*PHOTO_SIZE, seed=int(mid) % 997)
            self._state.content.put(mid, photo, content_type, now)
            return events.image_content(mid, quote)

        return self._message(user_id, content)

    def location(
        self,
        user_id: str,
        latitude: float,
        longitude: float,
        title: str | None = None,
        address: str | None = None,
    ) -> dict[str, Any]:
        """The user sends a map pin."""
        return self._message(
            user_id,
            lambda mid, _q: events.location_content(mid, latitude, longitude, title, address),
        )

    def sticker(self, user_id: str, package_id: str, sticker_id: str) -> dict[str, Any]:
        """The user sends a sticker."""
        return self._message(
            user_id, lambda mid, quote: events.sticker_content(mid, quote, package_id, sticker_id)
        )

    def postback(
        self, user_id: str, data: str, params: dict[str, str] | None = None
    ) -> dict[str, Any]:
        """The user taps a postback action (with date/time picker `params`)."""
        self._friend(user_id)
        now = self._state.clock.now()
        token = self._token(user_id, now)
        return self._emit(
            events.postback(self._base("postback", user_id, now), token, data, params)
        )

    # --- helpers -------------------------------------------------------------------------

    def _message(self, user_id: str, content: Any) -> dict[str, Any]:
        self._friend(user_id)
        now = self._state.clock.now()
        mint = self._state.mint
        body = content(mint.message_id(), mint.quote_token())
        token = self._token(user_id, now)
        return self._emit(events.message(self._base("message", user_id, now), token, body))

    def _friend(self, user_id: str) -> Friend:
        friend = self._state.friends.get(user_id)
        if friend is None or not friend.reachable:
            raise NotAFriendError(user_id)
        return friend

    def _base(self, kind: str, user_id: str, now: datetime) -> Event:
        return events.base_event(kind, user_id, self._state.mint.event_id(), now)

    def _token(self, user_id: str, now: datetime) -> str:
        return self._state.replies.issue(self._state.mint.reply_token(), user_id, now)

    def _emit(self, event: Event) -> dict[str, Any]:
        self._webhooks.enqueue([event])
        out: dict[str, Any] = {"webhookEventId": event["webhookEventId"], "event": event}
        if "replyToken" in event:
            out["replyToken"] = event["replyToken"]
        if "message" in event:
            out["messageId"] = event["message"]["id"]
        return out
