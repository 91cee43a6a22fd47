"""One-time verification codes: made with `secrets`, kept only as salted hashes, found in DMs.

The alphabet has no 0/O and no 1/I, so a code read aloud or copied from paper cannot be mistyped
into another valid one. Every code holds at least one letter and one digit, which is also what
tells a code apart from an ordinary word ("problema" has eight letters, no digit).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from collections.abc import Iterator

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""32 symbols: 5 bits each, so the default 8 characters give 2^40 codes."""
SCHEME = "sha256"
MAX_CANDIDATES = 20
"""At most this many code-shaped tokens are tried from one message (a 10,000-character DM)."""

_WORD = re.compile(r"[A-Za-z0-9]+")
_SEPARATORS = frozenset(" -")
_LETTERS = frozenset(c for c in ALPHABET if c.isalpha())
_DIGITS = frozenset(c for c in ALPHABET if c.isdigit())


def generate_code(length: int) -> str:
    """A new random code of `length` symbols with at least one letter and one digit."""
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(length))
        if _is_code_shaped(code):
            return code


def grouped(code: str) -> str:
    """The code as printed for people: ABCD-EF23, ABC-DEF, ABCD-EFGH-JKLM."""
    size = 4 if len(code) % 4 == 0 else 3 if len(code) % 3 == 0 else (len(code) + 1) // 2
    return "-".join(code[start : start + size] for start in range(0, len(code), size))


def hash_code(code: str) -> str:
    """`sha256$<salt>$<digest>` of the normalised code, with a fresh random salt."""
    salt = secrets.token_hex(16)
    return f"{SCHEME}${salt}${_digest(salt, normalise(code))}"


def matches(code: str, stored: str) -> bool:
    """Whether `code` (as typed) is the one `stored` was made from; constant-time compare."""
    scheme, _, rest = stored.partition("$")
    salt, _, digest = rest.partition("$")
    if scheme != SCHEME or not salt or not digest:
        return False
    return hmac.compare_digest(_digest(salt, normalise(code)), digest)


def normalise(text: str) -> str:
    """What a typed code means: full-width folded, upper case, no spaces or hyphens."""
    folded = unicodedata.normalize("NFKC", text).upper()
    return "".join(c for c in folded if c not in _SEPARATORS)


def find_codes(text: str, length: int) -> list[str]:
    """The code-shaped tokens in a message, normalised, in order (at most MAX_CANDIDATES).

    A code may be typed in lower case and split by single spaces or hyphens ("abcd ef23"); a
    token must be exactly `length` symbols of the alphabet, with a letter and a digit, standing
    on its own (not part of a longer word or number).
    """
    folded = unicodedata.normalize("NFKC", text)
    words = list(_WORD.finditer(folded))
    found: list[str] = []
    for start in range(len(words)):
        for candidate in _joined_from(folded, words, start, length):
            if candidate not in found:
                found.append(candidate)
            if len(found) >= MAX_CANDIDATES:
                return found
    return found


def _joined_from(text: str, words: list[re.Match[str]], start: int, length: int) -> Iterator[str]:
    """Runs of words from `start` on, joined by single separators, that make one code."""
    joined = ""
    for index in range(start, len(words)):
        if index > start and not _single_separator(text, words[index - 1], words[index]):
            return
        joined += words[index].group().upper()
        if len(joined) > length or not set(joined) <= set(ALPHABET):
            return
        if len(joined) == length:
            if _is_code_shaped(joined):
                yield joined
            return


def _single_separator(text: str, before: re.Match[str], after: re.Match[str]) -> bool:
    gap = text[before.end() : after.start()]
    return len(gap) == 1 and gap in _SEPARATORS


def _is_code_shaped(code: str) -> bool:
    symbols = set(code)
    return bool(symbols & _LETTERS) and bool(symbols & _DIGITS)


def _digest(salt: str, code: str) -> str:
    return hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()
