"""One-time codes: what they look like, how they are kept, and how they are found in a DM."""

from __future__ import annotations

import pytest

from jun_engine.residents.codes import (
    ALPHABET,
    MAX_CANDIDATES,
    find_codes,
    generate_code,
    grouped,
    hash_code,
    is_only_codes,
    matches,
)


@pytest.mark.parametrize("length", [6, 8, 12])
def test_a_code_has_the_configured_length_a_letter_a_digit_and_no_lookalikes(length: int) -> None:
    for _ in range(200):
        code = generate_code(length)
        assert len(code) == length
        assert set(code) <= set(ALPHABET)
        assert not set(code) & set("0O1I")
        assert any(c.isalpha() for c in code)
        assert any(c.isdigit() for c in code)


def test_codes_are_random() -> None:
    assert len({generate_code(8) for _ in range(500)}) == 500


@pytest.mark.parametrize(
    ("code", "shown"),
    [
        ("ABC234", "ABC-234"),
        ("ABCD2345", "ABCD-2345"),
        ("ABCDE2345", "ABC-DE2-345"),
        ("ABCDE23456", "ABCDE-23456"),
        ("ABCDEF234567", "ABCD-EF23-4567"),
    ],
)
def test_codes_are_printed_in_groups(code: str, shown: str) -> None:
    assert grouped(code) == shown


def test_only_a_salted_hash_is_kept_and_it_matches_the_code_however_typed() -> None:
    stored = hash_code("ABCD-EF23")
    assert "ABCD" not in stored
    assert "EF23" not in stored
    assert hash_code("ABCD-EF23") != stored  # a fresh salt each time
    for typed in ("ABCD-EF23", "abcdef23", "abcd ef23", "ＡＢＣＤ－ＥＦ２３"):
        assert matches(typed, stored), typed
    assert not matches("ABCD-EF24", stored)
    assert not matches("ABCD-EF23", "md5$salt$digest")


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("ABCD-EF23", ["ABCDEF23"]),
        ("Hola, mi código es abcd ef23. Gracias!", ["ABCDEF23"]),
        ("code: ＡＢＣＤＥＦ２３", ["ABCDEF23"]),
        ("รหัสของฉันคือ ABCD-EF23 ค่ะ", ["ABCDEF23"]),
        ("tengo un problema con la farola", []),  # eight letters, no digit: a word
        ("llamad al 23456789", []),  # eight digits, no letter: a number
        ("ABCD-EF23X", []),  # part of a longer token
        ("ABCD  EF23", []),  # two spaces do not join a code
        ("AB0D-EF23 OR AB1D-EF23", []),  # 0 and 1 are never in a code
        ("", []),
    ],
)
def test_code_shaped_tokens_in_a_message(text: str, found: list[str]) -> None:
    assert find_codes(text, 8) == found


def test_a_huge_hostile_message_yields_a_bounded_number_of_candidates() -> None:
    text = ("AB2D EF3H \u202e\x00\U0001f525 " * 2000)[:10_000]
    found = find_codes(text, 8)
    assert 0 < len(found) <= MAX_CANDIDATES


@pytest.mark.parametrize(
    ("masked", "only"),
    [
        ("hola, mi código es [code]", True),
        ("รหัสของฉันคือ [code] ค่ะ", True),
        ("รหัสยืนยันของผมคือ [code] ครับ", True),  # a man says "I" as ผม
        ("สวัสดีค่ะ รหัสของดิฉันคือ [code]", True),
        ("รหัสของผมคือ [code] ไฟถนนหน้าบ้านดับ", False),  # and the streetlight is out
        ("mi código es [code] y la farola está fundida", False),
    ],
)
def test_a_message_that_says_nothing_but_its_code(masked: str, only: bool) -> None:
    assert is_only_codes(masked) is only
