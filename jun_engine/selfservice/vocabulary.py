"""What a resident's message asks self-service for: phrase lists per topic and language, the
department it names, the district, and the language to answer in.

Matching reuses the router's folding and stemming (`jun_engine.routing.phrases`): "citas" finds
"cita", "Menú" finds "menu", Thai is matched as written.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum

from jun_engine.config.schema import Config
from jun_engine.domain.routing import Intent
from jun_engine.routing.intent import IntentDetector
from jun_engine.routing.phrases import PhraseIndex
from jun_engine.routing.text import TextView, fold


class Topic(StrEnum):
    """A thing a message can ask for or mention, as far as self-service cares."""

    APPOINTMENT = "appointment"
    CANCEL = "cancel"
    MOVE = "move"
    STOP = "stop"
    MENU = "menu"
    TODAY = "today"
    TOMORROW = "tomorrow"
    ALLERGY = "allergy"
    HOURS = "hours"
    RUBBISH = "rubbish"
    COUNCIL = "council"
    VERIFY = "verify"
    HELP = "help"
    YES = "yes"
    SPANISH = "lang_es"
    ENGLISH = "lang_en"


LEXICON: Mapping[Topic, Mapping[str, tuple[str, ...]]] = {
    Topic.APPOINTMENT: {
        "es": ("cita", "pedir cita", "hora con el médico", "hora para el médico"),
        "en": ("appointment", "booking", "appt", "see the doctor", "see a doctor"),
        "th": ("นัด", "ขอนัด", "จองคิว"),
        "ja": ("予約", "診察", "受診"),
    },
    Topic.CANCEL: {
        "es": ("cancelar", "anular", "cancela", "anula", "no puedo ir"),
        "en": ("cancel", "call off", "cannot come", "can't come"),
        "th": ("ยกเลิก",),
        "ja": ("キャンセル", "取り消", "取消", "行けません"),
    },
    Topic.MOVE: {
        "es": ("cambiar", "mover", "aplazar", "retrasar", "adelantar", "otro día", "otra hora"),
        "en": ("change", "move", "reschedule", "postpone", "another day", "another time"),
        "th": ("เลื่อน", "เปลี่ยนนัด", "เปลี่ยนวัน", "เปลี่ยนเวลา"),
        "ja": ("変更", "別の日", "別の時間", "日程を変え"),
    },
    Topic.STOP: {
        "es": ("cancelar", "no", "nada", "ninguna", "déjalo", "olvídalo", "salir"),
        "en": ("cancel", "no", "none", "stop", "never mind", "forget it", "quit"),
        "th": ("ยกเลิก", "ไม่เอา", "ไม่ต้อง"),
        "ja": ("キャンセル", "いいえ", "やめ", "結構です"),
    },
    Topic.YES: {
        "es": ("sí", "si", "vale", "confirmo", "confirmar", "de acuerdo"),
        "en": ("yes", "ok", "okay", "confirm", "sure"),
        "th": ("ใช่", "ตกลง", "ยืนยัน"),
        "ja": ("はい", "確定", "お願いします"),
    },
    Topic.MENU: {
        "es": ("menú", "comedor", "qué comen", "comida del cole", "comida del colegio"),
        "en": ("menu", "lunch", "canteen", "school dinner", "school meal"),
        "th": ("เมนู", "อาหารกลางวัน", "โรงอาหาร"),
        "ja": ("給食", "献立", "メニュー"),
    },
    Topic.TODAY: {
        "es": ("hoy",), "en": ("today", "tonight"), "th": ("วันนี้",), "ja": ("今日", "本日")
    },
    Topic.TOMORROW: {"es": ("mañana",), "en": ("tomorrow",), "th": ("พรุ่งนี้",), "ja": ("明日",)},
    Topic.ALLERGY: {
        "es": ("alergia", "alérgico", "alérgica", "intolerancia", "celíaco", "celíaca"),
        "en": ("allergy", "allergic", "intolerance", "intolerant", "coeliac", "celiac"),
        "th": ("แพ้",),
        "ja": ("アレルギー",),
    },
    Topic.HOURS: {
        "es": ("horario", "a qué hora abre", "a qué hora cierra", "hora de apertura",
               "está abierto", "está abierta", "abre", "abren", "cierra", "cierran"),
        "en": ("opening hours", "opening times", "hours", "open", "opens", "close", "closes"),
        "th": ("เวลาเปิด", "เปิดกี่โมง", "ปิดกี่โมง", "เวลาทำการ", "เปิดไหม", "เปิดวันไหน"),
        "ja": ("受付時間", "営業時間", "開いて", "何時から", "何時まで", "開館時間"),
    },
    Topic.RUBBISH: {
        "es": ("basura", "recogida de basura", "recogen la basura", "pasa el camión"),
        "en": ("rubbish", "garbage", "trash", "bin day", "bins collected", "collection day"),
        "th": ("ขยะ", "เก็บขยะ"),
        "ja": ("ごみ", "ゴミ", "収集日"),
    },
    Topic.COUNCIL: {
        "es": ("pleno", "sesión plenaria", "pleno municipal"),
        "en": ("council meeting", "plenary", "full council"),
        "th": ("ประชุมสภา", "สภาเทศบาล"),
        "ja": ("議会",),
    },
    Topic.VERIFY: {
        "es": ("verificar", "verificación", "verifico", "verificado", "código de verificación"),
        "en": ("verify", "verification", "verified", "verification code"),
        "th": ("ยืนยันตัวตน", "ยืนยันบัญชี", "รหัสยืนยัน"),
        "ja": ("本人確認", "アカウント確認", "認証", "確認コード"),
    },
    Topic.SPANISH: {
        "es": ("el", "la", "los", "las", "de", "que", "quiero", "por", "para", "con", "mi",
               "una", "hola", "gracias", "hay", "es", "qué", "cuándo", "dónde", "necesito",
               "ayuda"),
    },
    Topic.ENGLISH: {
        "en": ("the", "i", "my", "to", "a", "is", "what", "when", "where", "please", "hello",
               "thanks", "need", "want", "there", "do", "of", "and", "help"),
    },
}  # fmt: skip
"""Phrases per topic and language, matched after folding and (es/en) stemming."""

HELP_WORDS = frozenset(
    fold(word)
    for word in (
        "ayuda", "help", "ayudame", "ayúdame", "ช่วยด้วย", "วิธีใช้", "info", "menu de ayuda",
        "ヘルプ", "使い方",
    )
)  # fmt: skip
HELP_TAGS = frozenset(fold(tag) for tag in ("#ayuda", "#help", "#วิธีใช้", "#ช่วยด้วย", "#ヘルプ"))
NAME_STOPWORDS = frozenset(
    ("public", "local", "street", "social", "citizen", "servicios", "atencion", "the")
)
_THAI = re.compile(r"[\u0e00-\u0e7f]")
_JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\uff66-\uff9f]")
"""Kana and kanji (a town that writes Chinese is not served yet)."""
_REFERENCE = re.compile(r"\b([A-Z]{2,8}-A\d{5,})\b", re.IGNORECASE)
_MORNING = re.compile(r"\b(esta|por la|de la|la|cada|toda la) manana\b")


@dataclass(frozen=True, slots=True)
class Reading:
    """One message as self-service reads it."""

    view: TextView
    topics: frozenset[Topic]
    language: str | None
    """The language the text is written in, when it shows; None for "2" or "10:30"."""
    words: int
    question: bool
    """Asks something (a question, or a short request with no complaint in it)."""
    references: tuple[str, ...]


class Vocabulary:
    """The topic phrases and the town's names (departments, districts) compiled once."""

    def __init__(self, config: Config) -> None:
        self._topics: PhraseIndex[Topic] = PhraseIndex(_topic_entries(LEXICON))
        self._departments: PhraseIndex[str] = PhraseIndex(_department_entries(config))
        self._names: PhraseIndex[str] = PhraseIndex(_name_entries(config))
        self._districts: PhraseIndex[str] = PhraseIndex(
            ("es", district, district) for district in config.notices.rubbish_collection
        )
        self._intents = IntentDetector()

    def read(self, text: str) -> Reading:
        """What `text` asks for and in which language."""
        view = TextView.of(text)
        found = self._topics.find(view)
        topics = {phrase.payload for phrase in found}
        if Topic.TOMORROW in topics and _MORNING.search(view.folded):
            topics.discard(Topic.TOMORROW)
        finding = self._intents.detect(view)
        question = finding.intent is Intent.QUESTION or (
            finding.intent is Intent.COMPLAINT and not finding.matched
        )
        if any(tag in HELP_TAGS for tag in view.hashtags) or _bare(view) in HELP_WORDS:
            topics.add(Topic.HELP)
        return Reading(
            view=view,
            topics=frozenset(topics),
            language=_language(view, [phrase.language for phrase in found]),
            words=len([w for w in view.words if not w.isdigit()]),
            question=question,
            references=tuple(m.upper() for m in _REFERENCE.findall(text)),
        )

    def departments(self, view: TextView) -> Counter[str]:
        """How much evidence (keywords, names) the text holds for each department."""
        return Counter(phrase.payload for phrase in self._departments.find(view))

    def named_departments(self, view: TextView) -> set[str]:
        """Departments the text names (by name), for opening-hours questions."""
        return {phrase.payload for phrase in self._names.find(view)}

    def district(self, view: TextView) -> str | None:
        """The one district the text names, if exactly one."""
        named = {phrase.payload for phrase in self._districts.find(view)}
        return named.pop() if len(named) == 1 else None


