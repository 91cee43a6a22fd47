"""X payloads (decoded JSON objects) to domain objects: pure functions, no I/O, no tweepy types.

X sends only the fields a request asks for. The gateway always asks for what the engine needs
(see `fields.py`), but these functions also read bare payloads, such as the recorded real
responses, where only `id` and `text` are guaranteed: a missing `created_at` is read from the
id (X ids are snowflakes), missing `entities` leave hashtags to be read from the text, and a
missing author is "".
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from jun_engine.channels.results import Post, UserRef
from jun_engine.domain.errors import MalformedResponse
from jun_engine.domain.messages import Channel, InboundMessage, MessageKind

JsonObject = Mapping[str, Any]

_SNOWFLAKE_EPOCH = datetime(2010, 11, 4, 1, 42, 54, 657000, tzinfo=UTC)
_HASH_SIGNS = "#＃"


def mention(
    item: JsonObject, raw: str, *, account_id: str, handles: Mapping[str, str]
) -> InboundMessage:
    """A post from `GET /2/users/:id/mentions` that reached `account_id`."""
    author = str(item.get("author_id", ""))
    return InboundMessage(
        channel=Channel.X,
        kind=MessageKind.MENTION,
        platform_id=_id(item),
        account_id=account_id,
        author_id=author,
        text=full_text(item),
        created_at=created_at(item),
        author_handle=handles.get(author),
        conversation_id=_opt_str(item.get("conversation_id")),
        in_reply_to_id=referenced(item, "replied_to"),
        mentioned_ids=mentioned_ids(item.get("entities")),
        quoted_id=referenced(item, "quoted"),
        hashtags=hashtags(item.get("entities"), full_text(item)),
        raw=raw,
    )


def dm_event(
    item: JsonObject, raw: str, *, account_id: str, handles: Mapping[str, str]
) -> InboundMessage:
    """A `MessageCreate` event from `GET /2/dm_events`, as seen by `account_id`.

    Both directions come back (X returns the account's sent DMs too); `author_id` is the sender,
    so the intake can drop the account's own.
    """
    sender = str(item.get("sender_id", ""))
    text = str(item.get("text", ""))
    entities = item.get("entities", _dm_entities(item))
    return InboundMessage(
        channel=Channel.X,
        kind=MessageKind.DM,
        platform_id=_id(item),
        account_id=account_id,
        author_id=sender,
        text=text,
        created_at=created_at(item),
        author_handle=handles.get(sender),
        conversation_id=_opt_str(item.get("dm_conversation_id")),
        mentioned_ids=mentioned_ids(entities),
        quoted_id=_first_referenced_post(item),
        hashtags=hashtags(entities, text),
        raw=raw,
    )


def post(item: JsonObject, raw: str) -> Post:
    """A post from a user's timeline or a search."""
    text = full_text(item)
    return Post(
        id=_id(item),
        author_id=str(item.get("author_id", "")),
        text=text,
        created_at=created_at(item),
        conversation_id=_opt_str(item.get("conversation_id")),
        in_reply_to_id=referenced(item, "replied_to"),
        quoted_id=referenced(item, "quoted"),
        mentioned_ids=mentioned_ids(item.get("entities")),
        hashtags=hashtags(item.get("entities"), text),
        raw=raw,
    )


def user(item: JsonObject) -> UserRef:
    """A user object (`users/me`, `includes.users`)."""
    return UserRef(
        id=_id(item), handle=str(item.get("username", "")), name=str(item.get("name", ""))
    )


def handles(document: JsonObject) -> dict[str, str]:
    """User id -> handle for every user expanded in `includes.users`."""
    includes = document.get("includes")
    users = includes.get("users", []) if isinstance(includes, Mapping) else []
    return {
        str(u["id"]): str(u["username"])
        for u in users
        if isinstance(u, Mapping) and "id" in u and "username" in u
    }


def full_text(item: JsonObject) -> str:
    """The whole text: a long post's `note_tweet.text` when present, else `text`."""
    note = item.get("note_tweet")
    if isinstance(note, Mapping) and isinstance(note.get("text"), str):
        return str(note["text"])
    return str(item.get("text", ""))


def created_at(item: JsonObject) -> datetime:
    """`created_at` when sent, else the time encoded in the snowflake id (ms precision)."""
    stamp = item.get("created_at")
    if isinstance(stamp, str):
        try:
            return datetime.fromisoformat(stamp).astimezone(UTC)
        except ValueError as exc:
            raise MalformedResponse(f"bad created_at {stamp!r}", request_sent=True) from exc
    return snowflake_time(_id(item))


def snowflake_time(snowflake: str) -> datetime:
    """When an X snowflake id was minted."""
    return _SNOWFLAKE_EPOCH + timedelta(milliseconds=int(snowflake) >> 22)


def referenced(item: JsonObject, kind: str) -> str | None:
    """The id of the post this one `replied_to` / `quoted` / `retweeted`, if any."""
    for ref in item.get("referenced_tweets") or ():
        if isinstance(ref, Mapping) and ref.get("type") == kind and "id" in ref:
            return str(ref["id"])
    return None


def mentioned_ids(entities: object) -> tuple[str, ...]:
    """Ids of the users @mentioned in the text, in order, without repeats."""
    if not isinstance(entities, Mapping):
        return ()
    found = (m.get("id") for m in entities.get("mentions") or () if isinstance(m, Mapping))
    return tuple(dict.fromkeys(str(i) for i in found if i is not None))


def hashtags(entities: object, text: str) -> tuple[str, ...]:
    """The hashtags with their '#', from `entities` when sent, else read from the text."""
    if isinstance(entities, Mapping):
        tags = (h.get("tag") for h in entities.get("hashtags") or () if isinstance(h, Mapping))
        return tuple(dict.fromkeys(f"#{t}" for t in tags if isinstance(t, str) and t))
    return hashtags_in_text(text)


def hashtags_in_text(text: str) -> tuple[str, ...]:
    """Hashtags as X finds them: '#' after a non-word character, then word characters
    (letters with their combining marks, digits, '_') that are not all digits."""
    found: list[str] = []
    pos = 0
    while (pos := _next_hash(text, pos)) >= 0:
        end = pos + 1
        while end < len(text) and _is_tag_char(text[end]):
            end += 1
        tag = text[pos + 1 : end]
        preceded = pos > 0 and (_is_tag_char(text[pos - 1]) or text[pos - 1] == "&")
        if tag and not tag.isdigit() and not preceded:
            found.append("#" + tag)
        pos = end
    return tuple(dict.fromkeys(found))


def _next_hash(text: str, start: int) -> int:
    positions = [p for p in (text.find(sign, start) for sign in _HASH_SIGNS) if p >= 0]
    return min(positions, default=-1)


def _is_tag_char(char: str) -> bool:
    return char.isalnum() or char == "_" or unicodedata.category(char).startswith("M")


def _dm_entities(item: JsonObject) -> object:
    # X's DmEvent schema carries hashtags/mentions at the top level rather than in `entities`.
    if "hashtags" in item or "mentions" in item:
        return {"hashtags": item.get("hashtags"), "mentions": item.get("mentions")}
    return None


def _first_referenced_post(item: JsonObject) -> str | None:
    for ref in item.get("referenced_tweets") or ():
        if isinstance(ref, Mapping) and "id" in ref:
            return str(ref["id"])
    return None


def _id(item: JsonObject) -> str:
    value = item.get("id")
    text = str(value) if isinstance(value, str | int) else ""
    if not (text.isascii() and text.isdigit()):
        raise MalformedResponse(f"an item has no valid id ({value!r})", request_sent=True)
    return text


def _opt_str(value: object) -> str | None:
    return None if value is None else str(value)
