"""Self-service texts: every one in Spanish, English, Thai and Japanese with the same fields,
counts in the plural form each language's rules ask for (never "cita(s)"), button labels that
fit LINE's quick replies, and dates as each language writes them."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from jun_engine.domain.choices import MAX_LABEL
from jun_engine.selfservice.dates import format_short, format_when
from jun_engine.selfservice.texts import COUNTED_BY, TEXTS, say

FIELDS = r"{(\w+)}"


@pytest.mark.parametrize("key", sorted(TEXTS))
def test_every_text_has_the_same_fields_in_every_language(key: str) -> None:
    table = TEXTS[key]
    assert set(table) == {"es", "en", "th", "ja"}
    found = set()
    for template in table.values():
        forms = [template] if isinstance(template, str) else list(template.values())
        counted = {COUNTED_BY.get(key, "count")}  # a singular form may spell its count out
        found |= {frozenset(re.findall(FIELDS, form)) - counted for form in forms}
    assert len(found) == 1, found


@pytest.mark.parametrize(
    ("language", "count", "wanted", "unwanted"),
    [
        ("es", 1, "Ya tienes una cita pendiente", "(s)"),
        ("es", 2, "Ya tienes 2 citas pendientes", "(s)"),
        ("en", 1, "You already have an upcoming appointment,", "(s)"),
        ("en", 3, "You already have 3 upcoming appointments,", "(s)"),
        ("th", 2, "คุณมีนัด 2 นัดแล้ว", "(s)"),
        ("ja", 2, "すでに上限の2件のご予約があります", "(s)"),
    ],
)
def test_the_appointment_limit_counts_in_each_language(
    language: str, count: int, wanted: str, unwanted: str
) -> None:
    text = say("limit_reached", language, count=count, items="A-1")
    assert wanted in text
    assert unwanted not in text


@pytest.mark.parametrize(
    ("language", "days", "wanted"),
    [
        ("es", 1, "en el próximo día."),
        ("es", 14, "en los próximos 14 días."),
        ("en", 1, "in the next day."),
        ("en", 14, "in the next 14 days."),
        ("th", 1, "ใน 1 วันข้างหน้า"),
    ],
)
def test_no_free_slots_counts_the_days_in_each_language(
    language: str, days: int, wanted: str
) -> None:
    assert wanted in say("no_slots", language, department="Consultorio", days=days)


def test_a_plural_text_needs_its_count() -> None:
    with pytest.raises(TypeError, match="count"):
        say("limit_reached", "es", items="A-1")


@pytest.mark.parametrize("key", sorted(key for key in TEXTS if key.startswith("button_")))
def test_button_labels_fit_a_quick_reply(key: str) -> None:
    for label in TEXTS[key].values():
        assert isinstance(label, str)
        assert 0 < len(label) <= MAX_LABEL, label


@pytest.mark.parametrize(
    ("language", "long", "short"),
    [
        ("es", "lunes 2 de marzo a las 11:00", "lun 2 mar 11:00"),
        ("en", "Monday 2 March at 11:00", "Mon 2 Mar 11:00"),
        ("th", "วันจันทร์ที่ 2 มีนาคม เวลา 11:00 น.", "จ. 2 มี.ค. 11:00"),
        ("ja", "3月2日(月) 11:00", "3/2(月) 11:00"),
    ],
)
def test_a_slot_reads_in_each_language_in_full_and_on_a_button(
    language: str, long: str, short: str
) -> None:
    moment = datetime(2026, 3, 2, 11, 0)
    assert format_when(moment, language) == long
    assert format_short(moment, language) == short
    assert len(short) <= MAX_LABEL
