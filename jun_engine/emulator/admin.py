"""The admin API under /_emulator/ (a path X does not use): act as residents, read, step time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

from jun_engine.emulator.faults import FaultDice, FaultSpec, FaultSpecError
from jun_engine.emulator.ledger import Ledger
from jun_engine.emulator.limits import RateLimiter
from jun_engine.emulator.records import conversation_id_for
from jun_engine.emulator.render import timestamp
from jun_engine.emulator.sink import StateSink, dm_view, post_view
from jun_engine.emulator.state import State, UnknownPostError, UnknownUserError
from jun_engine.emulator.town_api import DmView, PostView
from jun_engine.emulator.wire import Request, Response, unencodable_field

PREFIX = "/_emulator/"


class AdminError(Exception):
    """A bad admin request: the message says what to send instead."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class Admin:
    """Serves /_emulator/...: the same operations as the TownSink, plus reading and control."""

    def __init__(
        self,
        state: State,
        ledger: Ledger,
        limiter: RateLimiter,
        dice: FaultDice,
        accounts: dict[str, str],
    ) -> None:
        self._state = state
        self._sink = StateSink(state, dice)
        self._ledger = ledger
        self._limiter = limiter
        self._dice = dice
        self._accounts = accounts
        """user id -> accounts.yaml key, for every configured account."""
        self._routes: dict[tuple[str, str], Callable[[Request], Response]] = {
            ("POST", "users"): self._add_user,
            ("POST", "tweets"): self._tweet,
            ("POST", "dms"): self._dm,
            ("GET", "posts"): self._posts,
            ("GET", "dms"): self._dms,
            ("GET", "ledger"): self._ledger_view,
            ("GET", "stats"): self._stats,
            ("GET", "clock"): self._clock,
            ("POST", "clock/step"): self._step,
            ("GET", "faults"): self._faults,
            ("POST", "faults"): self._set_faults,
            ("POST", "limits/reset"): self._reset_limits,
        }

    def handle(self, request: Request) -> Response:
        """Answer an admin request; errors are `{"error": message}` with a 4xx status."""
        name = request.path[len(PREFIX) :].strip("/")
        handler = self._routes.get((request.method, name))
        if handler is None:
            known = ", ".join(f"{m} {PREFIX}{n}" for m, n in self._routes)
            return Response(
                404, {"error": f"no admin endpoint {request.method} {request.path}; known: {known}"}
            )
        try:
            return handler(request)
        except AdminError as error:
            return Response(error.status, {"error": str(error)})
        except (UnknownUserError, UnknownPostError) as error:
            return Response(404, {"error": str(error)})

    # --- acting as people in the X app ---------------------------------------------------

    def _add_user(self, request: Request) -> Response:
        body = _body(request)
        handle = _text(body, "handle")
        user_id = self._sink.add_user(handle, str(body.get("name") or handle))
        return Response(201, {"id": user_id, "handle": handle})

    def _tweet(self, request: Request) -> Response:
        body = _body(request)
        post_id = self._sink.tweet(
            self._user_ref(body, "author"),
            _text(body, "text"),
            in_reply_to_id=_optional(body, "in_reply_to_id"),
            quote_id=_optional(body, "quote_id"),
        )
        return Response(201, _post_json(post_view(self._state.post(post_id))))

    def _dm(self, request: Request) -> Response:
        body = _body(request)
        sender = self._user_ref(body, "sender")
        recipient = self._user_ref(body, "recipient")
        event_id = self._sink.dm(sender, recipient, _text(body, "text"))
        conversation = conversation_id_for(sender, recipient)
        return Response(201, {"id": event_id, "conversation_id": conversation})

    # --- reading what happened -----------------------------------------------------------

    def _posts(self, request: Request) -> Response:
        author = self._user_ref(_query(request), "author")
        posts = self._sink.posts_by(author, _since(request))
        return Response(200, {"posts": [_post_json(p) for p in posts]})

    def _dms(self, request: Request) -> Response:
        query = _query(request)
        since = _since(request)
        if "sender" in query or "sender_id" in query:
            sender = self._user_ref(query, "sender")
            events = [dm_view(e) for e in self._state.dms_sent_by(sender) if e.created_at >= since]
        else:
            recipient = self._user_ref(query, "recipient")
            events = self._sink.dms_to(recipient, since)
        return Response(200, {"dms": [_dm_json(e) for e in events]})

    def _ledger_view(self, _request: Request) -> Response:
        return Response(200, self.ledger_report())

    def ledger_report(self) -> dict[str, Any]:
        """The ledger by account (named by accounts.yaml key where known) and endpoint."""
        accounts: dict[str, Any] = {}
        for account, lines in self._ledger.snapshot().items():
            accounts[self._label(account)] = {
                "total_usd": round(sum(line.usd for line in lines.values()), 6),
                "endpoints": {ep: asdict(line) for ep, line in sorted(lines.items())},
            }
        return {"total_usd": round(self._ledger.total_usd(), 6), "accounts": accounts}

    def _stats(self, _request: Request) -> Response:
        return Response(200, self.stats())

    def stats(self) -> dict[str, Any]:
        """Per configured account: mentions and DMs received, posts and DMs sent; ledger totals."""
        state = self._state
        accounts: dict[str, Any] = {}
        costs = self._ledger.totals_by_account()
        for user_id, key in self._accounts.items():
            counts = state.counts(user_id)
            accounts[key] = {
                "user_id": user_id,
                "mentions_received": counts.mentions_received,
                "dms_received": counts.dms_received,
                "posts_sent": counts.posts_sent,
                "dms_sent": counts.dms_sent,
                "cost_usd": round(costs.get(user_id, 0.0), 6),
            }
        ledger = {"total_usd": round(sum(costs.values()), 6)}
        return {"now": timestamp(state.clock.now()), "accounts": accounts, "ledger": ledger}

    # --- control -------------------------------------------------------------------------

    def _clock(self, _request: Request) -> Response:
        clock = self._state.clock
        return Response(200, {"now": timestamp(clock.now()), "speed": clock.speed})

    def _step(self, request: Request) -> Response:
        seconds = _body(request).get("seconds")
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
            raise AdminError('send {"seconds": N} with N >= 0')
        now = self._state.clock.step(timedelta(seconds=seconds))
        return Response(200, {"now": timestamp(now)})

    def _faults(self, _request: Request) -> Response:
        return Response(
            200, {"spec": self._dice.spec.describe(), "usage_capped": self._limiter.usage_capped}
        )

    def _set_faults(self, request: Request) -> Response:
        body = _body(request)
        if "spec" in body:
            try:
                self._dice.spec = FaultSpec.parse(str(body["spec"]))
            except FaultSpecError as error:
                raise AdminError(str(error)) from None
        if "usage_capped" in body:
            self._limiter.usage_capped = bool(body["usage_capped"])
        return self._faults(request)

    def _reset_limits(self, _request: Request) -> Response:
        self._limiter.reset()
        return Response(200, {"reset": True})

    def _user_ref(self, values: dict[str, Any], name: str) -> str:
        """A user named by `<name>_id` (an id) or `<name>` (an id, a handle or @handle)."""
        ref = values.get(f"{name}_id") or values.get(name)
        if not isinstance(ref, str) or not ref:
            raise AdminError(f"name the {name}: {name}_id (a user id) or {name} (a handle)")
        if ref.isdigit() and self._state.find_user(ref):
            return ref
        user = self._state.user_by_handle(ref.lstrip("@"))
        if user is None:
            raise AdminError(f"no user {ref!r}", status=404)
        return user.id

    def _label(self, account: str) -> str:
        key = self._accounts.get(account)
        if key:
            return key
        user = self._state.find_user(account)
        return f"@{user.username}" if user else account


