"""What a message asks for: a repair or complaint, a question, an appointment, a police report,
a suggestion, or thanks. Phrase lists per language; the first rule that holds wins."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from jun_engine.domain.routing import Intent
from jun_engine.routing.phrases import PhraseIndex, Stemmers
from jun_engine.routing.text import TextView

COMPLAINT_MARKS = "complaint_marks"

LEXICON: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    Intent.POLICE_REPORT: {
        "es": (
            "denunciar",
            "poner una denuncia",
            "me han robado",
            "robo",
            "robaron",
            "atraco",
            "agresión",
            "amenazas",
            "okupas",
            # tips: served from anyone, like any police report (docs/residents.md)
            "aviso anónimo",
            "denuncia anónima",
            "chivatazo",
            "trapicheo",
            "venta de droga",
            "vendiendo droga",
            "narcopiso",
        ),
        "en": (
            "report a crime",
            "file a report",
            "robbed",
            "stolen",
            "theft",
            "burglary",
            "assaulted",
            "threatened",
            "anonymous tip",
            "tip off",
            "tip-off",
            "drug dealing",
            "dealing drugs",
            "selling drugs",
        ),
        "th": (
            "แจ้งความ",
            "โดนขโมย",
            "ถูกขโมย",
            "ขโมย",
            "ปล้น",
            "ถูกทำร้าย",
            "ข่มขู่",
            "แจ้งเบาะแส",
            "ค้ายา",
            "ขายยาเสพติด",
        ),
    },
    Intent.APPOINTMENT: {
        "es": (
            "cita",
            "pedir cita",
            "cita previa",
            "reservar",
            "reserva",
            "hora con",
            "quiero ir a",
            "apuntarme",
        ),
        "en": ("appointment", "book", "booking", "reserve", "schedule a visit", "sign me up"),
        "th": ("นัด", "นัดหมาย", "จอง", "ขอนัด", "ลงทะเบียน"),
    },
    Intent.SUGGESTION: {
        "es": (
            "propongo",
            "sugiero",
            "sugerencia",
            "estaría bien",
            "sería bueno",
            "deberían poner",
            "podrían poner",
            "idea",
        ),
        "en": (
            "i suggest",
            "suggestion",
            "it would be nice",
            "it would be great",
            "why not",
            "you should add",
            "idea",
        ),
        "th": ("ข้อเสนอ", "เสนอแนะ", "อยากให้มี", "ควรจะมี", "น่าจะมี", "ไอเดีย"),
    },
    Intent.THANKS: {
        "es": ("gracias", "muchas gracias", "enhorabuena", "buen trabajo", "os felicito"),
        "en": ("thanks", "thank you", "great job", "well done", "much appreciated"),
        "th": ("ขอบคุณ", "ขอบใจ", "เยี่ยมมาก"),
        "und": ("🙏", "👏", "❤", "💐", "👍"),
    },
    Intent.QUESTION: {
        "es": (
            "cuándo",
            "dónde",
            "cómo",
            "qué",
            "cuál",
            "quién",
            "se puede",
            "hay algún",
            "sabéis",
            "saben",
        ),
        "en": (
            "when",
            "where",
            "how",
            "what",
            "which",
            "who",
            "can i",
            "is there",
            "are there",
            "do you know",
        ),
        "th": ("ไหม", "มั้ย", "อย่างไร", "ยังไง", "เมื่อไหร่", "ที่ไหน", "หรือเปล่า", "หรือไม่", "อะไร"),
        "und": ("?", "¿", "❓"),
    },
    COMPLAINT_MARKS: {
        "es": (
            "roto",
            "rota",
            "rotos",
            "no funciona",
            "averiado",
            "averiada",
            "apagada",
            "apagado",
            "sucio",
            "sucia",
            "atascado",
            "queja",
            "todavía",
            "sigue sin",
            "nadie",
            "fatal",
            "vergüenza",
            "peligro",
        ),
        "en": (
            "broken",
            "not working",
            "does not work",
            "doesn't work",
            "out of order",
            "dirty",
            "blocked",
            "complaint",
            "still",
            "nobody",
            "dangerous",
        ),
        "th": ("เสีย", "พัง", "ไม่ทำงาน", "สกปรก", "อุดตัน", "ร้องเรียน", "อันตราย", "ยังไม่"),
        "und": ("😡", "😠", "🤬", "💩"),
    },
}
"""Phrases per intent and language; `und` holds marks and emoji that mean the same in any."""

ORDER = (Intent.POLICE_REPORT, Intent.APPOINTMENT, Intent.SUGGESTION)
"""Intents that win as soon as one of their phrases appears, in this order."""


@dataclass(frozen=True, slots=True)
class IntentFinding:
    """The intent, and the phrase that decided it (empty for the default)."""

    intent: Intent
    matched: str = ""


class IntentDetector:
    """The intent lexicon compiled once."""

    def __init__(
        self,
        lexicon: Mapping[str, Mapping[str, tuple[str, ...]]] = LEXICON,
        stemmers: Stemmers | None = None,
    ) -> None:
        self._index: PhraseIndex[str] = PhraseIndex(_entries(lexicon), stemmers)

    def detect(self, view: TextView) -> IntentFinding:
        """The intent of one message (complaint or repair when nothing else holds)."""
        found: dict[str, str] = {}
        for phrase in self._index.find(view):
            found.setdefault(phrase.payload, phrase.text)
        for intent in ORDER:
            if intent in found:
                return IntentFinding(intent, found[intent])
        if COMPLAINT_MARKS not in found:
            if Intent.THANKS in found and Intent.QUESTION not in found:
                return IntentFinding(Intent.THANKS, found[Intent.THANKS])
            if Intent.QUESTION in found:
                return IntentFinding(Intent.QUESTION, found[Intent.QUESTION])
        return IntentFinding(Intent.COMPLAINT, found.get(COMPLAINT_MARKS, ""))


def _entries(
    lexicon: Mapping[str, Mapping[str, tuple[str, ...]]],
) -> Iterator[tuple[str, str, str]]:
    for intent, by_language in lexicon.items():
        for language, phrases in by_language.items():
            for phrase in phrases:
                yield language, phrase, str(intent)
