"""Hostile text is stored exactly, byte for byte, on both databases; the only exception (what
PostgreSQL text cannot hold: U+0000 and lone surrogates) becomes U+FFFD on both alike."""

from __future__ import annotations

import unicodedata
import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jun_engine.domain.messages import Channel, InboundMessage, MessageKind
from jun_engine.domain.statuses import PollStream
from jun_engine.store.column_types import storable_text
from jun_engine.store.repository import Checkpoint, get_message, store_messages
from jun_engine.store.session import session_scope

CAFE_NFC = unicodedata.normalize("NFC", "café")
CAFE_NFD = unicodedata.normalize("NFD", "café")

HOSTILE = {
    "emoji_zwj_family": "👨‍👩‍👧‍👦 y 🏳️‍🌈 en la plaza",
    "emoji_skin_tones": "👋🏻👋🏼👋🏽👋🏾👋🏿 🧑🏽‍🚒",
    "arabic_rtl": "الإنارة معطلة في الشارع الرئيسي",
    "hebrew_rtl": "פנס הרחוב שבור",
    "bidi_override": "report \u202etxt.exe\u202c done",
    "bidi_isolates": "\u2066LTR\u2069 \u2067RTL\u2069 \u2068first\u2069",
    "thai": "ไฟถนนดับที่ซอยสาม ขอบคุณครับ",
    "combining_marks": "Z\u0351\u0308\u0334a\u0310\u0338l\u0322g\u0361o",
    "nfc_cafe": CAFE_NFC,
    "nfd_cafe": CAFE_NFD,
    "dm_of_10000_chars": ("Calle Ñandú 7, 2ºB. " * 500)[:10_000],
    "control_characters": "a\tb\nc\r\nd\x01e\x7ff\x1b[31m",
    "only_whitespace": " \t\n ",
    "empty": "",
    "sql_looking": "'); DROP TABLE inbound_message; --",
    "astral_plane": "𝕵𝖚𝖓 𓀀 🀄",
}

POLLED = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def _message(platform_id: str, text: str) -> InboundMessage:
    return InboundMessage(
        channel=Channel.X,
        kind=MessageKind.DM,
        platform_id=platform_id,
        account_id="1001",
        author_id="2002",
        author_handle=text[:64] or None,
        text=text,
        created_at=POLLED,
        raw=text,
    )


def _round_trip(engine: sa.Engine, platform_id: str, text: str) -> InboundMessage:
    checkpoint = Checkpoint("1001", PollStream.DMS, platform_id, POLLED)
    with session_scope(engine) as session:
        store_messages(session, [_message(platform_id, text)], checkpoint)
    with session_scope(engine) as session:
        found = get_message(session, Channel.X, MessageKind.DM, platform_id)
    assert found is not None
    return found


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_text_is_stored_exactly(engine: sa.Engine, text: str) -> None:
    found = _round_trip(engine, "1", text)
    assert found.text.encode("utf-8") == text.encode("utf-8")
    assert found.raw == text
    assert found.author_handle == (text[:64] or None)


def test_nfc_and_nfd_forms_stay_distinct(engine: sa.Engine) -> None:
    assert CAFE_NFC != CAFE_NFD
    assert _round_trip(engine, "1", CAFE_NFC).text == CAFE_NFC
    assert _round_trip(engine, "2", CAFE_NFD).text == CAFE_NFD


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("before\x00after", "before\ufffdafter"),
        ("\x00", "\ufffd"),
        ("lone \ud800 surrogate", "lone \ufffd surrogate"),
        ("pair kept: 😀", "pair kept: 😀"),
    ],
    ids=["nul_inside", "only_nul", "lone_surrogate", "real_emoji"],
)
def test_what_postgres_cannot_hold_becomes_a_replacement_character_on_both(
    engine: sa.Engine, text: str, stored: str
) -> None:
    found = _round_trip(engine, "1", text)
    assert found.text == stored
    assert found.raw == stored


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=300))
def test_any_utf8_text_round_trips_byte_for_byte(engine: sa.Engine, text: str) -> None:
    found = _round_trip(engine, uuid.uuid4().hex, text)
    assert found.text.encode("utf-8") == text.encode("utf-8")


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=st.text(st.characters(exclude_categories=()), max_size=100))
def test_any_python_text_is_stored_as_its_storable_form(engine: sa.Engine, text: str) -> None:
    assert _round_trip(engine, uuid.uuid4().hex, text).text == storable_text(text)
