"""The LINE admin API under /_emulator/line/ (no auth, JSON): act as LINE users, read what they
received and what was sent, set the webhook URL, the plan, the clock and the faults."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from jun_engine.emulator.admin import AdminError
from jun_engine.emulator.faults import FaultDice, FaultSpecError
from jun_engine.emulator.line.call import BlobResponse
from jun_engine.emulator.line.faults import LineFaults
from jun_engine.emulator.line.friends import Friend
from jun_engine.emulator.line.images import png
from jun_engine.emulator.line.limits import LineRateLimiter
from jun_engine.emulator.line.quota import PLANS
from jun_engine.emulator.line.residents import NotAFriendError, Residents
from jun_engine.emulator.line.spec import is_uri
from jun_engine.emulator.line.state import LineState
from jun_engine.emulator.line.webhooks import Deliverer
from jun_engine.emulator.wire import Request, Response

LINE_PREFIX = "/_emulator/line/"
PICTURE_SIZE = 64
_USER = r"(?P<user>U[0-9a-f]{32})"

Handler = Callable[[Request, dict[str, str]], Response]


@dataclass(frozen=True, slots=True)
class _Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler


class LineAdmin:
    """Serves /_emulator/line/..."""

    def __init__(
        self,
        state: LineState,
        residents: Residents,
        webhooks: Deliverer,
        dice: FaultDice,
        limiter: LineRateLimiter,
    ) -> None:
        self._state = state
        self._residents = residents
        self._webhooks = webhooks
        self._dice = dice
        self._limiter = limiter
        table: list[tuple[str, str, Handler]] = [
            ("POST", "users", self._add_user),
            ("GET", "users", self._users),
            ("POST", f"users/{_USER}/(?P<action>follow|unfollow)", self._follow),
            ("POST", f"users/{_USER}/text", self._text),
            ("POST", f"users/{_USER}/image", self._image),
            ("POST", f"users/{_USER}/location", self._location),
            ("POST", f"users/{_USER}/postback", self._postback),
            ("POST", f"users/{_USER}/sticker", self._sticker),
            ("GET", f"users/{_USER}/messages", self._messages),
            ("GET", f"pictures/{_USER}", self._picture),
            ("GET", "ledger", self._ledger),
            ("GET", "quota", self._quota),
            ("POST", "quota", self._set_plan),
            ("GET", "webhook", self._webhook),
            ("PUT", "webhook", self._set_webhook),
            ("POST", "webhook/verify", self._verify),
            ("GET", "deliveries", self._deliveries),
            ("GET", "channel", self._channel),
            ("GET", "clock", self._clock),
            ("POST", "clock/step", self._step),
            ("GET", "faults", self._faults),
            ("POST", "faults", self._set_faults),
            ("POST", "limits/reset", self._reset_limits),
        ]
        self._routes = [_Route(m, re.compile(f"^{p}$"), h) for m, p, h in table]

    def handle(self, request: Request) -> Response:
        """Answer an admin request; errors are `{"error": message}` with a 4xx status."""
        if not request.path.startswith(LINE_PREFIX):
            return Response(404, {"error": f"the LINE emulator's admin API is under {LINE_PREFIX}"})
        name = request.path[len(LINE_PREFIX) :].strip("/")
        try:
            for route in self._routes:
                found = route.pattern.match(name)
                if found and route.method == request.method:
                    self._state.settle()
                    return route.handler(request, found.groupdict())
            raise AdminError(f"no admin route {request.method} {request.path}", status=404)
        except AdminError as error:
            return Response(error.status, {"error": str(error)})
        except NotAFriendError as error:
            return Response(404, {"error": f"{error.args[0]} is not a friend of the account"})

    # --- LINE users ----------------------------------------------------------------------

    def _add_user(self, request: Request, _values: dict[str, str]) -> Response:
        body = _body(request)
        name = body.get("displayName")
        if not isinstance(name, str) or not name:
            raise AdminError("'displayName' must be a non-empty string")
        friend = Friend(
            user_id=self._state.mint.user_id(),
            display_name=name,
            language=_string(body, "language") or "ja",
            age=_integer(body, "age"),
            gender=_choice(body, "gender", ("male", "female")),  # type: ignore[arg-type]
            area=_string(body, "area"),
            app_type=_choice(body, "appType", ("ios", "android")) or "android",  # type: ignore[arg-type]
            district=_string(body, "district"),
            status_message=_string(body, "statusMessage"),
        )
        self._residents.add(friend, following=body.get("following", True) is not False)
        return Response(201, friend_json(friend))

    def _users(self, _request: Request, _values: dict[str, str]) -> Response:
        return Response(200, {"users": [friend_json(f) for f in self._state.friends.all()]})

    def _follow(self, _request: Request, values: dict[str, str]) -> Response:
        if values["action"] == "follow":
            return _acted(self._residents.follow(values["user"]))
        return _acted(self._residents.unfollow(values["user"]))

    def _text(self, request: Request, values: dict[str, str]) -> Response:
        text = _body(request).get("text")
        if not isinstance(text, str) or not text:
            raise AdminError("'text' must be a non-empty string")
        return _acted(self._residents.text(values["user"], text))

    def _image(self, request: Request, values: dict[str, str]) -> Response:
        return _acted(self._residents.image(values["user"]))

    def _location(self, request: Request, values: dict[str, str]) -> Response:
        body = _body(request)
        latitude, longitude = body.get("latitude"), body.get("longitude")
        if not all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in (latitude, longitude)
        ):
            raise AdminError("'latitude' and 'longitude' must be numbers")
        return _acted(
            self._residents.location(
                values["user"],
                float(latitude),  # type: ignore[arg-type]
                float(longitude),  # type: ignore[arg-type]
                _string(body, "title"),
                _string(body, "address"),
            )
        )

    def _postback(self, request: Request, values: dict[str, str]) -> Response:
        body = _body(request)
        data = body.get("data")
        if not isinstance(data, str) or not 0 < len(data) <= 300:
            raise AdminError("'data' must be a string of 1 to 300 characters")
        params = body.get("params")
        if params is not None and not (
            isinstance(params, dict) and all(isinstance(v, str) for v in params.values())
        ):
            raise AdminError("'params' must be an object of strings (date, time or datetime)")
        return _acted(self._residents.postback(values["user"], data, params))

    def _sticker(self, request: Request, values: dict[str, str]) -> Response:
        body = _body(request)
        package, sticker = _string(body, "packageId") or "446", _string(body, "stickerId") or "1988"
        return _acted(self._residents.sticker(values["user"], package, sticker))

    def _messages(self, _request: Request, values: dict[str, str]) -> Response:
        friend = self._state.friends.get(values["user"])
        if friend is None:
            raise AdminError(f"no LINE user {values['user']}", status=404)
        with self._state.friends.lock:
            received = list(friend.received)
        return Response(200, {"messages": received})

    def _picture(self, _request: Request, values: dict[str, str]) -> Response:
        if self._state.friends.get(values["user"]) is None:
            raise AdminError(f"no LINE user {values['user']}", status=404)
        image = png(PICTURE_SIZE, PICTURE_SIZE, seed=int(values["user"][1:9], 16))
        return BlobResponse(200, None, {}, "image/png", blob=image)

    # --- what was sent -------------------------------------------------------------------

    def _ledger(self, request: Request, _values: dict[str, str]) -> Response:
        offset = _query_int(request, "offset", 0)
        limit = _query_int(request, "limit", 1000)
        return Response(200, self._state.ledger.report(offset, limit))

    def _quota(self, _request: Request, _values: dict[str, str]) -> Response:
        now = self._state.clock.now()
        plan = self._state.quota.plan
        return Response(
            200,
            {
                "plan": plan.name,
                "note": plan.note,
                "monthly": plan.monthly,
                "used": self._state.quota.used(now),
                "remaining": self._state.quota.remaining(now),
                "plans": sorted(PLANS),
            },
        )

    def _set_plan(self, request: Request, values: dict[str, str]) -> Response:
        name = _body(request).get("plan")
        if name not in PLANS:
            raise AdminError(f"'plan' must be one of {', '.join(sorted(PLANS))}")
        self._state.quota.set_plan(str(name))
        return self._quota(request, values)

    # --- webhooks ------------------------------------------------------------------------

    def _webhook(self, _request: Request, _values: dict[str, str]) -> Response:
        settings = self._state.webhook
        return Response(
            200,
            {"url": settings.url, "active": settings.active, "timeoutSeconds": settings.timeout},
        )

    def _set_webhook(self, request: Request, values: dict[str, str]) -> Response:
        body = _body(request)
        url = body.get("url")
        if url is not None and not (isinstance(url, str) and is_uri(url)):
            raise AdminError("'url' must be an http(s) URL or null")
        settings = self._state.webhook
        settings.url = url
        settings.active = body.get("active", settings.active) is not False
        timeout = body.get("timeoutSeconds")
        if timeout is not None:
            if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
                raise AdminError("'timeoutSeconds' must be a positive number")
            settings.timeout = float(timeout)
        return self._webhook(request, values)

    def _verify(self, _request: Request, _values: dict[str, str]) -> Response:
        if self._state.webhook.url is None:
            raise AdminError("set the webhook URL first: PUT /_emulator/line/webhook")
        return Response(200, self._webhooks.verify(self._state.webhook.url))

    def _deliveries(self, _request: Request, _values: dict[str, str]) -> Response:
        return Response(
            200, {"pending": self._webhooks.pending(), "deliveries": list(self._webhooks.log)}
        )

    # --- control -------------------------------------------------------------------------

    def _channel(self, _request: Request, _values: dict[str, str]) -> Response:
        channel = self._state.channel
        return Response(200, {"channelId": channel.channel_id, "destination": channel.bot_user_id})

    def _clock(self, _request: Request, _values: dict[str, str]) -> Response:
        clock = self._state.clock
        return Response(200, {"now": _iso(clock.now()), "speed": clock.speed})

    def _step(self, request: Request, _values: dict[str, str]) -> Response:
        seconds = _body(request).get("seconds")
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
            raise AdminError('send {"seconds": N} with N >= 0')
        now = self._state.clock.step(timedelta(seconds=seconds))
        self._state.settle()
        return Response(200, {"now": _iso(now)})

    def _faults(self, _request: Request, _values: dict[str, str]) -> Response:
        faults = LineFaults(self._dice.spec, self._webhooks.faults)
        return Response(200, {"spec": faults.describe()})

    def _set_faults(self, request: Request, values: dict[str, str]) -> Response:
        try:
            faults = LineFaults.parse(str(_body(request).get("spec", "")))
        except FaultSpecError as error:
            raise AdminError(str(error)) from None
        self._dice.spec = faults.api
        self._webhooks.faults = faults.webhooks
        return self._faults(request, values)

    def _reset_limits(self, _request: Request, _values: dict[str, str]) -> Response:
        self._limiter.reset()
        return Response(200, {"reset": True})


def friend_json(friend: Friend) -> dict[str, Any]:
    """A LINE user as the admin API shows them."""
    return {
        "userId": friend.user_id,
        "displayName": friend.display_name,
        "language": friend.language,
        "age": friend.age,
        "gender": friend.gender,
        "area": friend.area,
        "appType": friend.app_type,
        "district": friend.district,
        "statusMessage": friend.status_message,
        "following": friend.following,
        "blocked": friend.blocked,
    }


def _acted(result: dict[str, Any]) -> Response:
    return Response(201, result)


def _iso(moment: Any) -> str:
    return str(moment.isoformat()).replace("+00:00", "Z")


def _body(request: Request) -> dict[str, Any]:
    try:
        body = request.json()
    except (ValueError, UnicodeDecodeError):
        raise AdminError("the body must be a JSON object") from None
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise AdminError("the body must be a JSON object")
    return body


def _string(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise AdminError(f"{name!r} must be a string")
    return value


def _integer(body: dict[str, Any], name: str) -> int | None:
    value = body.get(name)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise AdminError(f"{name!r} must be a whole number >= 0")
    return value


def _choice(body: dict[str, Any], name: str, allowed: tuple[str, ...]) -> str | None:
    value = body.get(name)
    if value is not None and value not in allowed:
        raise AdminError(f"{name!r} must be one of {', '.join(allowed)}")
    return value


def _query_int(request: Request, name: str, default: int) -> int:
    value = request.param(name)
    if value is None:
        return default
    if not value.isdigit():
        raise AdminError(f"{name}={value!r} must be a whole number")
    return int(value)
