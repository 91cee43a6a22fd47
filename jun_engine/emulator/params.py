"""Query parameters checked as X's OpenAPI description says, refused with X's 400 body."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from datetime import UTC, datetime

from jun_engine.emulator.problems import ApiProblemError, invalid_request
from jun_engine.emulator.render import Shape
from jun_engine.emulator.wire import Request

ID_PATTERN = re.compile(r"^[0-9]{1,19}$")


def check_known(request: Request, allowed: Collection[str]) -> None:
    """400 for any query parameter this endpoint does not take."""
    for name, value in request.query:
        if name not in allowed:
            listing = ",".join(sorted(allowed))
            raise invalid_request(
                f"The query parameter [{name}] is not one of [{listing}]", {name: [value]}
            )


def check_exclusive(request: Request, first: str, second: str) -> None:
    """400 when two mutually exclusive parameters are both given."""
    if request.param(first) is not None and request.param(second) is not None:
        raise invalid_request(
            f"The `{first}` query parameter can not be used with the `{second}` query parameter.",
            {first: [request.param(first) or ""], second: [request.param(second) or ""]},
        )


def id_value(name: str, value: str, *, where: str = "query parameter") -> str:
    """The value if it is a valid X id (^[0-9]{1,19}$), else 400."""
    if not ID_PATTERN.match(value):
        raise invalid_request(
            f"The `{name}` {where} value [{value}] does not match ^[0-9]{{1,19}}$",
            {name: [value]},
        )
    return value


def id_param(request: Request, name: str) -> str | None:
    """An optional id-valued query parameter."""
    value = request.param(name)
    return None if value is None else id_value(name, value)


def int_param(request: Request, name: str, low: int, high: int, default: int) -> int:
    """An integer parameter within [low, high] (X's max_results rule), or its default."""
    value = request.param(name)
    if value is None:
        return default
    if not re.fullmatch(r"-?[0-9]{1,9}", value) or not low <= int(value) <= high:
        raise invalid_request(
            f"The `{name}` query parameter value [{value}] is not between {low} and {high}",
            {name: [value]},
        )
    return int(value)


def list_param(request: Request, name: str, allowed: frozenset[str]) -> frozenset[str]:
    """A comma-separated list whose every item X knows (fields, expansions, event types)."""
    value = request.param(name)
    if value is None:
        return frozenset()
    items = value.split(",")
    for item in items:
        if item not in allowed:
            listing = ",".join(sorted(allowed))
            raise invalid_request(
                f"The `{name}` query parameter value [{item}] is not one of [{listing}]",
                {name: [value]},
            )
    return frozenset(items)


def time_param(request: Request, name: str) -> datetime | None:
    """An RFC 3339 timestamp parameter (YYYY-MM-DDTHH:mm:ssZ)."""
    value = request.param(name)
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise invalid_request(
            f"The `{name}` query parameter value [{value}] is not a valid RFC 3339 date-time",
            {name: [value]},
        )
    return moment.astimezone(UTC)


def shape_param(request: Request, lists: Mapping[str, frozenset[str]]) -> Shape:
    """The fields and expansions asked for (`tweet.fields` and xdk's `post.fields` alike)."""
    values = {name: list_param(request, name, allowed) for name, allowed in lists.items()}
    empty: frozenset[str] = frozenset()
    return Shape(
        tweet_fields=values.get("tweet.fields", empty) | values.get("post.fields", empty),
        user_fields=values.get("user.fields", empty),
        dm_fields=values.get("dm_event.fields", empty),
        expansions=values.get("expansions", empty),
    )


def bad_body(message: str, field: str, value: str) -> ApiProblemError:
    """400 for a JSON body that is missing a field or holds a wrong one."""
    return invalid_request(message, {field: [value]})
