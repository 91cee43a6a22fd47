"""The words the scheduler's public posts are made of, in the town's default language: the
menu's heading, dates, allergen lists (Spanish, English or Thai; else Spanish)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from jun_engine.scheduling.allergens import BY_CODE
from jun_engine.selfservice.dates import format_date, join

MENU_HEADING: Mapping[str, str] = {
    "es": "Menú del comedor de {school}, {day}:",
    "en": "{school} school lunch menu, {day}:",
    "th": "เมนูอาหารกลางวัน {school} {day}:",
}
ALLERGENS_LINE: Mapping[str, str] = {
    "es": "Alérgenos: {allergens}.",
    "en": "Allergens: {allergens}.",
    "th": "สารก่อภูมิแพ้: {allergens}",
}
NONE_DECLARED: Mapping[str, str] = {
    "es": "ninguno declarado",
    "en": "none declared",
    "th": "ไม่มีการแจ้ง",
}


def local_date(day: date, language: str) -> str:
    """`lunes 2 de marzo`, `Monday 2 March`, `วันจันทร์ที่ 2 มีนาคม`."""
    return format_date(day, language)


def spanish_date(day: date) -> str:
    """`lunes 2 de marzo`."""
    return local_date(day, "es")


def menu_heading(school: str, day: date, language: str) -> str:
    """The first line of a menu post."""
    return _pick(MENU_HEADING, language).format(school=school, day=local_date(day, language))


def allergens_line(codes: Sequence[str], language: str) -> str:
    """`Alérgenos: gluten, pescado y lácteos.`"""
    return _pick(ALLERGENS_LINE, language).format(allergens=allergen_list(codes, language))


def allergen_list(codes: Sequence[str], language: str = "es") -> str:
    """`gluten, pescado y lácteos` (English names in Thai), or `ninguno declarado`."""
    names = [_allergen_name(code, language) for code in codes]
    if not names:
        return _pick(NONE_DECLARED, language)
    return join(names, language)


def _allergen_name(code: str, language: str) -> str:
    allergen = BY_CODE.get(code)
    if allergen is None:
        return code
    return allergen.es if language == "es" or language not in ("en", "th") else allergen.en


def _pick(table: Mapping[str, str], language: str) -> str:
    return table.get(language) or table["es"]
