"""LINE webhook events as the engine takes them: a resident's message (a domain `InboundMessage`
with the reply token that came with it), a follow, an unfollow, or something to acknowledge and
ignore.

A 1:1 chat is private: every message is a DM to the official account (`destination`) from the
user, in the conversation named by the user's id, sent at the event's `timestamp`. Its platform
id is the message id for message events (an image set: one event, one id, per photo), else the
`webhookEventId`; `raw` is the event's JSON exactly as received. Text comes from the parsed JSON.
Events LINE's webhook.yml says must be there are checked; a broken one raises `BodyError`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from jun_engine.channels.line.body import BodyError, RawEvent
from jun_engine.domain.messages import Channel, InboundMessage, MessageKind, Place

log = logging.getLogger(__name__)

ID_MAX = 64
"""The longest id the store keeps (`ID_LENGTH`); LINE's are far shorter."""
TOKEN_MAX = 255


@dataclass(frozen=True, slots=True)
class Message:
    """A resident wrote, sent a photo or a map pin, or pressed a button."""

    message: InboundMessage
    event_id: str
    reply_token: str | None


@dataclass(frozen=True, slots=True)
class Follow:
    """A user added the official account (or unblocked it): the moment for a welcome."""

    user_id: str
    event_id: str
    reply_token: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class Unfollow:
    """A user blocked the official account: nothing may be pushed to them any more."""

    user_id: str
    event_id: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Ignored:
    """An event the engine acknowledges and does nothing with (a sticker, a group, ...)."""

    event_id: str
    type: str


LineEvent = Message | Follow | Unfollow | Ignored


def line_event(event: RawEvent, bot_user_id: str) -> LineEvent:
    """What `event`, received for `bot_user_id`, is to the engine (or `BodyError`)."""
    data = event.data
    kind = _string(data, "type")
    event_id = _id(data, "webhookEventId")
    at = _timestamp(data)
    _check_delivery_context(data)
    user_id = _user(data)
    if user_id is None:
        return _ignored(event_id, kind, "not from a user's 1:1 chat")
    if kind == "follow":
        _object(data, "follow")
        return Follow(user_id, event_id, _token(data), at)
    if kind == "unfollow":
        return Unfollow(user_id, event_id, at)
    if kind == "message":
        return _message(event, bot_user_id, user_id, event_id, at)
    if kind == "postback":
        return _postback(event, bot_user_id, user_id, event_id, at)
    return _ignored(event_id, kind, "not a kind the engine takes")


def _message(
    event: RawEvent, bot: str, user_id: str, event_id: str, at: datetime
) -> Message | Ignored:
    content = _object(event.data, "message")
    kind = _string(content, "type")
    message_id = _id(content, "id")
    if kind == "text":
        fields: dict[str, Any] = {"text": _string(content, "text")}
    elif kind == "image":
        fields = {"text": "", "attachments": (message_id,)}
    elif kind == "location":
        fields = _location(content)
    else:  # stickers, video, audio, files: nothing the town acts on
        return _ignored(event_id, f"message/{kind}", "not a message the engine takes")
    message = _domain(event, bot, user_id, message_id, at, **fields)
    return Message(message, event_id, _token(event.data))


def _postback(event: RawEvent, bot: str, user_id: str, event_id: str, at: datetime) -> Message:
    postback = _object(event.data, "postback")
    data = _string(postback, "data")
    params = postback.get("params")
    if params is not None and not isinstance(params, dict):
        raise BodyError("postback.params is not an object")
    label = postback.get("displayText") or postback.get("label") or ""
    if not isinstance(label, str):
        raise BodyError("postback.displayText is not a string")
    message = _domain(event, bot, user_id, event_id, at, text=label, action=data)
    return Message(message, event_id, _token(event.data))


def _location(content: dict[str, Any]) -> dict[str, Any]:
    latitude, longitude = content.get("latitude"), content.get("longitude")
    for name, value, bound in (("latitude", latitude, 90), ("longitude", longitude, 180)):
        if isinstance(value, bool) or not isinstance(value, int | float) or abs(value) > bound:
            raise BodyError(f"message.{name} is not a coordinate")
    title, address = content.get("title"), content.get("address")
    if not isinstance(title, str | None) or not isinstance(address, str | None):
        raise BodyError("message.title or message.address is not a string")
    place = Place(float(latitude), float(longitude), title or address or None)  # type: ignore[arg-type]
    return {"text": address or "", "place": place}


def _domain(
    event: RawEvent, bot: str, user_id: str, platform_id: str, at: datetime, **fields: Any
) -> InboundMessage:
    return InboundMessage(
        channel=Channel.LINE,
        kind=MessageKind.DM,
        platform_id=platform_id,
        account_id=bot,
        author_id=user_id,
        created_at=at,
        conversation_id=user_id,
        raw=event.raw,
        **fields,
    )


def _ignored(event_id: str, kind: str, why: str) -> Ignored:
    log.debug("LINE event %s (%s) acknowledged and ignored: %s", event_id, kind[:40], why)
    return Ignored(event_id, kind)


def _user(data: dict[str, Any]) -> str | None:
    source = data.get("source")
    if source is None:
        return None
    if not isinstance(source, dict) or not isinstance(source.get("type"), str):
        raise BodyError("source is not a source object")
    if source["type"] != "user":
        return None
    return _id(source, "userId")


def _check_delivery_context(data: dict[str, Any]) -> None:
    context = _object(data, "deliveryContext")
    if not isinstance(context.get("isRedelivery"), bool):
        raise BodyError("deliveryContext.isRedelivery is not a boolean")
    if not isinstance(data.get("mode"), str):
        raise BodyError("mode is missing")


def _timestamp(data: dict[str, Any]) -> datetime:
    value = data.get("timestamp")
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**53:
        raise BodyError("timestamp is not milliseconds since the epoch")
    return datetime.fromtimestamp(value / 1000, UTC)


def _token(data: dict[str, Any]) -> str | None:
    token = data.get("replyToken")
    if token is None:
        return None
    if not isinstance(token, str) or not 0 < len(token) <= TOKEN_MAX:
        raise BodyError("replyToken is not a reply token")
    return token


def _object(data: dict[str, Any], name: str) -> dict[str, Any]:
    value = data.get(name)
    if not isinstance(value, dict):
        raise BodyError(f"{name} is missing or not an object")
    return value


def _string(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str):
        raise BodyError(f"{name} is missing or not a string")
    return value


def _id(data: dict[str, Any], name: str) -> str:
    value = _string(data, name)
    if not value or len(value) > ID_MAX or not value.isprintable() or " " in value:
        raise BodyError(f"{name} is not an id")
    return value
