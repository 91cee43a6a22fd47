"""Dates and times as residents read them, in Spanish, English, Thai or Japanese, in the town's
zone; and the short forms a button's label has room for."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

WEEKDAYS: dict[str, tuple[str, ...]] = {
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "th": ("วันจันทร์", "วันอังคาร", "วันพุธ", "วันพฤหัสบดี", "วันศุกร์", "วันเสาร์", "วันอาทิตย์"),
    "ja": ("月曜日", "火曜日", "水曜日", "木曜日", "金曜日", "土曜日", "日曜日"),
}
MONTHS: dict[str, tuple[str, ...]] = {
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
           "septiembre", "octubre", "noviembre", "diciembre"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "th": ("มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม",
           "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม"),
    "ja": tuple(f"{number}月" for number in range(1, 13)),
}  # fmt: skip
SHORT_WEEKDAYS: dict[str, tuple[str, ...]] = {
    "es": ("lun", "mar", "mié", "jue", "vie", "sáb", "dom"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "th": ("จ.", "อ.", "พ.", "พฤ.", "ศ.", "ส.", "อา."),
    "ja": ("月", "火", "水", "木", "金", "土", "日"),
}
SHORT_MONTHS: dict[str, tuple[str, ...]] = {
    "es": ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "th": ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.",
           "พ.ย.", "ธ.ค."),
}  # fmt: skip
DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
AND = {"es": " y ", "en": " and ", "th": " และ", "ja": "、"}


def _lang(language: str) -> str:
    return language if language in WEEKDAYS else "es"


def weekday_name(day_key: str, language: str) -> str:
    """`mon` as `lunes`, `Monday` or `วันจันทร์`."""
    return WEEKDAYS[_lang(language)][DAY_KEYS.index(day_key)]


def format_date(day: date, language: str) -> str:
    """`lunes 2 de marzo`, `Monday 2 March`, `วันจันทร์ที่ 2 มีนาคม`, `3月2日(月)`."""
    lang = _lang(language)
    name, month = WEEKDAYS[lang][day.weekday()], MONTHS[lang][day.month - 1]
    if lang == "ja":
        return f"{month}{day.day}日({SHORT_WEEKDAYS[lang][day.weekday()]})"
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
    joiner = {"es": " a las ", "en": " at ", "th": " เวลา ", "ja": " "}[lang]
    return format_date(moment.date(), lang) + joiner + format_time(moment, lang)


def format_short(moment: datetime, language: str) -> str:
    """A local date and time in a button's room (20 characters): `lun 2 mar 11:00`,
    `Mon 2 Mar 11:00`, `จ. 2 มี.ค. 11:00`, `3/2(月) 11:00`."""
    lang = _lang(language)
    day = SHORT_WEEKDAYS[lang][moment.weekday()]
    if lang == "ja":
        return f"{moment.month}/{moment.day}({day}) {moment:%H:%M}"
    return f"{day} {moment.day} {SHORT_MONTHS[lang][moment.month - 1]} {moment:%H:%M}"


def join(items: Sequence[str], language: str) -> str:
    """`a, b y c` / `a, b and c` / `a b และc` / `a、b、c`."""
    lang = _lang(language)
    if len(items) <= 1:
        return "".join(items)
    separator = {"th": " ", "ja": "、"}.get(lang, ", ")
    return separator.join(items[:-1]) + AND[lang] + items[-1]
