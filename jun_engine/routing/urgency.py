"""Emergencies: words such as fire, accident, flood, gas or violence open the fast lane."""

from __future__ import annotations

from collections.abc import Mapping

from jun_engine.domain.routing import Urgency
from jun_engine.routing.phrases import PhraseIndex, Stemmers
from jun_engine.routing.text import TextView

EMERGENCY_WORDS: Mapping[str, tuple[str, ...]] = {
    "es": (
        "incendio",
        "fuego",
        "humo",
        "ardiendo",
        "quemando",
        "accidente",
        "atropello",
        "atropellado",
        "choque",
        "inundación",
        "inundado",
        "inundada",
        "riada",
        "fuga de gas",
        "olor a gas",
        "huele a gas",
        "gas",
        "explosión",
        "violencia",
        "agresión",
        "pelea",
        "herido",
        "herida",
        "heridos",
        "sangrando",
        "emergencia",
        "socorro",
        "derrumbe",
    ),
    "en": (
        "fire",
        "smoke",
        "burning",
        "accident",
        "crash",
        "run over",
        "flood",
        "flooded",
        "flooding",
        "gas leak",
        "smell of gas",
        "smells of gas",
        "gas",
        "explosion",
        "violence",
        "assault",
        "fight",
        "injured",
        "bleeding",
        "emergency",
        "collapse",
    ),
    "th": (
        "ไฟไหม้",
        "ควันไฟ",
        "อุบัติเหตุ",
        "รถชน",
        "น้ำท่วม",
        "แก๊สรั่ว",
        "กลิ่นแก๊ส",
        "ระเบิด",
        "ความรุนแรง",
        "ทำร้ายร่างกาย",
        "ทะเลาะวิวาท",
        "บาดเจ็บ",
        "เลือดออก",
        "ฉุกเฉิน",
        "ช่วยด้วย",
    ),
    "und": ("🔥", "🚨", "🆘", "🚒", "🚑"),
}
"""Phrases per language; `und` holds emoji that mean an emergency in any language."""


class UrgencyDetector:
    """The emergency lexicon compiled once."""

    def __init__(
        self,
        words: Mapping[str, tuple[str, ...]] = EMERGENCY_WORDS,
        stemmers: Stemmers | None = None,
    ) -> None:
        self._index: PhraseIndex[Urgency] = PhraseIndex(
            (
                (language, phrase, Urgency.EMERGENCY)
                for language, phrases in words.items()
                for phrase in phrases
            ),
            stemmers,
        )

    def detect(self, view: TextView) -> tuple[Urgency, tuple[str, ...]]:
        """The urgency of one message and the emergency phrases it holds."""
        matched = tuple(dict.fromkeys(phrase.text for phrase in self._index.find(view)))
        return (Urgency.EMERGENCY if matched else Urgency.NORMAL), matched