def _body(request: Request) -> dict[str, Any]:
    try:
        body = request.json()
    except (ValueError, UnicodeDecodeError):
        raise AdminError("the body must be a JSON object") from None
    if not isinstance(body, dict):
        raise AdminError("the body must be a JSON object")
    field = unencodable_field(body)
    if field is not None:
        raise AdminError(
            f"{field!r} holds a lone surrogate (such as \\ud800), which is not Unicode text and "
            "cannot be sent as UTF-8; nothing was stored"
        )
    return body


def _query(request: Request) -> dict[str, Any]:
    return dict(request.query)


def _text(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise AdminError(f"{name!r} must be a non-empty string")
    return value


def _optional(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value.isdigit():
        raise AdminError(f"{name!r} must be an id string")
    return value


def _since(request: Request) -> datetime:
    value = request.param("since")
    if value is None:
        return datetime.min.replace(tzinfo=UTC)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise AdminError(f"since={value!r} is not an ISO 8601 time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _post_json(post: PostView) -> dict[str, Any]:
    return {
        "id": post.id,
        "author_id": post.author_id,
        "text": post.text,
        "created_at": timestamp(post.created_at),
        "conversation_id": post.conversation_id,
        "in_reply_to_id": post.in_reply_to_id,
        "quote_id": post.quote_id,
    }


def _dm_json(event: DmView) -> dict[str, Any]:
    return {
        "id": event.id,
        "sender_id": event.sender_id,
        "recipient_id": event.recipient_id,
        "text": event.text,
        "created_at": timestamp(event.created_at),
        "conversation_id": event.conversation_id,
    }
