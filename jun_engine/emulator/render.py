"""Records to X's JSON: posts, users and DM events with exactly the fields a request asked for."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from jun_engine.emulator.records import DmEvent, Entity, Post, User
from jun_engine.emulator.state import State


def timestamp(moment: datetime) -> str:
    """X's date-time form: 2021-01-06T18:40:40.000Z."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@dataclass(frozen=True, slots=True)
class Shape:
    """Which fields and expansions a request asked for."""

    tweet_fields: frozenset[str] = frozenset()
    user_fields: frozenset[str] = frozenset()
    dm_fields: frozenset[str] = frozenset()
    expansions: frozenset[str] = frozenset()


def post_json(post: Post, fields: frozenset[str]) -> dict[str, Any]:
    """A post with id, text, edit_history_tweet_ids and the requested fields X knows here."""
    out: dict[str, Any] = {"id": post.id, "text": post.text, "edit_history_tweet_ids": [post.id]}
    if "author_id" in fields:
        out["author_id"] = post.author_id
    if "conversation_id" in fields:
        out["conversation_id"] = post.conversation_id
    if "created_at" in fields:
        out["created_at"] = timestamp(post.created_at)
    if "in_reply_to_user_id" in fields and post.in_reply_to_user_id:
        out["in_reply_to_user_id"] = post.in_reply_to_user_id
    if "referenced_tweets" in fields and (refs := _references(post)):
        out["referenced_tweets"] = refs
    if "entities" in fields and (entities := _entities(post)):
        out["entities"] = entities
    if "reply_settings" in fields:
        out["reply_settings"] = "everyone"
    if "possibly_sensitive" in fields:
        out["possibly_sensitive"] = False
    if "lang" in fields:
        out["lang"] = "und"
    if "public_metrics" in fields:
        out["public_metrics"] = dict.fromkeys(
            (
                "retweet_count",
                "reply_count",
                "like_count",
                "quote_count",
                "bookmark_count",
                "impression_count",
            ),
            0,
        )
    if "edit_controls" in fields:
        out["edit_controls"] = {
            "is_edit_eligible": False,
            "editable_until": timestamp(post.created_at),
            "edits_remaining": 0,
        }
    return out


def _references(post: Post) -> list[dict[str, str]]:
    refs: list[dict[str, str]] = []
    if post.in_reply_to_id:
        refs.append({"type": "replied_to", "id": post.in_reply_to_id})
    if post.quote_id:
        refs.append({"type": "quoted", "id": post.quote_id})
    return refs


def _entities(post: Post) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    if post.mentions:
        out["mentions"] = [_mention(m) for m in post.mentions]
    if post.hashtags:
        out["hashtags"] = [{"start": h.start, "end": h.end, "tag": h.value} for h in post.hashtags]
    if post.urls:
        out["urls"] = [_url(u) for u in post.urls]
    return out


def _mention(entity: Entity) -> dict[str, Any]:
    out: dict[str, Any] = {"start": entity.start, "end": entity.end, "username": entity.value}
    if entity.user_id:
        out["id"] = entity.user_id
    return out


def _url(entity: Entity) -> dict[str, Any]:
    expanded = entity.value if "://" in entity.value else f"https://{entity.value}"
    return {
        "start": entity.start,
        "end": entity.end,
        "url": expanded,
        "expanded_url": expanded,
        "display_url": expanded.split("://", 1)[1],
    }


def user_json(user: User, fields: frozenset[str]) -> dict[str, Any]:
    """A user with id, name, username and the requested fields X knows here."""
    out: dict[str, Any] = {"id": user.id, "name": user.name, "username": user.username}
    if "created_at" in fields:
        out["created_at"] = timestamp(user.created_at)
    if "description" in fields:
        out["description"] = user.description
    if "protected" in fields:
        out["protected"] = user.protected
    if "verified" in fields:
        out["verified"] = user.verified
    if "verified_type" in fields:
        out["verified_type"] = "blue" if user.verified else "none"
    if "public_metrics" in fields:
        out["public_metrics"] = dict.fromkeys(
            ("followers_count", "following_count", "tweet_count", "listed_count"), 0
        )
    return out


def dm_json(event: DmEvent, fields: frozenset[str]) -> dict[str, Any]:
    """A DM event with id, event_type, text (X's defaults) and the requested fields."""
    out: dict[str, Any] = {"id": event.id, "event_type": "MessageCreate", "text": event.text}
    if "created_at" in fields:
        out["created_at"] = timestamp(event.created_at)
    if "dm_conversation_id" in fields:
        out["dm_conversation_id"] = event.conversation_id
    if "sender_id" in fields:
        out["sender_id"] = event.sender_id
    if "participant_ids" in fields:
        out["participant_ids"] = [event.sender_id, event.recipient_id]
    return out


def post_includes(state: State, posts: Iterable[Post], shape: Shape) -> dict[str, Any]:
    """The `includes` object for a list of posts: users and posts the expansions name."""
    user_ids: dict[str, None] = {}
    tweets: dict[str, Post] = {}
    wanted = shape.expansions
    for post in posts:
        if "author_id" in wanted:
            user_ids[post.author_id] = None
        if "in_reply_to_user_id" in wanted and post.in_reply_to_user_id:
            user_ids[post.in_reply_to_user_id] = None
        if "entities.mentions.username" in wanted:
            user_ids.update((m.user_id, None) for m in post.mentions if m.user_id)
        if wanted & {"referenced_tweets.id", "referenced_tweets.id.author_id"}:
            for ref in filter(None, (post.in_reply_to_id, post.quote_id)):
                found = state.find_post(ref)
                if found is not None and not found.deleted:
                    tweets[found.id] = found
    if "referenced_tweets.id.author_id" in wanted:
        user_ids.update((t.author_id, None) for t in tweets.values())
    return _includes(state, user_ids, tweets.values(), shape)


def dm_includes(state: State, events: Iterable[DmEvent], shape: Shape) -> dict[str, Any]:
    """The `includes` object for DM events: the senders or participants asked for."""
    user_ids: dict[str, None] = {}
    for event in events:
        if "sender_id" in shape.expansions:
            user_ids[event.sender_id] = None
        if "participant_ids" in shape.expansions:
            user_ids.update({event.sender_id: None, event.recipient_id: None})
    return _includes(state, user_ids, (), shape)


def _includes(
    state: State, user_ids: dict[str, None], tweets: Iterable[Post], shape: Shape
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    users = [u for u in (state.find_user(i) for i in user_ids) if u is not None]
    if users:
        out["users"] = [user_json(u, shape.user_fields) for u in users]
    posts = [post_json(t, shape.tweet_fields) for t in tweets]
    if posts:
        out["tweets"] = posts
    return out
