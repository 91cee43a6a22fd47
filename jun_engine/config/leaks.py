"""Spotting secrets written into accounts.yaml, and quoting values without leaking them."""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jun_engine.config.problems import Problem
    from jun_engine.config.source import FieldPath, SourceMap

_ACCESS_TOKEN = re.compile(r"^[0-9]{1,20}-[A-Za-z0-9]{16,}$")
"""An OAuth 1.0a access token: `<user id>-<random>`."""
_BEARER = re.compile(r"^A{8,}[A-Za-z0-9%_\-=+/]*$")
"""An app-only bearer token: a run of A's, then URL-encoded base64."""
_TOKEN_ALPHABET = re.compile(r"^[A-Za-z0-9%_\-=+]{20,}$")
_LINE_SECRET = re.compile(r"^(?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])[0-9a-f]{32}$")
"""A LINE channel secret: 32 lowercase hex digits (some letters, some digits: a number is not)."""
_LINE_ID = re.compile(r"^[UCR][0-9a-f]{32}$")
"""A LINE user, group or room id (an official account's `bot_user_id`): public, not a secret."""
_PRIVATE_KEY = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")
_MIN_ENTROPY = 3.5
"""Bits per character above which a mixed-case, digit-bearing word reads as random, not a name."""
_SHOWN_LENGTH = 60


def looks_like_secret(text: str) -> bool:
    """True when `text` looks like a credential: an access or bearer token, a key, a key file,
    a LINE channel secret."""
    text = text.strip()
    if _LINE_ID.match(text):
        return False
    if _ACCESS_TOKEN.match(text) or _BEARER.match(text) or _PRIVATE_KEY.search(text):
        return True
    if _LINE_SECRET.match(text):
        return True
    return _is_random_token(text)


def _is_random_token(text: str) -> bool:
    if not _TOKEN_ALPHABET.match(text):
        return False
    mixed = any(c.islower() for c in text) and any(c.isupper() for c in text)
    if not (mixed and any(c.isdigit() for c in text)):
        return False
    return _entropy(text) >= _MIN_ENTROPY


def _entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def masked(text: str) -> str:
    """A secret as it may appear in a message: its length only, never a character of it."""
    return f"'********' ({len(text)} characters, masked)"


def shown(value: object, *, secret: bool = False) -> str:
    """`value` as a message may quote it: secrets masked, long text cut, controls escaped."""
    if isinstance(value, str):
        if secret or looks_like_secret(value):
            return masked(value)
        if len(value) > _SHOWN_LENGTH:
            return f"{value[:_SHOWN_LENGTH]!r}... ({len(value)} characters)"
        return repr(value)
    text = repr(value)
    return text if len(text) <= _SHOWN_LENGTH else f"{text[:_SHOWN_LENGTH]}..."


def find_secrets(tree: object, source: SourceMap) -> list[Problem]:
    """A problem for every key or value in the document that looks like a credential."""
    found: list[Problem] = []
    _walk(tree, (), source, found)
    return found


def _walk(value: object, path: FieldPath, source: SourceMap, found: list[Problem]) -> None:
    if isinstance(value, str) and looks_like_secret(value):
        found.append(source.problem(path, _LEAK_ADVICE.format(masked(value))))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _walk(item, (*path, index), source, found)
    elif isinstance(value, dict):
        for key, item in value.items():
            here = (*path, key if isinstance(key, str | int) else str(key))
            if isinstance(key, str) and looks_like_secret(key):
                found.append(source.problem(here, _LEAK_ADVICE.format(masked(key)), at="key"))
            _walk(item, here, source, found)


_COMMENT = re.compile(r"(?:^|\s)#(.*)$")
"""A YAML comment: `#` at the start of a line or after a space, to the end of the line."""
_WORD = re.compile(r"[^\s'\"`,;:()\[\]{}<>]+")
"""A word of a comment: tokens are cut out of prose at spaces, quotes and punctuation."""


def find_secrets_in_comments(text: str, file: str) -> list[Problem]:
    """A problem for every word of a comment that looks like a credential, located by line and
    column; the secret itself is never quoted. A `#` inside a quoted value may be taken for a
    comment: a secret there is refused either way."""
    found: list[Problem] = []
    for number, line in enumerate(text.splitlines(), start=1):
        comment = _COMMENT.search(line)
        if comment is None:
            continue
        body = comment.group(1)
        start = comment.start(1)
        if _PRIVATE_KEY.search(body):
            found.append(_comment_problem(file, number, start, "a private key"))
            continue
        for word in _WORD.finditer(body):
            if looks_like_secret(word.group()):
                column = start + word.start() + 1
                found.append(_comment_problem(file, number, column, masked(word.group())))
    return found


def _comment_problem(file: str, line: int, column: int, what: str) -> Problem:
    # problems.py imports this module (to mask what it quotes): import it when first needed
    from jun_engine.config.problems import Problem, Severity

    message = "in a comment: " + _LEAK_ADVICE.format(what)
    return Problem(file, line, column, "(comment)", Severity.ERROR, message)


_LEAK_ADVICE = (
    "this looks like a secret written into the file ({}); put it in an environment variable, "
    "write the variable's NAME in a *_env key, and revoke the secret if the file was shared"
)
