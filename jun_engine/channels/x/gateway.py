"""`XGateway`: one account's narrow door to X, speaking domain objects and the engine's errors.

Every call goes through tweepy with OAuth 1.0a user context, `wait_on_rate_limit=False` (the
engine's retry policy decides, with the reset time each `RateLimited` carries) and
`return_type=requests.Response`, so the gateway reads the rate-limit headers of every answer and
keeps each message's JSON exactly as X sent it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

import requests
import tweepy

from jun_engine.channels.results import Page, Post, PostedRef, RateLimit, SentDmRef, UserRef
from jun_engine.channels.x import fields, mapping
from jun_engine.channels.x.credentials import XCredentials
from jun_engine.channels.x.errors import channel_error
from jun_engine.channels.x.payload import Body, decode
from jun_engine.channels.x.ratelimit import rate_limit
from jun_engine.channels.x.session import DEFAULT_TIMEOUT, X_API_ORIGIN, RebasedSession, Timeout
from jun_engine.domain.errors import MalformedResponse
from jun_engine.domain.messages import InboundMessage

log = logging.getLogger(__name__)

__all__ = ["X_API_ORIGIN", "XGateway"]


@dataclass(frozen=True, slots=True)
class _Reply:
    body: Body
    rate_limit: RateLimit | None

    def page_of(self, items: tuple[Any, ...]) -> Page[Any]:
        meta = self.body.document.get("meta")
        meta = meta if isinstance(meta, dict) else {}
        problems = self.body.document.get("errors")
        return Page(
            items=items,
            result_count=_int(meta.get("result_count"), default=len(items)),
            newest_id=_opt(meta.get("newest_id")),
            oldest_id=_opt(meta.get("oldest_id")),
            next_token=_opt(meta.get("next_token")),
            rate_limit=self.rate_limit,
            problems=tuple(_problem_text(p) for p in problems or () if isinstance(p, dict)),
        )


class XGateway:
    """The X calls the engine makes, for the account whose `credentials` it holds."""

    def __init__(
        self,
        credentials: XCredentials,
        *,
        base_url: str = X_API_ORIGIN,
        timeout: Timeout = DEFAULT_TIMEOUT,
        expand_authors: bool = False,
    ) -> None:
        self.account_id = credentials.user_id
        self._credentials = credentials
        self._base_url = base_url
        self._timeout = timeout
        self._expand_authors = expand_authors
        self._client = tweepy.Client(
            consumer_key=credentials.consumer_key,
            consumer_secret=credentials.consumer_secret,
            access_token=credentials.access_token,
            access_token_secret=credentials.access_token_secret,
            return_type=requests.Response,
            wait_on_rate_limit=False,
        )
        self._client.session = RebasedSession(base_url, timeout)

    def clone(self) -> XGateway:
        """A gateway of its own for another thread (an HTTP session is not thread-safe)."""
        return XGateway(
            self._credentials,
            base_url=self._base_url,
            timeout=self._timeout,
            expand_authors=self._expand_authors,
        )

    def close(self) -> None:
        """Close the HTTP connections."""
        self._client.session.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # --- reads ---------------------------------------------------------------------------------

    def me(self) -> UserRef:
        """The authenticated account (`GET /2/users/me`)."""
        return mapping.user(self._call(self._client.get_me).body.single())

    def mentions(
        self,
        account_id: str,
        since_id: str | None = None,
        pagination_token: str | None = None,
        max_results: int = 100,
    ) -> Page[InboundMessage]:
        """Posts mentioning `account_id`, newest first (`since_id` exclusive; 5-100 a page)."""
        reply = self._call(
            self._client.get_users_mentions,
            account_id,
            since_id=since_id,
            pagination_token=pagination_token,
            max_results=max_results,
            **self._post_params(expand=self._expand_authors),
        )
        users = mapping.handles(reply.body.document)
        items = tuple(
            mapping.mention(item, raw, account_id=account_id, handles=users)
            for item, raw in reply.body.items()
        )
        return reply.page_of(items)

    def dm_events(
        self, pagination_token: str | None = None, max_results: int = 100
    ) -> Page[InboundMessage]:
        """This account's DM events (sent and received), newest first; there is no since_id."""
        expansions = [fields.DM_SENDER_EXPANSION] if self._expand_authors else None
        reply = self._call(
            self._client.get_direct_message_events,
            event_types="MessageCreate",
            dm_event_fields=list(fields.DM_EVENT_FIELDS),
            expansions=expansions,
            user_fields=list(fields.USER_FIELDS) if expansions else None,
            pagination_token=pagination_token,
            max_results=max_results,
        )
        users = mapping.handles(reply.body.document)
        items = tuple(
            mapping.dm_event(item, raw, account_id=self.account_id, handles=users)
            for item, raw in reply.body.items()
        )
        return reply.page_of(items)

    def user_posts(
        self,
        user_id: str,
        since_id: str | None = None,
        pagination_token: str | None = None,
        max_results: int = 100,
    ) -> Page[Post]:
        """`user_id`'s own posts, newest first: how the engine sees staff replies."""
        reply = self._call(
            self._client.get_users_tweets,
            user_id,
            since_id=since_id,
            pagination_token=pagination_token,
            max_results=max_results,
            **self._post_params(expand=False),
        )
        return reply.page_of(tuple(mapping.post(i, raw) for i, raw in reply.body.items()))

    def search_recent(
        self,
        query: str,
        since_id: str | None = None,
        next_token: str | None = None,
        max_results: int = 100,
    ) -> Page[Post]:
        """Posts of the last 7 days matching `query` (e.g. `conversation_id:1 from:handle`)."""
        reply = self._call(
            self._client.search_recent_tweets,
            query,
            since_id=since_id,
            next_token=next_token,
            max_results=max_results,
            **self._post_params(expand=False),
        )
        return reply.page_of(tuple(mapping.post(i, raw) for i, raw in reply.body.items()))

    # --- writes --------------------------------------------------------------------------------

    def create_post(self, text: str, in_reply_to: str | None = None) -> PostedRef:
        """Post `text`, as a reply to `in_reply_to` when given."""
        reply = self._call(self._client.create_tweet, text=text, in_reply_to_tweet_id=in_reply_to)
        data = reply.body.single()
        return PostedRef(
            id=_required(data, "id"), text=str(data.get("text", text)), rate_limit=reply.rate_limit
        )

    def send_dm(self, participant_id: str, text: str) -> SentDmRef:
        """Send `text` as a DM in the 1:1 conversation with `participant_id`."""
        reply = self._call(
            self._client.create_direct_message,
            participant_id=participant_id,
            text=text,
            sending_dm=True,
        )
        data = reply.body.single()
        return SentDmRef(
            event_id=_required(data, "dm_event_id"),
            conversation_id=_required(data, "dm_conversation_id"),
            rate_limit=reply.rate_limit,
        )

    def delete_post(self, post_id: str) -> bool:
        """Delete one of this account's posts; True when X confirms the deletion."""
        data = self._call(self._client.delete_tweet, post_id).body.single()
        return data.get("deleted") is True

    # --- plumbing ------------------------------------------------------------------------------

    @staticmethod
    def _post_params(*, expand: bool) -> dict[str, Any]:
        if not expand:
            return {"tweet_fields": list(fields.POST_FIELDS)}
        return {
            "tweet_fields": list(fields.POST_FIELDS),
            "expansions": [fields.AUTHOR_EXPANSION],
            "user_fields": list(fields.USER_FIELDS),
        }

    def _call(
        self, method: Callable[..., Any], *args: Any, sending_dm: bool = False, **kwargs: Any
    ) -> _Reply:
        name = getattr(method, "__name__", "call")
        try:
            response: requests.Response = method(*args, user_auth=True, **kwargs)
        except (tweepy.HTTPException, requests.RequestException) as exc:
            error = channel_error(exc, sending_dm=sending_dm)
            log.debug("X %s for %s failed: %s", name, self.account_id, error)
            raise error from exc
        log.debug("X %s for %s: HTTP %s", name, self.account_id, response.status_code)
        return _Reply(decode(response.content, response.status_code), rate_limit(response.headers))


def _required(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if value is None:
        raise MalformedResponse(f"the answer lacks `{key}`", request_sent=True)
    return str(value)


def _opt(value: object) -> str | None:
    return None if value is None else str(value)


def _int(value: object, *, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _problem_text(problem: dict[str, Any]) -> str:
    return str(problem.get("detail") or problem.get("message") or problem.get("title") or "")
