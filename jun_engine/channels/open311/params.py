"""Reading an Open311 request's parameters: datetimes that must carry a zone, descriptions of at
most 4,000 characters without HTML, a location as lat/long, an address or an address id, and
`attribute[code]=v` (a list: `attribute[code][]=v`). Every refusal is a 400 naming the field."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from jun_engine.channels.open311.problems import bad_request
from jun_engine.config.schema import ServiceAttribute

MAX_DESCRIPTION = 4000
MAX_FIELD = 500
"""Any other text field (an address, a name, an email)."""
HTML = re.compile(r"<\s*/?\s*[A-Za-z!?]|&[A-Za-z]+;|&#")
ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]{1,64})\](\[\])?$")
LIST_TYPES = {"singlevaluelist", "multivaluelist"}

Params = Mapping[str, Sequence[str]]
"""Each parameter's values, in the order sent (query string and form body together)."""


@dataclass(frozen=True, slots=True)
class Location:
    """Where the request is: at least one of the three."""

    lat: float | None
    long: float | None
    address: str | None
    address_id: str | None


def one(params: Params, name: str) -> str | None:
    """The parameter's value, stripped (None when absent or empty); sent twice is a 400."""
    values = params.get(name, [])
    if len(values) > 1:
        raise bad_request(f"{name} is given more than once")
    value = values[0].strip() if values else ""
    if len(value) > MAX_FIELD and name != "description":
        raise bad_request(f"{name} is longer than {MAX_FIELD} characters")
    return value or None


def required(params: Params, name: str) -> str:
    """A parameter that must be there."""
    value = one(params, name)
    if value is None:
        raise bad_request(f"{name} is required")
    return value


def moment(params: Params, name: str) -> datetime | None:
    """A W3C datetime with its zone (`2026-03-02T12:30:00+01:00`, `...Z`); given empty is a 400."""
    value = one(params, name)
    if value is None:
        if name in params:
            raise bad_request(f"{name} is empty: give a datetime such as 2026-03-02T12:30:00Z")
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        raise bad_request(f"{name} is not a datetime such as 2026-03-02T12:30:00Z") from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise bad_request(f"{name} has no time zone (add Z or an offset such as +01:00)")
    return parsed


def text(params: Params, name: str, *, limit: int = MAX_DESCRIPTION) -> str | None:
    """A resident's text: at most `limit` characters, no HTML."""
    value = one(params, name)
    if value is None:
        return None
    if len(value) > limit:
        raise bad_request(f"{name} is longer than {limit:,} characters")
    if HTML.search(value):
        raise bad_request(f"{name} holds HTML; send plain text")
    return value


def location(params: Params) -> Location:
    """lat and long together, an address_string or an address_id: at least one."""
    lat, long = _coordinate(params, "lat", 90), _coordinate(params, "long", 180)
    if (lat is None) != (long is None):
        raise bad_request("lat and long go together")
    address = text(params, "address_string", limit=MAX_FIELD)
    address_id = text(params, "address_id", limit=MAX_FIELD)
    if lat is None and address is None and address_id is None:
        raise bad_request("a location is required: lat and long, address_string or address_id")
    return Location(lat, long, address, address_id)


def answers(params: Params, asked: Sequence[ServiceAttribute]) -> dict[str, list[str]]:
    """The attributes sent, checked against what the service asks (others are kept as sent)."""
    sent: dict[str, list[str]] = {}
    for name, values in params.items():
        match = ATTRIBUTE.match(name)
        if match is None:
            continue
        cleaned = [v.strip() for v in values if v.strip()]
        if len(cleaned) > 1 and match.group(2) is None:
            raise bad_request(f"{name} is given more than once (a list is {name}[])")
        if any(len(v) > MAX_FIELD or HTML.search(v) for v in cleaned):
            raise bad_request(f"{name} is too long or holds HTML")
        if cleaned:
            sent.setdefault(match.group(1), []).extend(cleaned)
    for attribute in asked:
        _check(attribute, sent.get(attribute.code, []))
    return sent


def _check(attribute: ServiceAttribute, values: list[str]) -> None:
    name = f"attribute[{attribute.code}]"
    if not values:
        if attribute.required:
            raise bad_request(f"{name} is required")
        return
    if attribute.datatype != "multivaluelist" and len(values) > 1:
        raise bad_request(f"{name} takes one value")
    if attribute.datatype in LIST_TYPES and any(v not in attribute.values for v in values):
        raise bad_request(f"{name} must be one of {', '.join(attribute.values)}")
    if attribute.datatype == "number" and not all(_is_number(v) for v in values):
        raise bad_request(f"{name} must be a number")
    if attribute.datatype == "datetime":
        moment({name: values}, name)


def _coordinate(params: Params, name: str, bound: float) -> float | None:
    value = one(params, name)
    if value is None:
        return None
    if not _is_number(value) or abs(float(value)) > bound:
        raise bad_request(f"{name} must be a number between -{bound:g} and {bound:g}")
    return float(value)


def _is_number(value: str) -> bool:
    try:
        return math.isfinite(float(value))
    except ValueError:
        return False
