"""Webhook event objects as LINE writes them: follow, unfollow, message (text, image, location,
sticker) and postback, each from a user, with a ULID event id and (where LINE gives one) a
reply token."""

from __future__ import annotations

from datetime import datetime
from typing import Any

Event = dict[str, Any]


def base_event(kind: str, user_id: str, event_id: str, now: datetime) -> Event:
    """What every event has."""
    return {
        "type": kind,
        "mode": "active",
        "timestamp": int(now.timestamp() * 1000),
        "source": {"type": "user", "userId": user_id},
        "webhookEventId": event_id,
        "deliveryContext": {"isRedelivery": False},
    }


def follow(base: Event, reply_token: str, *, unblocked: bool) -> Event:
    """A user added the account as a friend (again, after blocking it: `isUnblocked`)."""
    return {**base, "replyToken": reply_token, "follow": {"isUnblocked": unblocked}}


def message(base: Event, reply_token: str, content: dict[str, Any]) -> Event:
    """A user sent a message; `content` is the message object (with its id)."""
    return {**base, "replyToken": reply_token, "message": content}


def postback(
    base: Event, reply_token: str, data: str, params: dict[str, str] | None = None
) -> Event:
    """A user tapped a postback action (a date/time picker adds `params`)."""
    content: dict[str, Any] = {"data": data}
    if params:
        content["params"] = params
    return {**base, "replyToken": reply_token, "postback": content}


def text_content(message_id: str, quote_token: str, text: str) -> dict[str, Any]:
    """A text message object."""
    return {"id": message_id, "type": "text", "text": text, "quoteToken": quote_token}


def image_content(message_id: str, quote_token: str) -> dict[str, Any]:
    """A photo kept by LINE: download it from the data host by message id."""
    return {
        "id": message_id,
        "type": "image",
        "contentProvider": {"type": "line"},
        "quoteToken": quote_token,
    }


def location_content(
    message_id: str, latitude: float, longitude: float, title: str | None, address: str | None
) -> dict[str, Any]:
    """A map pin."""
    out: dict[str, Any] = {
        "id": message_id,
        "type": "location",
        "latitude": latitude,
        "longitude": longitude,
    }
    if title:
        out["title"] = title
    if address:
        out["address"] = address
    return out


def sticker_content(
    message_id: str, quote_token: str, package_id: str, sticker_id: str
) -> dict[str, Any]:
    """A sticker."""
    return {
        "id": message_id,
        "type": "sticker",
        "packageId": package_id,
        "stickerId": sticker_id,
        "stickerResourceType": "STATIC",
        "quoteToken": quote_token,
    }
