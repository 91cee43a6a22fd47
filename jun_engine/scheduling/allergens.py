"""The 14 allergens EU Regulation 1169/2011 (Annex II) requires menus to declare, in es and en."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Allergen:
    """One declared allergen: a stable code, its Spanish and English names, accepted spellings."""

    code: str
    es: str
    en: str
    aliases: tuple[str, ...] = ()


ALLERGENS: tuple[Allergen, ...] = (
    Allergen("gluten", "gluten", "gluten", ("cereales", "cereals", "trigo", "wheat")),
    Allergen("crustaceans", "crustáceos", "crustaceans", ("crustaceo", "crustacean", "marisco")),
    Allergen("eggs", "huevo", "eggs", ("huevos", "egg")),
    Allergen("fish", "pescado", "fish", ("pescados",)),
    Allergen("peanuts", "cacahuetes", "peanuts", ("cacahuete", "peanut", "mani")),
    Allergen("soy", "soja", "soy", ("soya", "soybeans", "soybean", "soja y derivados")),
    Allergen("milk", "lácteos", "milk", ("leche", "lacteo", "lactosa", "dairy", "lactose")),
    Allergen(
        "nuts",
        "frutos de cáscara",
        "tree nuts",
        ("frutos secos", "fruto de cascara", "nuts", "nut", "tree nut"),
    ),
    Allergen("celery", "apio", "celery", ()),
    Allergen("mustard", "mostaza", "mustard", ()),
    Allergen("sesame", "sésamo", "sesame", ("sesamo", "granos de sesamo", "sesame seeds")),
    Allergen(
        "sulphites",
        "sulfitos",
        "sulphites",
        ("sulfito", "sulfites", "sulphite", "sulfite", "dioxido de azufre", "sulphur dioxide"),
    ),
    Allergen("lupin", "altramuces", "lupin", ("altramuz", "lupine")),
    Allergen("molluscs", "moluscos", "molluscs", ("molusco", "mollusks", "mollusc", "mollusk")),
)

BY_CODE: dict[str, Allergen] = {allergen.code: allergen for allergen in ALLERGENS}


def fold(text: str) -> str:
    """Lowercase without accents and with single spaces: `Lácteos ` and `lacteos` are one word."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(plain.split())


def _index() -> dict[str, Allergen]:
    index: dict[str, Allergen] = {}
    for allergen in ALLERGENS:
        for name in (allergen.code, allergen.es, allergen.en, *allergen.aliases):
            index[fold(name)] = allergen
    return index


_INDEX = _index()


def find_allergen(name: str) -> Allergen | None:
    """The allergen `name` means (any case, accents optional, es or en), or None."""
    return _INDEX.get(fold(name))


def known_names() -> list[str]:
    """Every name a menu file may use, for did-you-mean suggestions."""
    return sorted(_INDEX)
