"""One post at a time: create (with X's rules), delete, and look up."""

from __future__ import annotations

from typing import Any

from jun_engine.emulator import rules
from jun_engine.emulator.endpoints.call import Call
from jun_engine.emulator.fields import TWEET_LISTS
from jun_engine.emulator.ledger import WriteKind
from jun_engine.emulator.params import bad_body, check_known, id_value, shape_param
from jun_engine.emulator.problems import (
    DUPLICATE_CONTENT,
    REPLY_NOT_ALLOWED,
    forbidden,
    not_found,
    resource_not_found,
)
from jun_engine.emulator.records import Post
from jun_engine.emulator.render import post_includes, post_json
from jun_engine.emulator.state import UnknownPostError
from jun_engine.emulator.wire import Response

TOO_LONG = (
    "Your Tweet text is too long. For more information on how X determines text length "
    "see https://github.com/twitter/twitter-text."
)
REPLY_TARGET_GONE = "You attempted to reply to a Tweet that is deleted or not visible to you."
_SUPPORTED_KEYS = frozenset(
    {"text", "reply", "quote_tweet_id", "reply_settings", "for_super_followers_only", "nullcast"}
)


def create_post(call: Call) -> Response:
    """POST /2/tweets: `{"text", "reply": {"in_reply_to_tweet_id"}, "quote_tweet_id"}` -> 201."""
    check_known(call.request, ())
    body = call.body_object()
    text, reply_to, quote_id = _read_create_body(body)
    state = call.services.state
    with state.lock:
        parent = _reply_target(call, reply_to)
        if quote_id and state.find_post(quote_id) is None:
            raise forbidden("You attempted to quote a Tweet that is deleted or not visible to you.")
        if rules.too_long(text):
            raise forbidden(TOO_LONG)
        if rules.is_duplicate(state, call.user_id, text, state.clock.now()):
            raise forbidden(DUPLICATE_CONTENT)
        post = state.create_post(
            call.user_id,
            text,
            in_reply_to_id=parent.id if parent else None,
            quote_id=quote_id,
            via_api=True,
            visible_after=call.services.dice.late_by(),
        )
    call.services.ledger.charge_write(call.account, call.endpoint, _price_of(post, parent))
    return Response(
        201, {"data": {"id": post.id, "text": post.text, "edit_history_tweet_ids": [post.id]}}
    )


def _read_create_body(body: dict[str, Any]) -> tuple[str, str | None, str | None]:
    unknown = sorted(set(body) - _SUPPORTED_KEYS)
    if unknown:
        raise bad_body(f"The emulator does not support `{unknown[0]}` on posts", unknown[0], "")
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise bad_body("The `text` field must be a non-empty string", "text", str(text))
    reply = body.get("reply")
    reply_to: str | None = None
    if reply is not None:
        target = reply.get("in_reply_to_tweet_id") if isinstance(reply, dict) else None
        if not isinstance(target, str):
            raise bad_body("`reply.in_reply_to_tweet_id` must be a post id", "reply", str(reply))
        reply_to = id_value("in_reply_to_tweet_id", target, where="field")
    quote = body.get("quote_tweet_id")
    if quote is not None and not isinstance(quote, str):
        raise bad_body("`quote_tweet_id` must be a post id", "quote_tweet_id", str(quote))
    return text, reply_to, id_value("quote_tweet_id", quote, where="field") if quote else None


def _reply_target(call: Call, reply_to: str | None) -> Post | None:
    if reply_to is None:
        return None
    state = call.services.state
    try:
        parent = state.post(reply_to)
    except UnknownPostError:
        raise forbidden(REPLY_TARGET_GONE) from None
    if not rules.engaged(state, parent, call.user_id):
        raise forbidden(REPLY_NOT_ALLOWED)
    return parent


def _price_of(post: Post, parent: Post | None) -> WriteKind:
    if post.urls:
        return "post_create_with_url"
    if parent is not None and rules.summoned(parent, post.author_id):
        return "summoned_reply"
    return "post_create"


def delete_post(call: Call) -> Response:
    """DELETE /2/tweets/:id: the caller's own post only."""
    check_known(call.request, ())
    post_id = id_value("id", call.path["id"], where="path parameter")
    state = call.services.state
    with state.lock:
        post = state.find_post(post_id)
        if post is None or post.deleted:
            raise not_found("tweet", "id", post_id)
        if post.author_id != call.user_id:
            raise forbidden("You are not allowed to delete this Tweet.")
        state.delete_post(post_id)
    call.services.ledger.charge_write(call.account, call.endpoint, "post_delete")
    return Response(200, {"data": {"deleted": True}})


def lookup_post(call: Call) -> Response:
    """GET /2/tweets/:id: one post, or a 200 carrying X's not-found error."""
    check_known(call.request, TWEET_LISTS.keys())
    post_id = id_value("id", call.path["id"], where="path parameter")
    shape = shape_param(call.request, TWEET_LISTS)
    state = call.services.state
    post = state.find_post(post_id)
    if post is None or post.deleted:
        return Response(200, {"errors": [resource_not_found("tweet", "id", post_id)]})
    body: dict[str, Any] = {"data": post_json(post, shape.tweet_fields)}
    includes = post_includes(state, [post], shape)
    if includes:
        body["includes"] = includes
    call.services.ledger.charge_read(
        call.account,
        call.endpoint,
        "post",
        [post.id],
        day=state.clock.now().date(),
        app=call.principal.consumer_key,
        owned=post.author_id == call.account,
    )
    return Response(200, body)
