"""One-time verification codes: made with `secrets`, kept only as salted hashes, found in DMs,
and masked in whatever stores or shows a message that holds one.

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
from collections.abc import Collection, Iterator

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""32 symbols: 5 bits each, so the default 8 characters give 2^40 codes."""
SCHEME = "sha256"
MAX_CANDIDATES = 20
"""At most this many code-shaped tokens are read from one message (a 10,000-character DM); each
one tried counts as an attempt, so the lockout stops a message of guesses long before this."""
MASK = "[code]"
"""What a code-shaped token is stored and shown as, wherever a code would be read."""

_WORD = re.compile(r"[A-Za-z0-9]+")
_FILLER_WORDS = frozenset(
    re.findall(
        r"\S+",
        "hola buenas buenos días dias tardes noches mi el es este esto aquí aqui tienes te va "
        "código codigo de verificación verificacion gracias saludos "
        "hi hello hey my the is this here it s code verification thanks thank you",
    )
)
"""Words that say nothing but "here is my code", in Spanish and English."""
_FILLER_PHRASES = (
    "สวัสดี", "ค่ะ", "ครับ", "รหัส", "ยืนยัน", "ของ", "ดิฉัน", "ฉัน", "ผม", "คือ", "ขอบคุณ", "นี่",
)  # fmt: skip
"""The same in Thai, written without spaces between words ("I" as women and men say it: ดิฉัน
before ฉัน, which it contains)."""
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
    found: list[str] = []
    for candidate, _, _ in _tokens(text, length):
        if candidate not in found:
            found.append(candidate)
        if len(found) >= MAX_CANDIDATES:
            break
    return found


def mask_codes(text: str, length: int, only: Collection[str] | None = None) -> str:
    """`text` with every code-shaped token (as `find_codes` reads them, however many), or only
    those among the normalised codes `only`, replaced by MASK; the rest is kept exactly."""
    spans: list[tuple[int, int]] = []
    for candidate, start, end in _tokens(text, length):
        if only is not None and candidate not in only:
            continue
        if spans and start < spans[-1][1]:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((start, end))
    for start, end in reversed(spans):
        text = text[:start] + MASK + text[end:]
    return text


def is_only_codes(masked: str) -> bool:
    """Whether a masked message says nothing but its codes ("hola, mi código es [code]")."""
    rest = masked.replace(MASK, " ").casefold()
    for phrase in _FILLER_PHRASES:
        rest = rest.replace(phrase, " ")
    return all(word in _FILLER_WORDS for word in re.findall(r"\w+", rest))


def _tokens(text: str, length: int) -> Iterator[tuple[str, int, int]]:
    """Each code-shaped token: the normalised code and where it stands in `text` as written.

    Each character is folded on its own (NFKC: full-width to ASCII), keeping where it came from,
    so a token found in the folded text maps back to the characters that were typed.
    """
    folded: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        for piece in unicodedata.normalize("NFKC", char):
            folded.append(piece)
            origin.append(index)
    flat = "".join(folded)
    words = list(_WORD.finditer(flat))
    for start in range(len(words)):
        for candidate, last in _joined_from(flat, words, start, length):
            yield candidate, origin[words[start].start()], origin[words[last].end() - 1] + 1


def _joined_from(
    text: str, words: list[re.Match[str]], start: int, length: int
) -> Iterator[tuple[str, int]]:
    """Runs of words from `start` on, joined by single separators, that make one code (with the
    index of the run's last word)."""
    joined = ""
    for index in range(start, len(words)):
        if index > start and not _single_separator(text, words[index - 1], words[index]):
            return
        joined += words[index].group().upper()
        if len(joined) > length or not set(joined) <= set(ALPHABET):
            return
        if len(joined) == length:
            if _is_code_shaped(joined):
                yield joined, index
            return


def _single_separator(text: str, before: re.Match[str], after: re.Match[str]) -> bool:
    gap = text[before.end() : after.start()]
    return len(gap) == 1 and gap in _SEPARATORS


def _is_code_shaped(code: str) -> bool:
    symbols = set(code)
    return bool(symbols & _LETTERS) and bool(symbols & _DIGITS)


def _digest(salt: str, code: str) -> str:
    return hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()
