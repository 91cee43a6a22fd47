"""Schema validation of the plain values, with pydantic's errors said in plain words and located."""

from __future__ import annotations

import types
from collections.abc import Mapping
from datetime import date
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, StringConstraints, ValidationError
from pydantic_core import ErrorDetails

from jun_engine.config import schema
from jun_engine.config.leaks import shown
from jun_engine.config.problems import Problem, suggestion
from jun_engine.config.source import FieldPath, SourceMap


def validate(
    tree: Mapping[object, object], source: SourceMap
) -> tuple[schema.Config | None, list[Problem]]:
    """The validated Config, or None and one located problem per schema error."""
    try:
        return schema.Config.model_validate(tree), []
    except ValidationError as exc:
        return None, [to_problem(error, tree, source) for error in exc.errors(include_url=False)]


def to_problem(error: ErrorDetails, tree: object, source: SourceMap) -> Problem:
    """One pydantic error as a located problem in plain words."""
    path, on_key = _document_path(error, tree)
    if error["type"] == "extra_forbidden" or on_key:
        return source.problem(path, _words(error, path, on_key), at="key")
    if error["type"] == "missing":
        return source.problem(path, "this required key is missing", at="key")
    return source.problem(path, _words(error, path, on_key))


def _document_path(error: ErrorDetails, tree: object) -> tuple[FieldPath, bool]:
    """The error's place in the document, leaving out pydantic's own steps (`function-after[...]`).

    Also says whether the error is about a mapping key rather than its value.
    """
    path: list[str | int] = []
    node, loc = tree, error["loc"]
    for index, part in enumerate(loc):
        child = _child(node, part)
        if child is not _ABSENT:
            node = child
        elif part == "[key]":
            return tuple(path), True
        elif not (error["type"] == "missing" and index == len(loc) - 1):
            continue
        path.append(part)
    return tuple(path), False


_ABSENT = object()


def _child(node: object, part: str | int) -> object:
    if isinstance(node, dict):
        return node.get(part, _ABSENT)
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return _ABSENT


def _words(error: ErrorDetails, path: FieldPath, on_key: bool) -> str:
    kind = error["type"]
    value = error.get("input")
    got = f"got {describe(value, path)}"
    if kind == "extra_forbidden":
        name = str(path[-1]) if path else ""
        return (
            f"unknown key {shown(name)}{suggestion(name, allowed_keys(path[:-1]), known='allowed')}"
        )
    if kind == "string_pattern_mismatch":
        pattern = str(error.get("ctx", {}).get("pattern", ""))
        return f"must be {PATTERN_WORDS.get(pattern, f'text matching {pattern}')}; {got}"
    if kind in TYPE_WORDS:
        return f"must be {TYPE_WORDS[kind]}; {got}{_hint(kind, value, path)}"
    if kind == "literal_error":
        return f"must be {error.get('ctx', {}).get('expected', 'one of the allowed values')}; {got}"
    if kind in ("too_short", "string_too_short"):
        return "must not be empty"
    if kind == "value_error":
        return error["msg"].removeprefix("Value error, ")
    message = error["msg"][:1].lower() + error["msg"][1:]
    return f"{message}; {got}" if not on_key else f"{message} (this key is {got[4:]})"


def describe(value: object, path: FieldPath = ()) -> str:
    """What a value is, in words, masked when it is (or might be) a secret."""
    secret = bool(path) and str(path[-1]).endswith("_env")
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, date):
        return f"the date {value.isoformat()}"
    if isinstance(value, str):
        return shown(value, secret=secret)
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return shown(value, secret=secret)


def _hint(kind: str, value: object, path: FieldPath) -> str:
    if kind != "string_type":
        return ""
    if isinstance(value, int) and path and str(path[-1]).endswith("_time"):
        return ' (YAML reads an unquoted time such as 12:30 as a number: write "12:30")'
    if isinstance(value, bool):
        return " (YAML reads yes/no/on/off as true/false: put the word in quotes)"
    if isinstance(value, int | float | date):
        return " (put it in quotes to make it text)"
    return ""


TYPE_WORDS = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "dict_type": "a mapping (key: value lines)",
    "model_type": "a mapping (key: value lines)",
    "model_attributes_type": "a mapping (key: value lines)",
    "list_type": "a list (lines starting with '- ', or [a, b])",
    "date_type": "a date such as 2026-12-25",
    "date_parsing": "a date such as 2026-12-25",
    "date_from_datetime_parsing": "a date such as 2026-12-25",
    "date_from_datetime_inexact": "a date such as 2026-12-25 (without a time)",
}


def _pattern(annotated: object) -> str:
    constraint = next(m for m in get_args(annotated)[1:] if isinstance(m, StringConstraints))
    return str(constraint.pattern)


PATTERN_WORDS = {
    _pattern(schema.Key): "a key: a lowercase letter, then lowercase letters, digits or _ "
    "(at most 40), such as 'public_works'",
    _pattern(schema.LanguageCode): "a two-letter language code such as 'es', 'en' or 'th'",
    _pattern(schema.Handle): "an X handle: 1 to 15 letters, digits or _, without the @",
    r"^[0-9]{1,19}$": "a numeric X user id (1 to 19 digits), not a handle",
    _pattern(schema.EnvVarName): "the NAME of an environment variable (capitals, digits, _) "
    "such as JUN_X_TOWN_ACCESS_TOKEN, never the secret itself",
    _pattern(schema.Hashtag): "a hashtag starting with #, such as '#resuelto'",
    _pattern(schema.ClockTime): "a time of day HH:MM, such as '08:00' (in quotes)",
    _pattern(schema.TimeRange): "an opening range HH:MM-HH:MM, such as '09:00-14:00'",
    r"^[A-Z]{2,8}$": "2 to 8 capital letters, such as 'JUN'",
    _pattern(schema.EmailAddress): "a plain e-mail address such as 'mayor@example.org'",
}


def allowed_keys(path: FieldPath) -> list[str]:
    """The field names of the model found at `path` (for did-you-mean), or [] if none is."""
    model = _model_at(path)
    if model is None:
        return []
    return sorted(field.alias or name for name, field in model.model_fields.items())


def _model_at(path: FieldPath) -> type[BaseModel] | None:
    current: Any = schema.Config
    for part in path:
        model = _as_model(current)
        if model is not None:
            field = model.model_fields.get(str(part))
            if field is None:
                return None
            current = field.annotation
        else:
            current = _item_type(current)
    return _as_model(current)


def _as_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if get_origin(annotation) in (Union, types.UnionType):
        models = [m for m in map(_as_model, get_args(annotation)) if m is not None]
        return models[0] if models else None
    return None


def _item_type(annotation: Any) -> Any:
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is dict and len(args) == 2:
        return args[1]
    if origin is list and args:
        return args[0]
    if origin in (Union, types.UnionType):
        return next((_item_type(a) for a in args if a is not type(None)), None)
    return None
