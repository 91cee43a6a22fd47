"""Folding and phrase matching: accents, case, stems, Thai without spaces, emoji, hostile text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jun_engine.routing.phrases import PhraseIndex
from jun_engine.routing.text import TextView, fold


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("FAROLA Apagada", "farola apagada"),
        ("Camión  pingüino\tÑandú", "camion pinguino nandu"),
        ("a\x00b\u200bc\u202eD", "a bcd"),
        ("ไฟถนนดับ", "ไฟถนนดับ"),
        ("ｆａｒｏｌａ", "farola"),
    ],
)
def test_fold(raw: str, folded: str) -> None:
    assert fold(raw) == folded


def test_thai_marks_are_kept_while_latin_accents_go() -> None:
    assert "\u0e49" in fold("ไฟไหม้")  # the tone mark is part of the word
    assert fold("está") == "esta"


INDEX: PhraseIndex[str] = PhraseIndex(
    [
        ("es", "farola apagada", "lamp"),
        ("en", "burst pipe", "pipe"),
        ("th", "ไฟดับ", "power"),
        ("th", "ไหม", "question"),
        ("und", "🔥", "fire"),
    ]
)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Las FAROLAS APAGADAS otra vez", {"lamp"}),
        ("farola muy apagada", set()),
        ("Two burst pipes on Main St", {"pipe"}),
        ("บ้านไฟดับครับ", {"power"}),
        ("ไฟไหม้", set()),  # ไหม้ (burn) is not the question particle ไหม
        ("เปิดไหม", {"question"}),
        ("🔥🔥", {"fire"}),
    ],
)
def test_phrases(text: str, found: set[str]) -> None:
    assert {p.payload for p in INDEX.find(TextView.of(text))} == found


def test_hashtags_and_handles_are_folded() -> None:
    view = TextView.of("Ojo #Farola y #PolicíaLocalJun @JunObras", ("#EndesaMeEstresa",))
    assert view.hashtags == ("#farola", "#policialocaljun", "#endesameestresa")
    assert view.handles == ("junobras",)


@given(st.text(max_size=300))
def test_any_text_folds_and_matches_without_error(text: str) -> None:
    view = TextView.of(text)
    assert isinstance(INDEX.find(view), list)
    assert fold(view.folded) == view.folded
