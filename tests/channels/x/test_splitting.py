"""Long texts become numbered threads of posts within 280 weighted characters (twitter-text v3)
or DMs within 10,000 characters, cut between words and never inside a grapheme."""

from __future__ import annotations

import re

import pytest

from jun_engine.channels.graphemes import graphemes
from jun_engine.channels.x.splitting import MAX_DM_CHARS, post_weight, split_dm, split_post

SUFFIX = re.compile(r" (\d+)/(\d+)$")
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"
SPAIN = "\U0001f1ea\U0001f1f8"
WAVE_DARK = "\U0001f44b\U0001f3ff"
URL = "https://www.jun.es/ayuntamiento/noticias/2026/03/corte-de-agua-en-la-calle-mayor"

LONG_TEXTS = {
    "spanish_accents": "Corte de agua en la calle Añoreta por reparación urgente, disculpen. " * 9,
    "thai": "ประกาศจากเทศบาลเมืองจุน น้ำประปาจะหยุดจ่ายชั่วคราว " * 12,
    "thai_no_spaces": "ประกาศจากเทศบาลเมืองจุนน้ำประปาจะหยุดจ่ายชั่วคราว" * 12,
    "emoji_zwj": f"{FAMILY} " * 200,
    "emoji_zwj_unbroken": FAMILY * 300,
    "flags": SPAIN * 300,
    "skin_tones": WAVE_DARK * 300,
    "cjk": "君の町の水道は明日止まります。" * 40,
    "urls": f"Más información: {URL} " * 20,
    "combining_accents": "Jun" + "e\u0301" * 600,
    "ten_thousand": "palabra " * 1250,
    "rtl_arabic": "إعلان من بلدية جون: انقطاع المياه غدا " * 20,
}


def _body(part: str) -> str:
    return SUFFIX.sub("", part)


def _numbering(parts: list[str]) -> list[tuple[int, int]]:
    found = [SUFFIX.search(part) for part in parts]
    assert all(found), parts
    return [(int(m.group(1)), int(m.group(2))) for m in found if m]


@pytest.mark.parametrize(
    "text",
    [
        "Hola, ¿qué tal? Añoreta, Jun (Granada) 🇪🇸",
        "a" * 280,
        "漢" * 140,
        f"{URL} " + "a" * 256,
    ],
    ids=["short_spanish", "exactly_280_ascii", "exactly_280_cjk", "url_weighs_23"],
)
def test_a_post_within_280_weighted_characters_is_left_whole(text: str) -> None:
    assert post_weight(text) <= 280
    assert split_post(text) == [text]


def test_a_url_weighs_23_whatever_its_length() -> None:
    assert post_weight(URL) == 23
    assert post_weight(f"{URL} " + "a" * 256) == 280


@pytest.mark.parametrize(
    "text", ["a" * 281, "漢" * 141, "é" * 281], ids=["281_ascii", "282_cjk", "281_accents"]
)
def test_one_weighted_character_over_makes_a_thread_of_two(text: str) -> None:
    parts = split_post(text)

    assert _numbering(parts) == [(1, 2), (2, 2)]
    assert all(post_weight(part) <= 280 for part in parts)
    assert "".join(_body(part) for part in parts) == text


@pytest.mark.parametrize("name", sorted(LONG_TEXTS))
def test_every_thread_part_fits_and_is_numbered_in_order(name: str) -> None:
    parts = split_post(LONG_TEXTS[name])

    total = len(parts)
    assert total >= 2
    assert _numbering(parts) == [(n, total) for n in range(1, total + 1)]
    assert all(post_weight(part) <= 280 for part in parts)


@pytest.mark.parametrize("name", sorted(LONG_TEXTS))
def test_a_thread_keeps_every_character_and_cuts_only_between_graphemes(name: str) -> None:
    text = LONG_TEXTS[name]
    bodies = [_body(part) for part in split_post(text)]

    assert "".join("".join(bodies).split()) == "".join(text.split())
    whole = set(graphemes(text))
    for body in bodies:
        assert set(graphemes(body)) <= whole | {" "}, "a grapheme was cut"


def test_a_thread_cuts_between_words_when_it_can() -> None:
    text = LONG_TEXTS["spanish_accents"]
    words = set(text.split())

    for part in split_post(text):
        assert set(_body(part).split()) <= words


def test_urls_are_never_cut() -> None:
    for part in split_post(LONG_TEXTS["urls"]):
        assert all(word == URL for word in _body(part).split() if word.startswith("http"))


def test_numbering_with_two_digit_totals_is_counted_in_the_weight() -> None:
    parts = split_post(LONG_TEXTS["ten_thousand"])

    assert len(parts) >= 10
    assert parts[0].endswith(f" 1/{len(parts)}")
    assert all(post_weight(part) <= 280 for part in parts)


@pytest.mark.parametrize(
    ("length", "expected_parts"),
    [(1, 1), (MAX_DM_CHARS, 1), (MAX_DM_CHARS + 1, 2), (25_000, 3)],
)
def test_dms_are_split_at_10000_characters(length: int, expected_parts: int) -> None:
    text = "x" * length

    parts = split_dm(text)

    assert len(parts) == expected_parts
    assert all(len(part) <= MAX_DM_CHARS for part in parts)
    assert "".join(parts) == text


def test_a_long_dm_is_cut_between_words_and_never_inside_an_emoji() -> None:
    text = f"Hola {FAMILY} vecina, " * 1000

    parts = split_dm(text)

    assert len(parts) == 3
    assert all(len(part) <= MAX_DM_CHARS for part in parts)
    assert all(not part.startswith("\u200d") and not part.endswith("\u200d") for part in parts)
    assert "".join("".join(parts).split()) == "".join(text.split())


@pytest.mark.parametrize(
    ("text", "clusters"),
    [
        (FAMILY, [FAMILY]),
        (SPAIN + SPAIN, [SPAIN, SPAIN]),
        (WAVE_DARK + "a", [WAVE_DARK, "a"]),
        ("e\u0301a", ["e\u0301", "a"]),
        ("\u2764\ufe0f", ["\u2764\ufe0f"]),
        ("ก\u0e33", ["ก\u0e33"]),
        ("\r\n", ["\r\n"]),
    ],
    ids=[
        "zwj_family",
        "two_flags",
        "skin_tone",
        "combining_acute",
        "variation_selector",
        "thai_sara_am",
        "crlf",
    ],
)
def test_graphemes_keep_user_perceived_characters_whole(text: str, clusters: list[str]) -> None:
    assert graphemes(text) == clusters
