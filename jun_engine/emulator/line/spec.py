"""LINE's own OpenAPI files (shipped beside this module) and a checker that names each bad property.

The checker walks a request body against the operation's schema the way LINE's server does and
reports every problem as `(property, message)`, the property written as LINE writes it
(`messages[0].text`). It understands what the files use: `$ref`, `allOf`, discriminators,
types, `required`, `enum`, sizes, lengths (UTF-16 code units, as LINE counts), bounds, patterns
and the `uri`/`uuid` formats.
"""

from __future__ import annotations

import functools
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

OPENAPI_DIR = Path(__file__).parent / "openapi"
MESSAGING_API = "messaging-api.yml"
MANAGE_AUDIENCE = "manage-audience.yml"

Problem = tuple[str, str]
"""(property, message): one thing wrong with a request."""

_TYPE_NAMES = {
    "object": "an object",
    "array": "an array",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
}


@functools.cache
def load(name: str) -> dict[str, Any]:
    """One of the shipped OpenAPI documents, parsed once per process."""
    text = (OPENAPI_DIR / name).read_text(encoding="utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    document: dict[str, Any] = yaml.load(text, Loader=loader)  # noqa: S506 (a safe loader)
    return document


def utf16_length(text: str) -> int:
    """The length LINE counts: UTF-16 code units (an emoji outside the BMP counts 2)."""
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)


@dataclass(frozen=True, slots=True)
class Checker:
    """Checks values against the schemas of one OpenAPI document."""

    document: str

    def body_schema(self, path: str, method: str) -> dict[str, Any] | None:
        """The JSON request-body schema of an operation, or None when it takes no JSON body."""
        operation = load(self.document)["paths"][path][method.lower()]
        content = operation.get("requestBody", {}).get("content", {})
        media = content.get("application/json")
        return None if media is None else dict(media["schema"])

    def body_required(self, path: str, method: str) -> bool:
        """True when the operation must have a request body."""
        operation = load(self.document)["paths"][path][method.lower()]
        return bool(operation.get("requestBody", {}).get("required"))

    def problems(self, value: Any, schema: dict[str, Any]) -> list[Problem]:
        """Everything wrong with `value` under `schema`; empty when it is valid."""
        found: list[Problem] = []
        self._check(value, schema, "", found, dispatch=True)
        return found

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        """Follow `$ref`s to the schema they name."""
        while "$ref" in schema:
            name = str(schema["$ref"]).rsplit("/", 1)[-1]
            schema = load(self.document)["components"]["schemas"][name]
        return schema

    def _check(
        self, value: Any, schema: dict[str, Any], where: str, out: list[Problem], *, dispatch: bool
    ) -> None:
        schema = self.resolve(schema)
        if value is None:
            if not schema.get("nullable"):
                out.append((where, "must not be null"))
            return
        discriminator = schema.get("discriminator")
        if dispatch and discriminator and isinstance(value, dict):
            self._dispatch(value, schema, discriminator, where, out)
            return
        for part in schema.get("allOf", ()):
            # The base a subtype extends must not dispatch again on the same tag.
            self._check(value, part, where, out, dispatch=False)
        expected = schema.get("type")
        if expected and not _is_type(value, expected):
            out.append((where, f"must be {_TYPE_NAMES.get(expected, expected)}"))
            return
        if isinstance(value, dict):
            self._check_object(value, schema, where, out)
        elif isinstance(value, list):
            self._check_array(value, schema, where, out)
        else:
            _check_scalar(value, schema, where, out)

    def _dispatch(
        self,
        value: dict[str, Any],
        schema: dict[str, Any],
        discriminator: dict[str, Any],
        where: str,
        out: list[Problem],
    ) -> None:
        name = discriminator["propertyName"]
        tag = value.get(name)
        mapping: dict[str, str] = discriminator.get("mapping", {})
        here = _join(where, name)
        if tag is None:
            out.append((here, "must be specified"))
        elif not isinstance(tag, str) or tag not in mapping:
            out.append((here, f"must be one of {', '.join(sorted(mapping))}"))
        else:
            self._check(value, {"$ref": mapping[tag]}, where, out, dispatch=False)

    def _check_object(
        self, value: dict[str, Any], schema: dict[str, Any], where: str, out: list[Problem]
    ) -> None:
        for name in schema.get("required", ()):
            if value.get(name) is None:
                out.append((_join(where, name), "must be specified"))
        for name, sub in schema.get("properties", {}).items():
            if value.get(name) is not None:
                self._check(value[name], sub, _join(where, name), out, dispatch=True)

    def _check_array(
        self, value: list[Any], schema: dict[str, Any], where: str, out: list[Problem]
    ) -> None:
        low, high = schema.get("minItems", 0), schema.get("maxItems")
        if len(value) < low or (high is not None and len(value) > high):
            out.append((where, f"Size must be between {low} and {_bound(high)}"))
            return
        items = schema.get("items")
        if items is not None:
            for index, item in enumerate(value):
                self._check(item, items, f"{where}[{index}]", out, dispatch=True)


def _check_scalar(value: Any, schema: dict[str, Any], where: str, out: list[Problem]) -> None:
    if "enum" in schema and value not in schema["enum"]:
        out.append((where, f"must be one of {', '.join(map(str, schema['enum']))}"))
    if isinstance(value, str):
        _check_string(value, schema, where, out)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            out.append((where, f"must be greater than or equal to {schema['minimum']}"))
        if "maximum" in schema and value > schema["maximum"]:
            out.append((where, f"must be less than or equal to {schema['maximum']}"))


def _check_string(value: str, schema: dict[str, Any], where: str, out: list[Problem]) -> None:
    low, high = schema.get("minLength", 0), schema.get("maxLength")
    length = utf16_length(value)
    if length < low or (high is not None and length > high):
        out.append((where, f"Length must be between {low} and {_bound(high)}"))
    pattern = schema.get("pattern")
    if pattern and not re.search(pattern, value):
        out.append((where, f"must match {pattern}"))
    fmt = schema.get("format")
    if fmt == "uri" and not is_uri(value):
        out.append((where, "must be a valid URL"))
    if fmt == "uuid" and not is_uuid(value):
        out.append((where, "must be a UUID"))


def is_uri(value: str) -> bool:
    """True for an absolute http(s) URL."""
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def is_uuid(value: str) -> bool:
    """True for a UUID in its hexadecimal form."""
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return len(value) == 36


def _is_type(value: Any, expected: str) -> bool:
    if expected == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if expected == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    kinds: dict[str, type | tuple[type, ...]] = {
        "object": dict,
        "array": list,
        "string": str,
        "boolean": bool,
    }
    return isinstance(value, kinds.get(expected, object))


def _join(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


def _bound(high: int | None) -> str:
    return "unlimited" if high is None else str(high)