def _bare(view: TextView) -> str:
    """The text without handles, hashtags' marks and punctuation: `@AytoJun ayuda!` -> `ayuda`."""
    return " ".join(w for w in view.words if w not in view.handles)


def _language(view: TextView, languages: list[str]) -> str | None:
    if _THAI.search(view.folded):
        return "th"
    if _JAPANESE.search(view.folded):
        return "ja"
    counts = Counter(lang for lang in languages if lang in ("es", "en"))
    if not counts:
        return None
    (best, top), *rest = counts.most_common()
    return None if rest and rest[0][1] == top else best


def _topic_entries(
    lexicon: Mapping[Topic, Mapping[str, tuple[str, ...]]],
) -> Iterator[tuple[str, str, Topic]]:
    for topic, by_language in lexicon.items():
        for language, phrases in by_language.items():
            for phrase in phrases:
                yield language, phrase, topic


def _department_entries(config: Config) -> Iterator[tuple[str, str, str]]:
    yield from _name_entries(config)
    for key, dept in config.departments.items():
        lists = [dept.keywords, *(category.keywords for category in dept.categories.values())]
        for keywords in lists:
            for language, phrases in keywords.items():
                for phrase in phrases:
                    yield language, phrase, key


def _name_entries(config: Config) -> Iterator[tuple[str, str, str]]:
    """Each department's names in every language, and the first word of its name when that word
    is distinctive ("Consultorio", "Health"). Handles are left out: every mention holds one."""
    for key, dept in config.departments.items():
        yield "und", key.replace("_", " "), key
        for language, name in dept.name.items():
            yield language, name, key
            first = fold(name).split(" ")[0]
            if len(first) >= 5 and first not in NAME_STOPWORDS and not _THAI.search(first):
                yield language, first, key
