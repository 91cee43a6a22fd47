"""GeoReport v2 on the wire: the same documents as XML (required) and JSON (optional), picked by
the URL's suffix. JSON answers are top-level arrays (a service definition and mySociety's
update lists are the exceptions the spec and the extension make); XML wraps each list in its
plural root. Booleans are real booleans in JSON and `true`/`false` in XML, datetimes carry
their zone, everything is UTF-8. A value of None is written as an empty XML element and left
out of the JSON object (the v2.1 description types every field, so `null` would break it)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from xml.etree import ElementTree as ET

from starlette.responses import Response

from jun_engine.channels.open311.problems import Open311Error, bad_request

Value = str | int | float | bool | datetime | None | Sequence["Document"] | Sequence[str]
Document = Mapping[str, "Value"]

ELEMENT_OF = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "errors": "error",
    "service_request_updates": "request_update",
    "groups": "group",
    "endpoints": "endpoint",
    "formats": "format",
}
"""A list's element name by its container's (FixMyStreet's client reads exactly these)."""
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
"""Characters XML 1.0 cannot carry (a bell in a post): left out of XML text."""
XML_TYPE = "text/xml; charset=utf-8"
JSON_TYPE = "application/json; charset=utf-8"


class Format(StrEnum):
    """The response format, as the URL's suffix names it."""

    XML = "xml"
    JSON = "json"


def format_of(suffix: str) -> Format:
    """The format a suffix asks for; any other suffix is a 400 (answered in XML)."""
    try:
        return Format(suffix)
    except ValueError:
        raise bad_request(f"unknown format {suffix!r}: use .xml or .json") from None


def timestamp(value: datetime) -> str:
    """W3C datetime with its zone, to the second: 2026-03-02T12:30:00+01:00."""
    return value.isoformat(timespec="seconds")


def listing(fmt: Format, root: str, items: Sequence[Document]) -> Response:
    """A list of documents: a JSON array, or `<root><item>...</item>...</root>`."""
    if fmt is Format.JSON:
        return _json([_plain(item) for item in items])
    element = ET.Element(root)
    for item in items:
        _fill(ET.SubElement(element, ELEMENT_OF[root]), item)
    return _xml(element)


def single(fmt: Format, root: str, item: Document) -> Response:
    """One document (a service definition): a JSON object, or `<root>...</root>`."""
    if fmt is Format.JSON:
        return _json(_plain(item))
    element = ET.Element(root)
    _fill(element, item)
    return _xml(element)


def wrapped(fmt: Format, root: str, items: Sequence[Document]) -> Response:
    """mySociety's update lists: `{"root": [...]}` in JSON, `<root><item/>...</root>` in XML."""
    if fmt is Format.JSON:
        return _json({root: [_plain(item) for item in items]})
    return listing(fmt, root, items)


def error(fmt: Format, problem: Open311Error) -> Response:
    """The error as GeoReport v2 writes it: a list of one `{code, description}`."""
    response = listing(
        fmt, "errors", [{"code": problem.status, "description": problem.description}]
    )
    response.status_code = problem.status
    return response


def _json(body: object) -> Response:
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return Response(text.encode("utf-8"), media_type=JSON_TYPE)


def _xml(root: ET.Element) -> Response:
    body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return Response(body, media_type=XML_TYPE)


def _plain(item: Document) -> dict[str, object]:
    """The JSON object: datetimes as text, lists kept, None left out."""
    plain: dict[str, object] = {}
    for key, value in item.items():
        if value is None:
            continue
        if isinstance(value, datetime):
            plain[key] = timestamp(value)
        elif isinstance(value, list | tuple):
            plain[key] = [v if isinstance(v, str) else _plain(v) for v in value]
        else:
            plain[key] = value
    return plain


def _fill(element: ET.Element, item: Document) -> None:
    for key, value in item.items():
        child = ET.SubElement(element, key)
        if isinstance(value, list | tuple):
            for each in value:
                grand = ET.SubElement(child, ELEMENT_OF[key])
                if isinstance(each, str):
                    grand.text = _text(each)
                else:
                    _fill(grand, each)
        else:
            child.text = _text(value)


def _text(value: Value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return timestamp(value)
    return NOT_IN_XML.sub("", str(value))
