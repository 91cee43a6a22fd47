"""Lists of posts: a user's mentions, a user's own posts, and recent search."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from jun_engine.emulator.endpoints.call import Call
from jun_engine.emulator.fields import TWEET_LISTS
from jun_engine.emulator.paging import cursor_token, page_of, read_token
from jun_engine.emulator.params import (
    check_exclusive,
    check_known,
    id_param,
    id_value,
    int_param,
    list_param,
    shape_param,
    time_param,
)
from jun_engine.emulator.problems import invalid_request, resource_not_found
from jun_engine.emulator.records import Post
from jun_engine.emulator.render import post_includes, post_json
from jun_engine.emulator.state import State
from jun_engine.emulator.wire import Response

SEARCH_WINDOW = timedelta(days=7)

_TIMELINE_PARAMS = frozenset(
    {"since_id", "until_id", "max_results", "pagination_token", "start_time", "end_time"}
)
_SEARCH_PARAMS = frozenset(
    {
        "query",
        "since_id",
        "until_id",
        "max_results",
        "next_token",
        "pagination_token",
        "start_time",
        "end_time",
        "sort_order",
    }
)


def mentions(call: Call) -> Response:
    """GET /2/users/:id/mentions: posts mentioning the user, explicitly or by reply chain."""
    check_known(call.request, _TIMELINE_PARAMS | TWEET_LISTS.keys())
    user_id = id_value("id", call.path["id"], where="path parameter")
    limit = int_param(call.request, "max_results", 5, 100, 10)
    state = call.services.state
    if state.find_user(user_id) is None:
        return _missing_user(user_id)
    candidates = state.mentions_of(user_id, state.clock.now())
    return _post_list(call, candidates, limit, "pagination_token", owned=user_id == call.account)


def user_tweets(call: Call) -> Response:
    """GET /2/users/:id/tweets: the user's own posts, newest first."""
    check_known(call.request, _TIMELINE_PARAMS | {"exclude"} | TWEET_LISTS.keys())
    user_id = id_value("id", call.path["id"], where="path parameter")
    limit = int_param(call.request, "max_results", 5, 100, 10)
    excluded = list_param(call.request, "exclude", frozenset({"replies", "retweets"}))
    state = call.services.state
    if state.find_user(user_id) is None:
        return _missing_user(user_id)
    posts = state.posts_by(user_id)
    if "replies" in excluded:
        posts = [p for p in posts if p.in_reply_to_id is None]
    return _post_list(call, posts, limit, "pagination_token", owned=user_id == call.account)


def search_recent(call: Call) -> Response:
    """GET /2/tweets/search/recent: the last 7 days, filtered by the query's operators."""
    request = call.request
    check_known(request, _SEARCH_PARAMS | TWEET_LISTS.keys())
    check_exclusive(request, "next_token", "pagination_token")
    query = request.param("query")
    if not query or len(query) > 4096:
        raise invalid_request(
            "The `query` query parameter must be between 1 and 4096 characters",
            {"query": [query or ""]},
        )
    sort = request.param("sort_order")
    if sort is not None and sort not in ("recency", "relevancy"):
        raise invalid_request(
            f"The `sort_order` query parameter value [{sort}] is not one of [recency,relevancy]",
            {"sort_order": [sort]},
        )
    limit = int_param(request, "max_results", 10, 100, 10)
    match = _query_matcher(call, query)
    state = call.services.state
    now = state.clock.now()
    found = [p for p in state.timeline(now - SEARCH_WINDOW) if match(p)]
    token_name = "pagination_token" if request.param("pagination_token") else "next_token"
    return _post_list(call, found, limit, token_name, owned=False)


def _missing_user(user_id: str) -> Response:
    return Response(200, {"errors": [resource_not_found("user", "id", user_id)]})


def _post_list(
    call: Call, posts: Sequence[Post], limit: int, token_name: str, *, owned: bool
) -> Response:
    request = call.request
    services = call.services
    shape = shape_param(request, TWEET_LISTS)
    since_id, until_id = id_param(request, "since_id"), id_param(request, "until_id")
    token = request.param(token_name)
    after = read_token(token_name, token) if token is not None else None
    start, end = time_param(request, "start_time"), time_param(request, "end_time")
    if start or end:
        posts = [p for p in posts if _within(p.created_at, start, end)]
    page = page_of(
        posts, lambda p: p.id, limit=limit, since_id=since_id, until_id=until_id, after=after
    )
    body: dict[str, Any] = {}
    meta: dict[str, Any] = {"result_count": len(page.items)}
    if page.items:
        body["data"] = [post_json(p, shape.tweet_fields) for p in page.items]
        includes = post_includes(services.state, page.items, shape)
        if includes:
            body["includes"] = includes
        meta["newest_id"], meta["oldest_id"] = page.items[0].id, page.items[-1].id
        next_after = page.next_after
        if next_after and services.dice.roll(services.dice.spec.repeat):
            next_after = str(int(page.items[0].id) + 1)  # fault: the next page repeats this one
        if next_after:
            meta["next_token"] = cursor_token(next_after)
    body["meta"] = meta
    services.ledger.charge_read(
        call.account,
        call.endpoint,
        "post",
        [p.id for p in page.items],
        day=services.state.clock.now().date(),
        app=call.principal.consumer_key,
        owned=owned,
    )
    return Response(200, body)


def _within(moment: datetime, start: datetime | None, end: datetime | None) -> bool:
    return (start is None or moment >= start) and (end is None or moment < end)


_OPERATOR = re.compile(r"^(-?)([a-z_]+):(.+)$")


def _query_matcher(call: Call, query: str) -> Callable[[Post], bool]:
    """A predicate for the operators the emulator knows: conversation_id, from, to, is, words."""
    state = call.services.state
    tests = [_term(state, term, query) for term in query.split()]
    return lambda post: all(test(post) for test in tests)


def _term(state: State, term: str, query: str) -> Callable[[Post], bool]:
    if term.startswith("@"):
        return _mentions(term[1:].lower())
    operator = _OPERATOR.match(term)
    if operator is None:
        return _contains(term.strip('"').lower())
    negate, name, value = operator.groups()
    test = _operator(state, name, value, query)
    return _negated(test) if negate else test


def _mentions(handle: str) -> Callable[[Post], bool]:
    return lambda post: any(m.value.lower() == handle for m in post.mentions)


def _contains(word: str) -> Callable[[Post], bool]:
    return lambda post: word in post.text.lower()


def _negated(test: Callable[[Post], bool]) -> Callable[[Post], bool]:
    return lambda post: not test(post)


def _operator(state: State, name: str, value: str, query: str) -> Callable[[Post], bool]:
    if name == "conversation_id":
        return lambda p: p.conversation_id == value
    if name in ("from", "to"):
        user = state.user_by_handle(value.lstrip("@"))
        user_id = user.id if user else value
        if name == "from":
            return lambda p: p.author_id == user_id
        return lambda p: p.in_reply_to_user_id == user_id
    if name == "is" and value in ("reply", "retweet", "quote"):
        kinds: dict[str, Callable[[Post], bool]] = {
            "reply": lambda p: p.in_reply_to_id is not None,
            "retweet": lambda p: False,
            "quote": lambda p: p.quote_id is not None,
        }
        return kinds[value]
    raise invalid_request(
        f"There were errors processing your request: Reference to invalid operator '{name}'",
        {"query": [query]},
    )
