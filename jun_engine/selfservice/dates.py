"""Dates and times as residents read them, in Spanish, English or Thai, in the town's zone."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

WEEKDAYS: dict[str, tuple[str, ...]] = {
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "th": ("วันจันทร์", "วันอังคาร", "วันพุธ", "วันพฤหัสบดี", "วันศุกร์", "วันเสาร์", "วันอาทิตย์"),
}
MONTHS: dict[str, tuple[str, ...]] = {
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
           "septiembre", "octubre", "noviembre", "diciembre"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "th": ("มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม",
           "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม"),
}  # fmt: skip
DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
AND = {"es": " y ", "en": " and ", "th": " และ"}


def _lang(language: str) -> str:
    return language if language in WEEKDAYS else "es"


def weekday_name(day_key: str, language: str) -> str:
    """`mon` as `lunes`, `Monday` or `วันจันทร์`."""
    return WEEKDAYS[_lang(language)][DAY_KEYS.index(day_key)]


def format_date(day: date, language: str) -> str:
    """`lunes 2 de marzo`, `Monday 2 March`, `วันจันทร์ที่ 2 มีนาคม`."""
    lang = _lang(language)
    name, month = WEEKDAYS[lang][day.weekday()], MONTHS[lang][day.month - 1]
    if lang == "en":
        return f"{name} {day.day} {month}"
    if lang == "th":
        return f"{name}ที่ {day.day} {month}"
    return f"{name} {day.day} de {month}"


def format_time(moment: datetime, language: str) -> str:
    """`10:30`, or `10:30 น.` in Thai; `moment` is already local."""
    text = f"{moment:%H:%M}"
    return f"{text} น." if _lang(language) == "th" else text


def format_when(moment: datetime, language: str) -> str:
    """A local date and time: `lunes 2 de marzo a las 10:30`, `Monday 2 March at 10:30`."""
    lang = _lang(language)
    joiner = {"es": " a las ", "en": " at ", "th": " เวลา "}[lang]
    return format_date(moment.date(), lang) + joiner + format_time(moment, lang)


def join(items: Sequence[str], language: str) -> str:
    """`a, b y c` / `a, b and c` / `a b และc`."""
    lang = _lang(language)
    if len(items) <= 1:
        return "".join(items)
    separator = " " if lang == "th" else ", "
    return separator.join(items[:-1]) + AND[lang] + items[-1]
