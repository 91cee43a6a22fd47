"""The X endpoints the emulator serves: method, OpenAPI path template, limits key, function."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from jun_engine.emulator.endpoints import dms, posts, timelines, users
from jun_engine.emulator.endpoints.call import Call
from jun_engine.emulator.wire import Response


@dataclass(frozen=True, slots=True)
class Route:
    """One endpoint: what it matches and what it needs."""

    method: str
    template: str
    endpoint: str
    """The key of its rate limits and ledger lines."""
    handler: Callable[[Call], Response]
    user_only: bool = False
    """Refused (403) for an app-only bearer token."""
    needs_dm: bool = False
    """Refused (403) for a token without DM permission."""

    @property
    def pattern(self) -> re.Pattern[str]:
        """The template as a regular expression with named groups."""
        return template_pattern(self.template)


def template_pattern(template: str) -> re.Pattern[str]:
    """An OpenAPI path template (`/2/users/{id}`) as a regular expression with named groups."""
    return re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template) + "$")


ROUTES: tuple[Route, ...] = (
    Route("GET", "/2/users/me", "users_me", users.users_me, user_only=True),
    Route("GET", "/2/users/{id}/mentions", "mentions", timelines.mentions),
    Route("GET", "/2/users/{id}/tweets", "user_tweets", timelines.user_tweets),
    Route("GET", "/2/tweets/search/recent", "search_recent", timelines.search_recent),
    Route("POST", "/2/tweets", "tweet_create", posts.create_post, user_only=True),
    Route("GET", "/2/tweets/{id}", "tweet_lookup", posts.lookup_post),
    Route("DELETE", "/2/tweets/{id}", "tweet_delete", posts.delete_post, user_only=True),
    Route("GET", "/2/dm_events", "dm_events", dms.dm_events, user_only=True, needs_dm=True),
    Route(
        "POST",
        "/2/dm_conversations/with/{participant_id}/messages",
        "dm_create",
        dms.send_dm,
        user_only=True,
        needs_dm=True,
    ),
)


class Routable(Protocol):
    """What a router needs of a route: its method and path pattern."""

    @property
    def method(self) -> str: ...

    @property
    def pattern(self) -> re.Pattern[str]: ...


R = TypeVar("R", bound=Routable)


class PatternRouter(Generic[R]):
    """Finds the route of a method and path (precompiled, in table order)."""

    def __init__(self, routes: tuple[R, ...]) -> None:
        self._compiled = [(route, route.pattern) for route in routes]

    def match(self, method: str, path: str) -> tuple[R, dict[str, str]] | None:
        """The route and path values, or None when no route has this path and method."""
        for route, pattern in self._compiled:
            found = pattern.match(path)
            if found and route.method == method:
                return route, found.groupdict()
        return None

    def knows_path(self, path: str) -> bool:
        """True when some route has this path (with another method, say)."""
        return any(pattern.match(path) for _, pattern in self._compiled)


class Router(PatternRouter[Route]):
    """The X API's router."""

    def __init__(self, routes: tuple[Route, ...] = ROUTES) -> None:
        super().__init__(routes)
