"""The Spanish words the scheduler's posts are made of: weekdays, months, allergen lists."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from jun_engine.scheduling.allergens import BY_CODE

WEEKDAYS_ES = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
MONTHS_ES = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)


def spanish_date(day: date) -> str:
    """`lunes 2 de marzo`."""
    return f"{WEEKDAYS_ES[day.weekday()]} {day.day} de {MONTHS_ES[day.month - 1]}"


def allergen_list(codes: Sequence[str]) -> str:
    """`gluten, pescado y lácteos`, or `ninguno declarado`."""
    names = [BY_CODE[code].es if code in BY_CODE else code for code in codes]
    if not names:
        return "ninguno declarado"
    if len(names) == 1:
        return names[0]
    return f"{', '.join(names[:-1])} y {names[-1]}"
